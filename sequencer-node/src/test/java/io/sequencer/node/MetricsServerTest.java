package io.sequencer.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code metrics.port}: a running member serves every counter of its counters file at {@code /metrics} in
 * Prometheus's text format; a port it cannot bind is one line and exit code 2.
 */
class MetricsServerTest
{
    @TempDir
    Path dir;

    private NodeCluster cluster;

    @AfterEach
    void killAll()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void namesAreTheLabelsInLowerCaseWithOneUnderscoreForEachRunOfOtherCharacters()
    {
        assertEquals("sequencer_frames_in_fetch", MetricsServer.metricName("frames in: Fetch"));
        assertEquals("sequencer_g_durable_watermark", MetricsServer.metricName("g (durable watermark)"));
        assertEquals("sequencer_transport_frames_published", MetricsServer.metricName("transport: frames published"));
    }

    @Test
    void aRunningMemberServesItsCounters() throws Exception
    {
        final int port = freePort();
        cluster = new NodeCluster(dir, 1).writeConfig(Map.of("metrics.port", Integer.toString(port)));
        cluster.start(0, "--bootstrap", "--load", "50");
        cluster.awaitAcknowledging(0, 10, "member 0 acknowledging");

        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        final HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        final String body = metrics.body();
        assertTrue(body.contains("# TYPE sequencer_g_durable_watermark gauge\n"), body);
        assertTrue(body.contains("sequencer_mode_0_init_1_boot_2_running_3_stopped{member=\"0\"} 2\n"), body);
        final long g = Long.parseLong(body.lines().filter(line -> line.startsWith("sequencer_g_durable_watermark{"))
            .findFirst().orElseThrow().split(" ")[1]);
        assertTrue(g >= 10, "g " + g);
        assertTrue(body.contains("sequencer_transport_frames_published{member=\"0\"} "), body);
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/other"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

        // a second member configured on the same port cannot serve: one line, exit 2
        try (ServerSocket taken = new ServerSocket(0))
        {
            final NodeCluster other = new NodeCluster(dir.resolve("other"), 1);
            other.writeConfig(Map.of("metrics.port", Integer.toString(taken.getLocalPort())));
            try
            {
                final NodeCluster.Cli cli = NodeCluster.cli("node", "--config", other.config().toString(), "--id",
                    "0", "--bootstrap");
                assertEquals(2, cli.exit(), cli.out() + cli.err());
                assertTrue(cli.err().trim().startsWith("node: metrics.port: cannot serve the counters on 127.0.0.1:" +
                    taken.getLocalPort()), cli.err());
                assertEquals(1, cli.err().trim().lines().count(), cli.err());
            }
            finally
            {
                other.close();
            }
        }
    }

    private static int freePort() throws java.io.IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
