package io.sequencer.node;

import io.sequencer.core.ClusterConfig;
import io.sequencer.transport.aeron.AeronTransportContext;
import io.sequencer.transport.aeron.Authentication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static final Pattern PROGRESS = Pattern.compile(
        "progress \\((warm-up|measured)\\): \\d{1,3}(,\\d{3})* of \\d{1,3}(,\\d{3})* acknowledged, " +
            "p50 so far \\d+\\.\\d us");

    @TempDir
    Path results;

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = { 1, 3 })
    void demoEndsWithIdenticalLogs(final int nodes) throws Exception
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "demo", "--nodes", String.valueOf(nodes), "--events", "2000", "--warmup", "500", "--rate", "2000",
            "--results", results.toString());
        assertEquals(0, exit, out + "\n" + err);
        final String[] lines = out.toString().trim().split("\\R");
        final Matcher last = LAST_LINE.matcher(lines[lines.length - 1]);
        assertTrue(last.matches(), "last line: " + lines[lines.length - 1]);
        assertEquals(String.valueOf(nodes), last.group(1));
        assertTrue(Long.parseLong(last.group(2)) >= 2500 + nodes, "every event in every log: " + last.group(2));
        assertTrue(out.toString().contains("latency intended send -> durable ack (us): p50 "), out.toString());
        assertTrue(out.toString().contains("throughput: "), out.toString());
        assertTrue(out.toString().contains("garbage collections while measured: "), out.toString());
        for (final String line : lines)
        {
            assertTrue(!line.startsWith("progress") || PROGRESS.matcher(line).matches(), line);
        }

        // The histogram is kept: its log reads back with every measured event, and the plot draws it.
        assertTrue(out.toString().contains("histogram: " + results.resolve(LatencyReport.LOG_FILE)), out.toString());
        final HistogramLogReader reader = new HistogramLogReader(results.resolve(LatencyReport.LOG_FILE).toFile());
        final EncodableHistogram interval = reader.nextIntervalHistogram();
        assertEquals(2000, ((Histogram)interval).getTotalCount());
        assertTrue(Files.readString(results.resolve(LatencyReport.PERCENTILES_FILE)).contains("#[Mean"));
        final String svg = Files.readString(results.resolve(LatencyReport.PLOT_FILE));
        assertTrue(svg.startsWith("<svg") && svg.contains("<polyline") && svg.contains("99.99%"), svg);
    }

    @Test
    void progressNumbersAreGroupedAsPrintfGroupsThem()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        final StringBuilder line = new StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            final long value = i < 2_000 ? i : random.nextLong(Long.MAX_VALUE) >>> random.nextInt(63);
            line.setLength(0);
            DemoCommand.appendGrouped(line, value);
            assertEquals(String.format(java.util.Locale.ROOT, "%,d", value), line.toString());
        }
    }

    @Test
    void demoMembersTagEveryFrameWithTheRunsKey()
    {
        final AeronTransportContext context = DemoCommand.transportContext(ClusterConfig.ofSize(3, 3), 1, 30_000,
            new byte[32]);
        assertEquals(Authentication.ALL, context.authentication(), "the demo runs as a node does by default");
    }
}
