package io.sequencer.node;

import io.sequencer.core.ClusterConfig;
import io.sequencer.transport.aeron.AeronTransportContext;
import io.sequencer.transport.aeron.Authentication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job end to end: real Aeron on loopback multicast, Chronicle logs, the ledger under load, identical logs.
 */
class DemoCommandTest
{
    private static final Pattern LAST_LINE =
        Pattern.compile("logs identical on (\\d) nodes: (\\d+) entries, chk [0-9a-f]{16}");

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = { 1, 3 })
    void demoEndsWithIdenticalLogs(final int nodes)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "demo", "--nodes", String.valueOf(nodes), "--events", "2000", "--warmup", "500", "--rate", "2000");
        assertEquals(0, exit, out + "\n" + err);
        final String[] lines = out.toString().trim().split("\\R");
        final Matcher last = LAST_LINE.matcher(lines[lines.length - 1]);
        assertTrue(last.matches(), "last line: " + lines[lines.length - 1]);
        assertEquals(String.valueOf(nodes), last.group(1));
        assertTrue(Long.parseLong(last.group(2)) >= 2500 + nodes, "every event in every log: " + last.group(2));
        assertTrue(out.toString().contains("latency submit -> durable ack (us): p50 "), out.toString());
        assertTrue(out.toString().contains("throughput: "), out.toString());
    }

    @Test
    void demoMembersTagEveryFrameWithTheRunsKey()
    {
        final AeronTransportContext context = DemoCommand.transportContext(ClusterConfig.ofSize(3, 3), 1, 30_000,
            new byte[32]);
        assertEquals(Authentication.ALL, context.authentication(), "the demo runs as a node does by default");
    }
}
