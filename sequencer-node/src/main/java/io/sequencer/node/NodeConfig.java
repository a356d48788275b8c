package io.sequencer.node;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.Durability;
import io.sequencer.core.ProtocolContext;
import org.agrona.concurrent.BackoffIdleStrategy;
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
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

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
 * channel             = aeron:udp?endpoint=239.255.0.1:40456|interface=127.0.0.1|fc=min|ttl=0
 * data.dir            = data
 * durability          = none                      # none | batch
 * heartbeat.ms        = 5
 * failure.timeout.ms  = 50
 * boot.timeout.ms     = 60
 * checkpoint.interval = 100000
 * max.event.bytes     = 4096
 * max.result.bytes    = 256
 * idle.strategy       = backoff                   # busy-spin | yield | backoff | sleep
 * cpu                 = -1                        # pin the duty cycle to this CPU; -1: no pinning
 * </pre>
 */
public final class NodeConfig
{
    /** One member as the file describes it. */
    public record Member(int id, String name, String endpoint, File directory)
    {
    }

    public static final String DEFAULT_CHANNEL =
        "aeron:udp?endpoint=239.255.0.1:40456|interface=127.0.0.1|fc=min|ttl=0";

    private final Map<String, String> values;
    private final int clusterId;
    private final List<Member> members = new ArrayList<>();
    private final String channel;
    private final Durability durability;
    private final long heartbeatNs;
    private final long failureTimeoutNs;
    private final long bootTimeoutNs;
    private final long checkpointInterval;
    private final int maxEventBytes;
    private final int maxResultBytes;
    private final String idleStrategy;
    private final int cpu;

    private NodeConfig(final Map<String, String> values)
    {
        this.values = values;
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
        channel = values.getOrDefault("channel", DEFAULT_CHANNEL);
        if (!channel.startsWith("aeron:"))
        {
            throw bad("channel", "an Aeron channel URI such as " + DEFAULT_CHANNEL, channel);
        }
        final String policy = values.getOrDefault("durability", "none");
        switch (policy)
        {
            case "none": durability = Durability.NONE; break;
            case "batch": durability = Durability.BATCH; break;
            default: throw bad("durability", "none or batch", policy);
        }
        heartbeatNs = TimeUnit.MILLISECONDS.toNanos(number("heartbeat.ms", "5", 1, 60_000));
        failureTimeoutNs = TimeUnit.MILLISECONDS.toNanos(number("failure.timeout.ms", "50", 2, 600_000));
        bootTimeoutNs = TimeUnit.MILLISECONDS.toNanos(number("boot.timeout.ms", "60", 2, 600_000));
        if (failureTimeoutNs <= heartbeatNs)
        {
            throw bad("failure.timeout.ms", "more than heartbeat.ms", values.get("failure.timeout.ms"));
        }
        if (bootTimeoutNs <= heartbeatNs)
        {
            throw bad("boot.timeout.ms", "more than heartbeat.ms", values.get("boot.timeout.ms"));
        }
        checkpointInterval = number("checkpoint.interval", "100000", 1, Long.MAX_VALUE);
        maxEventBytes = (int)number("max.event.bytes", "4096", 0, 16 * 1024 * 1024);
        maxResultBytes = (int)number("max.result.bytes", "256", 0, 64 * 1024);
        idleStrategy = values.getOrDefault("idle.strategy", "backoff");
        idleStrategy(); // validates
        cpu = (int)number("cpu", "-1", -1, 4095);
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
        System.getProperties().stringPropertyNames().stream()
            .filter(key -> key.startsWith("sequencer."))
            .forEach(key -> values.put(key.substring("sequencer.".length()), System.getProperty(key).trim()));
        values.putAll(overrides);
        return new NodeConfig(values);
    }

    /** A configuration from key-value pairs alone (tests, the demo). */
    public static NodeConfig of(final Map<String, String> values)
    {
        return new NodeConfig(new LinkedHashMap<>(values));
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
        member(id);
        return new ProtocolContext()
            .cluster(cluster())
            .memberId(id)
            .durability(durability)
            .heartbeatIntervalNs(heartbeatNs)
            .failureTimeoutNs(failureTimeoutNs)
            .bootTimeoutNs(bootTimeoutNs)
            .maxBootTimeoutNs(Math.max(ProtocolContext.DEFAULT_MAX_BOOT_TIMEOUT_NS, bootTimeoutNs))
            .checkpointInterval(checkpointInterval)
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
            case "backoff": return new BackoffIdleStrategy();
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

    /** The CPU to pin the duty cycle to, or -1. */
    public int cpu()
    {
        return cpu;
    }

    /** A setting as written (after overrides), for settings another module interprets. */
    public String value(final String key, final String defaultValue)
    {
        return values.getOrDefault(key, defaultValue);
    }
}
