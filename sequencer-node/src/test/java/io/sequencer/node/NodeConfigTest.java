package io.sequencer.node;

import io.sequencer.core.Durability;
import io.sequencer.core.ProtocolContext;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeConfigTest
{
    @TempDir
    Path dir;

    private static Map<String, String> minimal()
    {
        final Map<String, String> values = new HashMap<>();
        values.put("cluster.id", "7");
        values.put("cluster.members", "0,1,2");
        return values;
    }

    private static String errorOf(final Map<String, String> values)
    {
        return assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(values)).getMessage();
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
            "idle.strategy = yield"));
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
        assertEquals(NodeConfig.DEFAULT_CHANNEL, config.channel());
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

        final Map<String, String> endpoint = minimal();
        endpoint.put("member.0.endpoint", "localhost");
        assertEquals("member.0.endpoint: expected host:port, got 'localhost'", errorOf(endpoint));

        final Map<String, String> idle = minimal();
        idle.put("idle.strategy", "nap");
        assertTrue(errorOf(idle).startsWith("idle.strategy: expected busy-spin, yield, backoff or sleep"));

        final Map<String, String> channel = minimal();
        channel.put("channel", "udp://239.255.0.1");
        assertTrue(errorOf(channel).startsWith("channel: expected an Aeron channel URI"));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(minimal()).member(5))
            .getMessage().startsWith("--id: 5 is not one of cluster.members"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> NodeConfig.load(dir.resolve("missing.properties"), Map.of())).getMessage()
            .startsWith("--config: cannot read"));
    }
}
