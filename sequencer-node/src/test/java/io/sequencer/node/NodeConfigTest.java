package io.sequencer.node;

import io.aeron.CommonContext;
import io.aeron.driver.ThreadingMode;
import io.sequencer.core.Durability;
import io.sequencer.core.ProtocolContext;
import io.sequencer.transport.aeron.AeronTransportContext;
import io.sequencer.transport.aeron.Authentication;
import io.sequencer.transport.aeron.FrameAuthenticator;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class NodeConfigTest
{
    @TempDir
    Path dir;

    private Path key;

    @BeforeEach
    void createKey() throws Exception
    {
        key = dir.resolve("cluster.key");
        ClusterKey.create(key);
    }

    /** The smallest valid configuration: the cluster, and its key (authentication is on by default). */
    private Map<String, String> minimal()
    {
        final Map<String, String> values = new HashMap<>();
        values.put("cluster.id", "7");
        values.put("cluster.members", "0,1,2");
        values.put("authentication.key.file", key.toString());
        return values;
    }

    private static String errorOf(final Map<String, String> values)
    {
        return assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(values)).getMessage();
    }

    private static Map<String, String> with(final Map<String, String> values, final String... keyValues)
    {
        for (int i = 0; i < keyValues.length; i += 2)
        {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return values;
    }

    @Test
    void fileWithOverridesGivesTheProtocolSettings() throws Exception
    {
        final Path file = dir.resolve("cluster.properties");
        Files.writeString(file, String.join("\n",
            "cluster.id = 7",
            "cluster.members = 0,1,2",
            "member.1.name = beta",
            "member.1.endpoint = 127.0.0.1:40101",
            "durability = batch",
            "heartbeat.ms = 2",
            "failure.timeout.ms = 40",
            "idle.strategy = yield",
            "authentication.key.file = cluster.key"));
        final NodeConfig config = NodeConfig.load(file, Map.of("idle.strategy", "busy-spin"));
        assertEquals(7, config.clusterId());
        assertEquals(3, config.cluster().size());
        assertEquals("beta", config.member(1).name());
        assertEquals("127.0.0.1:40101", config.member(1).endpoint());
        assertEquals(new File("data", "beta"), config.member(1).directory());
        assertEquals(new File("data", "member-2"), config.member(2).directory());
        assertEquals(Durability.BATCH, config.durability());
        assertInstanceOf(BusySpinIdleStrategy.class, config.idleStrategy(), "the override wins");
        final ProtocolContext protocol = config.protocolContext(1).conclude();
        assertEquals(2_000_000, protocol.heartbeatIntervalNs());
        assertEquals(40_000_000, protocol.failureTimeoutNs());
        assertTrue(NodeConfig.machineBootId() != 0, "this Linux machine has a boot id");
        assertEquals(NodeConfig.machineBootId(), protocol.bootId(), "an embedded member (DurableMember.launch from " +
            "the file) notices a reboot under durability none as the node command does");
        assertEquals(3, protocol.checkpointsKept());
        assertEquals(NodeConfig.DEFAULT_CHANNEL, config.channel());

        assertEquals(Authentication.ALL, config.authentication(), "every frame authenticated by default");
        assertEquals(key, config.keyFile(), "relative to the configuration file's directory");
        assertEquals(List.of(), config.warnings());
        final AeronTransportContext transport = config.transportContext(1);
        assertEquals(Authentication.ALL, transport.authentication());
        assertEquals(NodeConfig.DEFAULT_CHANNEL, transport.channel());
        assertFalse(transport.unicast());
        assertTrue(transport.embeddedDriver());
        assertNull(transport.aeronDirectoryName(), "the transport's default: one directory per member");
        assertEquals(AeronTransportContext.DEFAULT_STREAM_ID, transport.streamId());
        assertEquals(AeronTransportContext.DEFAULT_CATCH_UP_STREAM_ID, transport.catchUpStreamId());
        assertEquals(AeronTransportContext.DEFAULT_TERM_LENGTH, transport.termLength());
        assertEquals(ProtocolContext.DEFAULT_MAX_EVENT_LENGTH, transport.maxEventLength());
        assertEquals(ThreadingMode.SHARED, transport.threadingMode());
        assertEquals(AeronTransportContext.DEFAULT_IMAGE_LIVENESS_TIMEOUT_NS, transport.imageLivenessTimeoutNs());
        assertEquals(AeronTransportContext.DEFAULT_FLOW_CONTROL_RECEIVER_TIMEOUT_NS,
            transport.flowControlReceiverTimeoutNs());
        assertEquals(AeronTransportContext.DEFAULT_DRIVER_TIMEOUT_MS, transport.driverTimeoutMs());
        assertEquals("127.0.0.1:40101", transport.memberEndpoint(1));
    }

    /** The example of the README's "Running a real cluster", with the key beside it, is a valid configuration. */
    @Test
    void readmeExampleIsValid() throws Exception
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int section = readme.indexOf("## Running a real cluster");
        final int start = readme.indexOf("```properties\n", section) + "```properties\n".length();
        final String example = readme.substring(start, readme.indexOf("```", start));
        final Path file = Files.writeString(dir.resolve("cluster.properties"), example);

        final NodeConfig config = NodeConfig.load(file, Map.of());
        assertEquals(Authentication.ALL, config.authentication());
        assertEquals(key, config.keyFile());
        assertEquals(Durability.BATCH, config.durability());
        assertEquals(new File("/var/lib/sequencer", "member-2"), config.member(2).directory());
        assertEquals("10.0.0.2:40101", config.transportContext(0).memberEndpoint(1));
        assertInstanceOf(BusySpinIdleStrategy.class, config.idleStrategy());
        config.protocolContext(0).conclude();
    }

    @Test
    void everyTransportSettingReachesTheTransport()
    {
        final NodeConfig config = NodeConfig.of(with(minimal(),
            "authentication", "control",
            "unicast", "true",
            "member.0.endpoint", "10.0.0.1:40101",
            "member.1.endpoint", "10.0.0.2:40101",
            "member.2.endpoint", "10.0.0.3:40101",
            "stream.id", "77",
            "catchup.stream.id", "78",
            "max.event.bytes", "300000",
            "term.length", "4194304",
            "catchup.mtu", "8928",
            "driver", "external",
            "aeron.dir", "/dev/shm/the-driver",
            "driver.threading", "invoker",
            "driver.idle.strategy", "yield",
            "timer.slack.ns", "2500",
            "image.liveness.timeout.ms", "750",
            "flow.control.receiver.timeout.ms", "900",
            "driver.timeout.ms", "3000"));
        final AeronTransportContext transport = config.transportContext(2);
        assertEquals(Authentication.CONTROL, transport.authentication());
        assertTrue(transport.unicast());
        assertEquals("10.0.0.1:40101", transport.memberEndpoint(0));
        assertEquals("10.0.0.3:40101", transport.memberEndpoint(2));
        assertEquals(77, transport.streamId());
        assertEquals(78, transport.catchUpStreamId());
        assertEquals(4 * 1024 * 1024, transport.termLength());
        assertEquals(8928, transport.catchUpMtu());
        assertEquals(AeronTransportContext.AUTO_MTU, NodeConfig.of(minimal()).transportContext(0).catchUpMtu(),
            "auto by default, derived from the interface when the transport concludes");
        assertEquals(300_000, transport.maxEventLength());
        assertEquals(300_000, config.protocolContext(2).maxEventLength(), "the same limit on both sides");
        assertTrue(transport.maxFrameLength() >= 300_000 + AeronTransportContext.EVENT_OVERHEAD);
        assertFalse(transport.embeddedDriver());
        assertEquals("/dev/shm/the-driver", transport.aeronDirectoryName());
        assertEquals(ThreadingMode.INVOKER, transport.threadingMode());
        assertInstanceOf(YieldingIdleStrategy.class, transport.driverIdleStrategy().get());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(750), transport.imageLivenessTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(900), transport.flowControlReceiverTimeoutNs());
        assertEquals(3000, transport.driverTimeoutMs());
        assertEquals(2500, transport.timerSlackNs(), "the members' threads' timer slack, carried by the transport's");
        assertEquals(0, NodeConfig.of(minimal()).transportContext(0).timerSlackNs(), "the default: the OS's");

        final NodeConfig external = NodeConfig.of(with(minimal(), "driver", "external"));
        assertEquals(CommonContext.getAeronDirectoryName(), external.transportContext(0).aeronDirectoryName(),
            "an external driver where Aeron puts it by default");
    }

    @Test
    void authenticationNoneNeedsNoKeyAndWarns()
    {
        final Map<String, String> values = minimal();
        values.remove("authentication.key.file");
        values.put("authentication", "none");
        final NodeConfig config = NodeConfig.of(values);
        assertEquals(Authentication.NONE, config.transportContext(0).authentication());
        assertNull(config.keyFile());
        assertEquals(1, config.warnings().size());
        assertTrue(config.warnings().get(0).startsWith("WARNING: authentication = none: frames are not authenticated"),
            config.warnings().get(0));
    }

    @Test
    void keyFileProblemsNameTheSettingAndTellHowToCreateOne() throws Exception
    {
        final Map<String, String> noKey = minimal();
        noKey.remove("authentication.key.file");
        final String missingSetting = errorOf(noKey);
        assertTrue(missingSetting.startsWith("authentication.key.file: missing"), missingSetting);
        assertTrue(missingSetting.contains("sequencer keygen"), missingSetting);

        final Path absent = dir.resolve("absent.key");
        final String missingFile = errorOf(with(minimal(), "authentication.key.file", absent.toString()));
        assertEquals("authentication.key.file: cannot read " + absent + " (no such file); create the cluster's key " +
            "once with 'sequencer keygen --file " + absent + "' and copy it to every member", missingFile);

        final Path tooShort = Files.writeString(dir.resolve("short.key"), "00112233445566778899aabbccddee\n");
        final String shortKey = errorOf(with(minimal(), "authentication.key.file", tooShort.toString()));
        assertTrue(shortKey.startsWith("authentication.key.file: " + tooShort + " holds 15 bytes of key, expected " +
            "at least 16"), shortKey);
        assertTrue(shortKey.contains("sequencer keygen"), shortKey);

        final Path text = Files.writeString(dir.resolve("text.key"), "correct horse battery staple, 32 characters");
        final String notHex = errorOf(with(minimal(), "authentication.key.file", text.toString()));
        assertTrue(notHex.startsWith("authentication.key.file: " + text + " is not a key file"), notHex);

        final String bad = errorOf(with(minimal(), "authentication", "sometimes"));
        assertEquals("authentication: expected one of none, control, all, got 'sometimes'", bad);
    }

    @Test
    void aKeyFileOthersCanReadIsWarnedAbout() throws Exception
    {
        assertEquals(List.of(), NodeConfig.of(minimal()).warnings(), "keygen's file is its owner's only");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--")); // copied without -p
        final List<String> warnings = NodeConfig.of(minimal()).warnings();
        assertEquals(List.of("WARNING: authentication.key.file: " + key + " is readable by other users; whoever " +
            "reads it can speak for any member (chmod 600 it)"), warnings);
    }

    @Test
    void unreadableKeyFileIsNamed() throws Exception
    {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(key), "running as root: every file is readable");
        final String unreadable = errorOf(minimal());
        assertTrue(unreadable.startsWith("authentication.key.file: cannot read " + key + " (permission denied)"),
            unreadable);
    }

    @Test
    void transportErrorsNameTheSetting()
    {
        assertEquals("member.1.endpoint: missing; expected host:port for every member when unicast = true",
            errorOf(with(minimal(), "unicast", "true", "member.0.endpoint", "10.0.0.1:40101")));
        assertEquals("unicast: expected true or false, got 'yes'", errorOf(with(minimal(), "unicast", "yes")));
        assertEquals("driver: expected embedded or external, got 'sideways'",
            errorOf(with(minimal(), "driver", "sideways")));
        assertTrue(
            errorOf(with(minimal(), "driver.threading", "many")).startsWith("driver.threading: expected shared"));
        assertTrue(errorOf(with(minimal(), "driver.idle.strategy", "fast")).startsWith("driver.idle.strategy:"));
        assertTrue(errorOf(with(minimal(), "timer.slack.ns", "-1")).startsWith("timer.slack.ns:"),
            errorOf(with(minimal(), "timer.slack.ns", "-1")));
        assertTrue(errorOf(with(minimal(), "term.length", "1000000")).startsWith("term.length: expected a power of " +
            "two from 1048576"), errorOf(with(minimal(), "term.length", "1000000")));
        // Aeron's largest message is an eighth of the term: the frame, an entry's overhead included, and its tag.
        final int largest = 1024 * 1024 / 8 - FrameAuthenticator.TAG_LENGTH - AeronTransportContext.EVENT_OVERHEAD;
        assertEquals(130_960, largest, "with the 24-byte frame header of wire version 3");
        assertEquals(1024 * 1024, NodeConfig.of(with(minimal(), "max.event.bytes", Integer.toString(largest)))
            .transportContext(0).termLength(), "the largest event the default term length carries");
        assertTrue(errorOf(with(minimal(), "max.event.bytes", Integer.toString(largest + 1))).startsWith(
            "term.length: expected a power of two from 2097152"));
        final String tooSmall = errorOf(with(minimal(), "max.event.bytes", "200000"));
        assertTrue(tooSmall.startsWith("term.length: expected a power of two from 2097152 to 1073741824"), tooSmall);
        assertTrue(tooSmall.contains("max.event.bytes = 200000"), tooSmall);
        for (final String mtu : new String[] { "1000", "1500", "65536", "large" })
        {
            assertEquals("catchup.mtu: expected auto or a multiple of 32 from 1024 to 65504 (Aeron's largest " +
                "datagram, at most an eighth of term.length), got '" + mtu + "'",
                errorOf(with(minimal(), "catchup.mtu", mtu)));
        }
        assertEquals(AeronTransportContext.AUTO_MTU,
            NodeConfig.of(with(minimal(), "catchup.mtu", "auto")).transportContext(0).catchUpMtu());
        assertEquals("catchup.stream.id: expected a stream id other than stream.id 1002, got '1002'",
            errorOf(with(minimal(), "stream.id", "1002")));
        assertTrue(errorOf(with(minimal(), "image.liveness.timeout.ms", "10"))
            .startsWith("image.liveness.timeout.ms: expected a whole number in 250..3600000"));
        assertTrue(errorOf(with(minimal(), "flow.control.receiver.timeout.ms", "0"))
            .startsWith("flow.control.receiver.timeout.ms:"));
        assertTrue(errorOf(with(minimal(), "driver.timeout.ms", "ten")).startsWith("driver.timeout.ms:"));
    }

    @Test
    void errorsOfTheStartingTransportAreNamedInTheFilesTerms()
    {
        assertEquals("member.1.endpoint: cannot listen on 127.0.0.1:40458 (Address already in use)",
            NodeConfig.inConfigTerms("memberEndpoints[1]: cannot listen on 127.0.0.1:40458 (Address already in use)"));
        assertEquals("aeron.dir: another media driver is active in /dev/shm/x",
            NodeConfig.inConfigTerms("aeronDirectoryName: another media driver is active in /dev/shm/x"));
        assertEquals("channel: expected fc=min", NodeConfig.inConfigTerms("channel: expected fc=min"));
        assertEquals("storage: full", NodeConfig.inConfigTerms("storage: full"));
    }

    /** A typo must not run a cluster on a default: an unknown key is refused with the nearest known one. */
    @Test
    void unknownKeysAndEndOfLineCommentsAreRefused() throws Exception
    {
        assertEquals("durabilty: unknown setting (did you mean durability?); the settings are listed in the " +
            "README's configuration reference", errorOf(with(minimal(), "durabilty", "batch")));
        assertTrue(errorOf(with(minimal(), "member.2.endpont", "10.0.0.3:1")).startsWith(
            "member.2.endpont: unknown setting (did you mean member.2.endpoint?)"));
        assertTrue(errorOf(with(minimal(), "replication.factor", "3")).startsWith(
            "replication.factor: unknown setting; the settings"), "nothing near enough to suggest");
        assertEquals("member.5.dir: member 5 is not in cluster.members (0,1,2)",
            errorOf(with(minimal(), "member.5.dir", "/data")));

        // Read from a file, as the README's first example did before it was fixed.
        final Path file = Files.writeString(dir.resolve("commented.properties"), String.join("\n",
            "cluster.id = 7", "cluster.members = 0,1,2", "authentication.key.file = " + key,
            "data.dir = /var/lib/sequencer   # each member in <data.dir>/member-<id>"));
        final String error = assertThrows(IllegalArgumentException.class, () -> NodeConfig.load(file, Map.of()))
            .getMessage();
        assertTrue(error.startsWith("data.dir: '/var/lib/sequencer   # each member in <data.dir>/member-<id>' holds " +
            "a comment"), error);

        // Other sequencer.* system properties belong to the tools and tests: not settings, not refused.
        System.setProperty("sequencer.figures.unrelated", "x");
        try
        {
            final Path plain = Files.writeString(dir.resolve("plain.properties"), String.join("\n",
                "cluster.id = 7", "cluster.members = 0,1,2", "authentication.key.file = " + key));
            assertEquals(7, NodeConfig.load(plain, Map.of()).cluster().clusterId());
        }
        finally
        {
            System.clearProperty("sequencer.figures.unrelated");
        }
    }

    @Test
    void everyErrorNamesTheSettingAndTheExpectedForm()
    {
        final Map<String, String> noId = minimal();
        noId.remove("cluster.id");
        assertEquals("cluster.id: missing; expected a whole number", errorOf(noId));

        final Map<String, String> four = minimal();
        four.put("cluster.members", "0,1,2,3");
        assertTrue(errorOf(four).startsWith("cluster.members: expected 1 to 3 member ids"), errorOf(four));

        final Map<String, String> duplicate = minimal();
        duplicate.put("cluster.members", "1,1");
        assertTrue(errorOf(duplicate).startsWith("cluster.members: duplicate member id 1"), errorOf(duplicate));

        final Map<String, String> policy = minimal();
        policy.put("durability", "sometimes");
        assertEquals("durability: expected none or batch, got 'sometimes'", errorOf(policy));

        final Map<String, String> timeout = minimal();
        timeout.put("failure.timeout.ms", "5");
        assertTrue(errorOf(timeout).startsWith("failure.timeout.ms: expected more than heartbeat.ms"));

        final Map<String, String> maxTimeout = minimal();
        maxTimeout.put("failure.timeout.max.ms", "20");
        assertTrue(errorOf(maxTimeout).startsWith("failure.timeout.max.ms: expected at least failure.timeout.ms"),
            errorOf(maxTimeout));
        maxTimeout.put("failure.timeout.max.ms", "800");
        assertEquals(800_000_000L, NodeConfig.of(maxTimeout).protocolContext(0).maxFailureTimeoutNs());
        assertEquals(500_000_000L, NodeConfig.of(minimal()).protocolContext(0).maxFailureTimeoutNs());

        final Map<String, String> endpoint = minimal();
        endpoint.put("member.0.endpoint", "localhost");
        assertEquals("member.0.endpoint: expected host:port, got 'localhost'", errorOf(endpoint));

        final Map<String, String> idle = minimal();
        idle.put("idle.strategy", "nap");
        assertTrue(errorOf(idle).startsWith("idle.strategy: expected busy-spin, yield, backoff or sleep"));

        final Map<String, String> channel = minimal();
        channel.put("channel", "udp://239.255.0.1");
        assertTrue(errorOf(channel).startsWith("channel: expected an Aeron channel URI"));

        final Map<String, String> failures = minimal();
        failures.put("write.failure.dir", "shm");
        assertTrue(errorOf(failures).startsWith("write.failure.dir: expected an absolute path, on a file system a " +
            "reboot empties"), errorOf(failures));
        failures.put("write.failure.dir", "/run/sequencer");
        assertEquals(java.nio.file.Path.of("/run/sequencer"), NodeConfig.of(failures).writeFailureDirectory());
        assertEquals(io.sequencer.storage.WriteFailureMarker.defaultDirectory(),
            NodeConfig.of(minimal()).writeFailureDirectory(), "/dev/shm where there is one");

        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(minimal()).member(5))
            .getMessage().startsWith("--id: 5 is not one of cluster.members"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> NodeConfig.load(dir.resolve("missing.properties"), Map.of())).getMessage()
            .startsWith("--config: cannot read"));
    }
}
