package io.sequencer.node;

import io.aeron.CommonContext;
import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.Durability;
import io.sequencer.core.ProtocolContext;
import io.sequencer.storage.NodeStorage;
import io.sequencer.storage.WriteFailureMarker;
import io.sequencer.transport.aeron.AeronTransportContext;
import io.sequencer.transport.aeron.Authentication;
import io.sequencer.transport.aeron.FrameAuthenticator;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration file per cluster, in properties format, read once and validated: every error names the setting
 * and the form it expects. System properties {@code sequencer.<key>} and command-line {@code --set key=value}
 * override the file, in that order.
 * <pre>
 * cluster.id          = 1
 * cluster.members     = 0,1,2                     # 1 to 3 member ids, 0..255
 * member.0.name       = alpha                     # optional, default member-&lt;id&gt;
 * member.0.endpoint   = 127.0.0.1:40101           # the member's point-to-point (catch-up, unicast) endpoint
 * member.0.dir        = /var/lib/sequencer/alpha  # optional, default &lt;data.dir&gt;/&lt;name&gt;
 * data.dir            = data
 * durability          = none                      # none | batch
 * write.failure.dir   = /dev/shm                  # none: where a log records a file system that refused a write
 * heartbeat.ms        = 5
 * failure.timeout.ms  = 50
 * failure.timeout.max.ms = 500                   # a peer that stalls now and then gets up to this; default 10 x
 * boot.timeout.ms     = 60
 * checkpoint.interval = 100000
 * checkpoint.keep     = 3                         # checkpoints kept; older ones are deleted
 * log.retain.entries  = 4194304                   # log entries kept below the oldest checkpoint kept; those below go
 * timer.tick.us       = 1000                      # members' turns to order a tick for a due timer (protocol §12)
 * max.event.bytes     = 4096
 * max.result.bytes    = 256
 * idle.strategy       = backoff                   # busy-spin | yield | backoff | sleep
 * timer.slack.ns      = 0                         # Linux: how late the member's threads' parks may end; 0: the OS's
 * cpu                 = -1                        # pin the duty cycle to this CPU; -1: no pinning
 * metrics.port        = 0                         # > 0: member N serves its counters for Prometheus on port + N
 * metrics.address     = 127.0.0.1                 # the address that serves them (0.0.0.0: every interface)
 *
 * authentication          = all                   # all | control | none (see Authentication)
 * authentication.key.file = cluster.key           # required unless none; relative to this file's directory
 * channel             = aeron:udp?endpoint=239.255.0.1:40456|interface=127.0.0.1|fc=min|ttl=0  # member index i: port+i
 * unicast             = false                     # true: no multicast, every member.N.endpoint required
 * stream.id           = 1001
 * catchup.stream.id   = 1002
 * term.length         = 1048576                   # bytes, a power of two, at least 8 x the largest frame
 * catchup.mtu         = auto                      # catch-up datagram bytes; auto: the endpoint interface's MTU - 64
 * driver              = embedded                  # embedded | external
 * aeron.dir           = (embedded: /dev/shm/sequencer-aeron-&lt;cluster.id&gt;-&lt;id&gt;, external: Aeron's default)
 * driver.threading    = shared                    # embedded: shared | shared-network | dedicated | invoker
 * driver.idle.strategy = backoff                  # embedded: backoff | sleep-ms | yield | busy-spin | noop
 * image.liveness.timeout.ms        = 500          # a member's stream silent this long is lost
 * flow.control.receiver.timeout.ms = 500          # a silent receiver stops holding publishers back
 * driver.timeout.ms   = 10000
 * </pre>
 */
public final class NodeConfig
{
    /** One member as the file describes it. */
    public record Member(int id, String name, String endpoint, File directory)
    {
    }

    /** Every setting this file may hold, beside {@code member.<id>.name|endpoint|dir}: anything else is refused. */
    static final List<String> KEYS = List.of(
        "cluster.id", "cluster.members", "data.dir", "durability", "heartbeat.ms", "failure.timeout.ms",
        "failure.timeout.max.ms", "boot.timeout.ms", "checkpoint.interval", "checkpoint.keep", "log.retain.entries",
        "timer.tick.us", "max.event.bytes", "max.result.bytes", "idle.strategy", "timer.slack.ns", "cpu",
        "authentication", "authentication.key.file", "channel", "unicast", "stream.id", "catchup.stream.id",
        "term.length", "catchup.mtu", "driver", "aeron.dir", "driver.threading", "driver.idle.strategy",
        "image.liveness.timeout.ms", "flow.control.receiver.timeout.ms", "driver.timeout.ms", "metrics.port",
        "metrics.address", "write.failure.dir");
    private static final java.util.regex.Pattern MEMBER_KEY =
        java.util.regex.Pattern.compile("member\\.(\\d{1,3})\\.(name|endpoint|dir)");
    private static final java.util.regex.Pattern MEMBER_ID =
        java.util.regex.Pattern.compile("member\\.(\\d{1,3})\\..*");
    private static final List<String> MEMBER_KEY_SUFFIXES = List.of("name", "endpoint", "dir");

    public static final String DEFAULT_CHANNEL =
        "aeron:udp?endpoint=239.255.0.1:40456|interface=127.0.0.1|fc=min|ttl=0";

    private final Map<String, String> values;
    private final int clusterId;
    private final List<Member> members = new ArrayList<>();
    private final String channel;
    private final Durability durability;
    private final long heartbeatNs;
    private final long failureTimeoutNs;
    private final long maxFailureTimeoutNs;
    private final long bootTimeoutNs;
    private final long checkpointInterval;
    private final int checkpointsKept;
    private final long retainedEntries;
    private final long tickIntervalNs;
    private final int maxEventBytes;
    private final int maxResultBytes;
    private final String idleStrategy;
    private final int cpu;
    private final long timerSlackNs;
    private final int metricsPort;
    private final String metricsAddress;
    private final Path baseDirectory;
    private final Authentication authentication;
    private final Path keyFile;
    private final byte[] key;
    private final boolean unicast;
    private final int streamId;
    private final int catchUpStreamId;
    private final int termLength;
    private final int catchUpMtu;
    private final int maxFrameLength;
    private final boolean embeddedDriver;
    private final String aeronDirectory;
    private final Path writeFailureDirectory;
    private final ThreadingMode driverThreading;
    private final Supplier<IdleStrategy> driverIdleStrategy;
    private final long imageLivenessTimeoutNs;
    private final long flowControlReceiverTimeoutNs;
    private final long driverTimeoutMs;

    private NodeConfig(final Map<String, String> values, final Path baseDirectory)
    {
        checkKeysAndValues(values);
        this.values = values;
        this.baseDirectory = baseDirectory;
        clusterId = (int)number("cluster.id", null, Integer.MIN_VALUE, Integer.MAX_VALUE);
        final String memberList = require("cluster.members", "1 to 3 member ids separated by commas, e.g. 0,1,2");
        final String[] ids = memberList.split(",");
        if (ids.length < 1 || ids.length > ClusterConfig.MAX_MEMBERS)
        {
            throw bad("cluster.members", "1 to 3 member ids separated by commas", memberList);
        }
        final File dataDir = new File(values.getOrDefault("data.dir", "data"));
        for (final String raw : ids)
        {
            final int id;
            try
            {
                id = Integer.parseInt(raw.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw bad("cluster.members", "member ids 0.." + ClusterConfig.MAX_MEMBER_ID, memberList);
            }
            if (id < 0 || id > ClusterConfig.MAX_MEMBER_ID)
            {
                throw bad("cluster.members", "member ids 0.." + ClusterConfig.MAX_MEMBER_ID, memberList);
            }
            final String name = values.getOrDefault("member." + id + ".name", "member-" + id);
            if (!name.matches("[A-Za-z0-9._-]+"))
            {
                throw bad("member." + id + ".name", "letters, digits, '.', '_' or '-'", name);
            }
            final String endpoint = values.get("member." + id + ".endpoint");
            if (endpoint != null && !endpoint.matches("[^:\\s]+:\\d{1,5}"))
            {
                throw bad("member." + id + ".endpoint", "host:port", endpoint);
            }
            final String dir = values.get("member." + id + ".dir");
            members.add(new Member(id, name, endpoint, dir != null ? new File(dir) : new File(dataDir, name)));
        }
        cluster();
        for (final String key : values.keySet())
        {
            final java.util.regex.Matcher member = MEMBER_KEY.matcher(key);
            if (member.matches() && members.stream().noneMatch(m -> m.id() == Integer.parseInt(member.group(1))))
            {
                throw new IllegalArgumentException(key + ": member " + member.group(1) +
                    " is not in cluster.members (" + memberList + ")");
            }
        }
        channel = values.getOrDefault("channel", DEFAULT_CHANNEL);
        if (!channel.startsWith("aeron:"))
        {
            throw bad("channel", "an Aeron channel URI such as " + DEFAULT_CHANNEL, channel);
        }
        final String policy = values.getOrDefault("durability", "none");
        switch (policy)
        {
            case "none" -> durability = Durability.NONE;
            case "batch" -> durability = Durability.BATCH;
            default -> throw bad("durability", "none or batch", policy);
        }
        heartbeatNs = TimeUnit.MILLISECONDS.toNanos(number("heartbeat.ms", "5", 1, 60_000));
        failureTimeoutNs = TimeUnit.MILLISECONDS.toNanos(number("failure.timeout.ms", "50", 2, 600_000));
        maxFailureTimeoutNs = TimeUnit.MILLISECONDS.toNanos(number("failure.timeout.max.ms",
            Long.toString(10 * TimeUnit.NANOSECONDS.toMillis(failureTimeoutNs)), 2, 6_000_000));
        bootTimeoutNs = TimeUnit.MILLISECONDS.toNanos(number("boot.timeout.ms", "60", 2, 600_000));
        if (failureTimeoutNs <= heartbeatNs)
        {
            throw bad("failure.timeout.ms", "more than heartbeat.ms", values.get("failure.timeout.ms"));
        }
        if (maxFailureTimeoutNs < failureTimeoutNs)
        {
            throw bad("failure.timeout.max.ms", "at least failure.timeout.ms", values.get("failure.timeout.max.ms"));
        }
        if (bootTimeoutNs <= heartbeatNs)
        {
            throw bad("boot.timeout.ms", "more than heartbeat.ms", values.get("boot.timeout.ms"));
        }
        checkpointInterval = number("checkpoint.interval", "100000", 1, Long.MAX_VALUE);
        checkpointsKept = (int)number("checkpoint.keep", "3", 1, 1_000_000);
        retainedEntries = number("log.retain.entries", Long.toString(ProtocolContext.DEFAULT_RETAINED_ENTRIES), 0,
            Long.MAX_VALUE);
        tickIntervalNs = TimeUnit.MICROSECONDS.toNanos(number("timer.tick.us", "1000", 1, 10_000_000));
        maxEventBytes = (int)number("max.event.bytes", "4096", 0, 16 * 1024 * 1024);
        maxResultBytes = (int)number("max.result.bytes", "256", 0, 64 * 1024);
        idleStrategy = values.getOrDefault("idle.strategy", "backoff");
        idleStrategy(); // validates
        cpu = (int)number("cpu", "-1", -1, 4095);
        timerSlackNs = number("timer.slack.ns", "0", 0, 1_000_000_000);
        metricsPort = (int)number("metrics.port", "0", 0, 65535 - 255);
        metricsAddress = values.getOrDefault("metrics.address", "127.0.0.1").trim();
        if (metricsAddress.isEmpty())
        {
            throw bad("metrics.address", "an IP address or host name", metricsAddress);
        }

        authentication = parseAuthentication();
        if (authentication == Authentication.NONE)
        {
            keyFile = null;
            key = null;
        }
        else
        {
            final String file = values.get("authentication.key.file");
            if (file == null || file.isEmpty())
            {
                throw new IllegalArgumentException("authentication.key.file: missing; expected the cluster's key " +
                    "file (create it once with 'sequencer keygen --file cluster.key' and copy it to every member), " +
                    "or authentication = none");
            }
            keyFile = baseDirectory.resolve(file).normalize();
            key = ClusterKey.read("authentication.key.file", keyFile);
        }

        unicast = flag("unicast", "false");
        if (unicast)
        {
            for (final Member member : members)
            {
                if (member.endpoint() == null)
                {
                    throw new IllegalArgumentException("member." + member.id() + ".endpoint: missing; expected " +
                        "host:port for every member when unicast = true");
                }
            }
        }
        streamId = (int)number("stream.id", Integer.toString(AeronTransportContext.DEFAULT_STREAM_ID), 1,
            Integer.MAX_VALUE);
        catchUpStreamId = (int)number("catchup.stream.id",
            Integer.toString(AeronTransportContext.DEFAULT_CATCH_UP_STREAM_ID), 1, Integer.MAX_VALUE);
        if (catchUpStreamId == streamId)
        {
            throw bad("catchup.stream.id", "a stream id other than stream.id " + streamId,
                Integer.toString(catchUpStreamId));
        }

        // The protocol's largest frame: a catch-up batch, or one entry (event) with the batch's and its own header.
        maxFrameLength = Math.max(new ProtocolContext().fetchBatchBytes(),
            AeronTransportContext.EVENT_OVERHEAD + maxEventBytes);
        final long minTermLength = Long.highestOneBit(8L * (maxFrameLength + FrameAuthenticator.TAG_LENGTH) - 1) << 1;
        final long term = number("term.length", Integer.toString(AeronTransportContext.DEFAULT_TERM_LENGTH),
            64 * 1024, 1024 * 1024 * 1024);
        if (Long.bitCount(term) != 1 || term < minTermLength)
        {
            throw bad("term.length", "a power of two from " + minTermLength + " to 1073741824 (Aeron's largest " +
                "message is an eighth of it; the largest frame with max.event.bytes = " + maxEventBytes + " is " +
                maxFrameLength + " bytes)", values.get("term.length"));
        }
        termLength = (int)term;
        final String mtu = values.getOrDefault("catchup.mtu", "auto");
        final int maxMtu = AeronTransportContext.maxCatchUpMtu(termLength);
        long parsedMtu = AeronTransportContext.AUTO_MTU;
        if (!"auto".equals(mtu))
        {
            try
            {
                parsedMtu = Long.parseLong(mtu.replace("_", ""));
            }
            catch (final NumberFormatException ex)
            {
                parsedMtu = -1;
            }
            if (!AeronTransportContext.validCatchUpMtu(parsedMtu, termLength))
            {
                throw bad("catchup.mtu", "auto or a multiple of 32 from " + AeronTransportContext.MIN_MTU + " to " +
                    maxMtu + " (Aeron's largest datagram, at most an eighth of term.length)", mtu);
            }
        }
        catchUpMtu = (int)parsedMtu;

        final String driver = values.getOrDefault("driver", "embedded");
        switch (driver)
        {
            case "embedded" -> embeddedDriver = true;
            case "external" -> embeddedDriver = false;
            default -> throw bad("driver", "embedded or external", driver);
        }
        final String failureDirectory = values.get("write.failure.dir");
        if (failureDirectory != null && (failureDirectory.isEmpty() || !Path.of(failureDirectory).isAbsolute()))
        {
            throw bad("write.failure.dir", "an absolute path, on a file system a reboot empties (a tmpfs such as " +
                "/run/sequencer), other than the members' own", failureDirectory);
        }
        writeFailureDirectory = failureDirectory != null ? Path.of(failureDirectory) :
            WriteFailureMarker.defaultDirectory();
        final String directory = values.get("aeron.dir");
        if (directory != null && directory.isEmpty())
        {
            throw bad("aeron.dir", "the media driver's directory", directory);
        }
        aeronDirectory = directory != null ? directory :
            embeddedDriver ? null : CommonContext.getAeronDirectoryName();
        final String threading = values.getOrDefault("driver.threading", "shared");
        switch (threading)
        {
            case "shared" -> driverThreading = ThreadingMode.SHARED;
            case "shared-network" -> driverThreading = ThreadingMode.SHARED_NETWORK;
            case "dedicated" -> driverThreading = ThreadingMode.DEDICATED;
            case "invoker" -> driverThreading = ThreadingMode.INVOKER;
            default -> throw bad("driver.threading", "shared, shared-network, dedicated or invoker", threading);
        }
        driverIdleStrategy = AeronTransportContext.idleStrategy("driver.idle.strategy",
            values.getOrDefault("driver.idle.strategy", "backoff"));
        imageLivenessTimeoutNs = TimeUnit.MILLISECONDS.toNanos(number("image.liveness.timeout.ms",
            Long.toString(TimeUnit.NANOSECONDS.toMillis(AeronTransportContext.DEFAULT_IMAGE_LIVENESS_TIMEOUT_NS)),
            250, 3_600_000));
        flowControlReceiverTimeoutNs = TimeUnit.MILLISECONDS.toNanos(number("flow.control.receiver.timeout.ms",
            Long.toString(TimeUnit.NANOSECONDS.toMillis(
            AeronTransportContext.DEFAULT_FLOW_CONTROL_RECEIVER_TIMEOUT_NS)), 250, 3_600_000));
        driverTimeoutMs = number("driver.timeout.ms", Long.toString(AeronTransportContext.DEFAULT_DRIVER_TIMEOUT_MS),
            100, 3_600_000);
    }

    /**
     * Read a cluster file, then apply system properties {@code sequencer.<key>}, then {@code overrides}.
     *
     * @throws IllegalArgumentException naming the file or the first bad setting.
     */
    public static NodeConfig load(final Path file, final Map<String, String> overrides)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("--config: cannot read " + file + ": " + ex.getMessage(), ex);
        }
        final Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key).trim()));
        // Only settings: other sequencer.* properties belong to the tools and tests (sequencer.jvm.flags, ...).
        System.getProperties().stringPropertyNames().stream()
            .filter(key -> key.startsWith("sequencer.") && isKey(key.substring("sequencer.".length())))
            .forEach(key -> values.put(key.substring("sequencer.".length()), System.getProperty(key).trim()));
        values.putAll(overrides);
        final Path parent = file.toAbsolutePath().getParent();
        return new NodeConfig(values, parent != null ? parent : Path.of("").toAbsolutePath());
    }

    /** A configuration from key-value pairs alone (tests); relative paths resolve against the current directory. */
    public static NodeConfig of(final Map<String, String> values)
    {
        return new NodeConfig(new LinkedHashMap<>(values), Path.of("").toAbsolutePath());
    }

    /** Whether {@code key} is a setting of this file (a member's with any id). */
    static boolean isKey(final String key)
    {
        return KEYS.contains(key) || MEMBER_KEY.matcher(key).matches();
    }

    /**
     * An operator's typo must not run a cluster on defaults ({@code durabilty = batch} ran with durability none): an
     * unknown key is refused, naming the nearest known one. A properties file has no end-of-line comments: a value
     * that holds one ({@code data.dir = /data  # fast disk} named a directory after the comment) is refused too.
     */
    private static void checkKeysAndValues(final Map<String, String> values)
    {
        for (final Map.Entry<String, String> setting : values.entrySet())
        {
            final String key = setting.getKey();
            if (!isKey(key))
            {
                final String nearest = nearestKey(key);
                throw new IllegalArgumentException(key + ": unknown setting" +
                    (nearest != null ? " (did you mean " + nearest + "?)" : "") +
                    "; the settings are listed in the README's configuration reference");
            }
            final String value = setting.getValue();
            final int comment = Math.max(value.indexOf(" #"), value.indexOf("\t#"));
            if (comment >= 0)
            {
                throw new IllegalArgumentException(key + ": '" + value + "' holds a comment, but a properties file " +
                    "has none at the end of a line: put '# ...' on a line of its own");
            }
        }
    }

    /** The known key nearest to {@code key} by edit distance, if it is near enough to be a typo of it. */
    private static String nearestKey(final String key)
    {
        final List<String> candidates = new ArrayList<>(KEYS);
        final java.util.regex.Matcher member = MEMBER_ID.matcher(key);
        final String id = member.matches() ? member.group(1) : "0";
        MEMBER_KEY_SUFFIXES.forEach(suffix -> candidates.add("member." + id + "." + suffix));
        String nearest = null;
        int best = Math.max(2, key.length() / 4) + 1;
        for (final String candidate : candidates)
        {
            final int distance = editDistance(key, candidate);
            if (distance < best)
            {
                best = distance;
                nearest = candidate;
            }
        }
        return nearest;
    }

    private static int editDistance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private String require(final String key, final String expected)
    {
        final String value = values.get(key);
        if (value == null || value.isEmpty())
        {
            throw new IllegalArgumentException(key + ": missing; expected " + expected);
        }
        return value;
    }

    private long number(final String key, final String defaultValue, final long min, final long max)
    {
        final String value = defaultValue == null ? require(key, "a whole number") :
            values.getOrDefault(key, defaultValue);
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw bad(key, "a whole number" + range(min, max), value);
        }
        if (parsed < min || parsed > max)
        {
            throw bad(key, "a whole number" + range(min, max), value);
        }
        return parsed;
    }

    private boolean flag(final String key, final String defaultValue)
    {
        final String value = values.getOrDefault(key, defaultValue);
        switch (value)
        {
            case "true": return true;
            case "false": return false;
            default: throw bad(key, "true or false", value);
        }
    }

    private Authentication parseAuthentication()
    {
        final String value = values.getOrDefault("authentication", Authentication.ALL.name().toLowerCase(Locale.ROOT));
        final StringBuilder names = new StringBuilder();
        for (final Authentication mode : Authentication.values())
        {
            final String name = mode.name().toLowerCase(Locale.ROOT);
            if (name.equals(value))
            {
                return mode;
            }
            names.append(names.length() == 0 ? "" : ", ").append(name);
        }
        throw bad("authentication", "one of " + names, value);
    }

    private static String range(final long min, final long max)
    {
        return min == Integer.MIN_VALUE && max == Integer.MAX_VALUE ? "" :
            max == Long.MAX_VALUE ? " >= " + min : " in " + min + ".." + max;
    }

    private static IllegalArgumentException bad(final String key, final String expected, final String actual)
    {
        return new IllegalArgumentException(key + ": expected " + expected + ", got '" + actual + "'");
    }

    public ClusterConfig cluster()
    {
        final int[] ids = new int[members.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = members.get(i).id();
        }
        try
        {
            return new ClusterConfig(clusterId, ids);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("cluster." + ex.getMessage(), ex);
        }
    }

    /** The member with {@code id}; @throws IllegalArgumentException naming {@code --id} if there is none. */
    public Member member(final int id)
    {
        for (final Member member : members)
        {
            if (member.id() == id)
            {
                return member;
            }
        }
        throw new IllegalArgumentException("--id: " + id + " is not one of cluster.members " + memberIds());
    }

    public List<Member> members()
    {
        return List.copyOf(members);
    }

    private List<Integer> memberIds()
    {
        final List<Integer> ids = new ArrayList<>();
        members.forEach(m -> ids.add(m.id()));
        return ids;
    }

    /** The protocol settings for member {@code id}. */
    public ProtocolContext protocolContext(final int id)
    {
        final Member member = member(id);
        // the machine's (1: not known, a reboot goes unnoticed), changed for the rest of this boot if the member's
        // log's file system refused a write: what the log held may then be gone as after a reboot (protocol.md §10.7)
        final long bootId = WriteFailureMarker.bootId(machineBootId(),
            member.directory().toPath().resolve(NodeStorage.LOG_DIRECTORY), writeFailureDirectory);
        return new ProtocolContext()
            .cluster(cluster())
            .memberId(id)
            .bootId(bootId)
            .durability(durability)
            .heartbeatIntervalNs(heartbeatNs)
            .failureTimeoutNs(failureTimeoutNs)
            .maxFailureTimeoutNs(maxFailureTimeoutNs)
            .bootTimeoutNs(bootTimeoutNs)
            .maxBootTimeoutNs(Math.max(ProtocolContext.DEFAULT_MAX_BOOT_TIMEOUT_NS, bootTimeoutNs))
            .checkpointInterval(checkpointInterval)
            .checkpointsKept(checkpointsKept)
            .retainedEntries(retainedEntries)
            .tickIntervalNs(tickIntervalNs)
            .maxEventLength(maxEventBytes)
            .maxResultLength(maxResultBytes);
    }

    /** A new idle strategy of the configured kind. */
    public IdleStrategy idleStrategy()
    {
        switch (idleStrategy)
        {
            case "busy-spin": return new BusySpinIdleStrategy();
            case "yield": return new YieldingIdleStrategy();
            case "backoff": return AeronTransportContext.backoff();
            case "sleep": return new SleepingMillisIdleStrategy(1);
            default: throw bad("idle.strategy", "busy-spin, yield, backoff or sleep", idleStrategy);
        }
    }

    public int clusterId()
    {
        return clusterId;
    }

    public String channel()
    {
        return channel;
    }

    public Durability durability()
    {
        return durability;
    }

    /** The port member {@code id} serves its counters on for Prometheus ({@code metrics.port + id}), or 0: none. */
    public int metricsPort(final int id)
    {
        return metricsPort == 0 ? 0 : metricsPort + id;
    }

    /** The address the counters are served on. */
    public String metricsAddress()
    {
        return metricsAddress;
    }

    /** The CPU to pin the duty cycle to, or -1. */
    public int cpu()
    {
        return cpu;
    }

    /**
     * Where a member's log records, until the machine reboots, that its file system refused a write (docs/protocol.md
     * §10.7): {@code write.failure.dir}, default {@code /dev/shm}. A container whose {@code /dev/shm} is its own,
     * emptied when the container restarts, names a tmpfs of the host's here.
     */
    public Path writeFailureDirectory()
    {
        return writeFailureDirectory;
    }

    /**
     * The transport settings for member {@code id}: channel or unicast endpoints, streams, term length, media
     * driver, timeouts, authentication with the cluster's key, and the protocol's event limit.
     */
    public AeronTransportContext transportContext(final int id)
    {
        member(id);
        final AeronTransportContext context = new AeronTransportContext()
            .cluster(cluster())
            .memberId(id)
            .channel(channel)
            .unicast(unicast)
            .streamId(streamId)
            .catchUpStreamId(catchUpStreamId)
            .termLength(termLength)
            .catchUpMtu(catchUpMtu)
            .maxFrameLength(maxFrameLength)
            .maxEventLength(maxEventBytes)
            .embeddedDriver(embeddedDriver)
            .threadingMode(driverThreading)
            .driverIdleStrategy(driverIdleStrategy)
            .timerSlackNs(timerSlackNs)
            .imageLivenessTimeoutNs(imageLivenessTimeoutNs)
            .flowControlReceiverTimeoutNs(flowControlReceiverTimeoutNs)
            .driverTimeoutMs(driverTimeoutMs)
            .authentication(authentication)
            .secret(key);
        if (aeronDirectory != null)
        {
            context.aeronDirectoryName(aeronDirectory);
        }
        for (final Member member : members)
        {
            if (member.endpoint() != null)
            {
                context.memberEndpoint(member.id(), member.endpoint());
            }
        }
        return context;
    }

    /** How frames are authenticated; {@link Authentication#NONE} only when the file says so. */
    public Authentication authentication()
    {
        return authentication;
    }

    /** The cluster's key file, resolved; null under {@code authentication = none}. */
    public Path keyFile()
    {
        return keyFile;
    }

    /** Lines to show at start about settings that are valid but unsafe. */
    public List<String> warnings()
    {
        final List<String> warnings = new ArrayList<>();
        if (authentication == Authentication.NONE)
        {
            warnings.add("WARNING: authentication = none: frames are not authenticated; any process that can send " +
                "a datagram to the channel or a member's endpoint can disrupt the cluster or inject events " +
                "(create a key with 'sequencer keygen' and set authentication.key.file)");
        }
        else if (ClusterKey.readableByOthers(keyFile))
        {
            warnings.add("WARNING: authentication.key.file: " + keyFile + " is readable by other users; whoever " +
                "reads it can speak for any member (chmod 600 it)");
        }
        return warnings;
    }

    private static final Pattern TRANSPORT_SETTING = Pattern.compile("^(memberEndpoints\\[(\\d+)]|" +
        "aeronDirectoryName|termLength|streamId|catchUpStreamId|imageLivenessTimeoutNs|flowControlReceiverTimeoutNs|" +
        "driverTimeoutMs|secret):");

    /**
     * A transport error (from {@link AeronTransportContext} or the transport's start) with the setting it names
     * translated into this file's key, e.g. {@code memberEndpoints[1]: ...} into {@code member.1.endpoint: ...}.
     */
    public static String inConfigTerms(final String message)
    {
        final Matcher matcher = message == null ? null : TRANSPORT_SETTING.matcher(message);
        if (matcher == null || !matcher.find())
        {
            return message;
        }
        final String key;
        switch (matcher.group(1))
        {
            case "aeronDirectoryName" -> key = "aeron.dir";
            case "termLength" -> key = "term.length";
            case "streamId" -> key = "stream.id";
            case "catchUpStreamId" -> key = "catchup.stream.id";
            case "imageLivenessTimeoutNs" -> key = "image.liveness.timeout.ms";
            case "flowControlReceiverTimeoutNs" -> key = "flow.control.receiver.timeout.ms";
            case "driverTimeoutMs" -> key = "driver.timeout.ms";
            case "secret" -> key = "authentication.key.file";
            default -> key = "member." + matcher.group(2) + ".endpoint";
        }
        return key + ":" + message.substring(matcher.end());
    }

    /** A setting as written (after overrides), for settings another module interprets. */
    public String value(final String key, final String defaultValue)
    {
        return values.getOrDefault(key, defaultValue);
    }

    /**
     * This machine's boot id (changes when it reboots), folded from its 128 bits to 64: under durability {@code none}
     * a member whose recorded boot id differs may have lost its log's unforced tail (docs/protocol.md §6), and a log
     * trusts the seals it wrote without an fsync only in the same boot.
     *
     * @return 0 when this system has none (a reboot under durability none then goes unnoticed: use batch).
     */
    static long machineBootId()
    {
        final File file = new File("/proc/sys/kernel/random/boot_id");
        try
        {
            final java.util.UUID uuid = java.util.UUID.fromString(Files.readString(file.toPath()).trim());
            final long folded = uuid.getMostSignificantBits() ^ Long.rotateLeft(uuid.getLeastSignificantBits(), 31);
            return folded == 0 ? 1 : folded;
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return 0;
        }
    }
}
