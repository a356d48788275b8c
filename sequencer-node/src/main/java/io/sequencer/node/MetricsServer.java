package io.sequencer.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sequencer.core.runtime.NodeStatFile;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;

/**
 * Serves a member's counters (every counter of its {@code node-stat.dat}: the protocol's and the transport's) in
 * Prometheus's text format at {@code /metrics}, when {@code metrics.port} is set. Each counter is a gauge named after
 * its label ({@code frames in: Fetch} is {@code sequencer_frames_in_fetch}) with the member's id as a label. The
 * server reads the counters file as {@code stat} does, on a thread of its own: the duty cycle never waits for it.
 */
final class MetricsServer implements AutoCloseable
{
    private final HttpServer server;
    private final NodeStatFile stat;
    private final int memberId;

    private MetricsServer(final HttpServer server, final NodeStatFile stat, final int memberId)
    {
        this.server = server;
        this.stat = stat;
        this.memberId = memberId;
    }

    /**
     * Serve member {@code memberId}'s counters, from its directory, on {@code address:port}.
     *
     * @throws IllegalStateException when the port cannot be bound, saying so.
     */
    static MetricsServer start(final File memberDirectory, final int memberId, final String address, final int port)
    {
        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(address, port), 0);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new IllegalStateException("metrics.port: cannot serve the counters on " + address + ":" + port +
                " (" + ex.getMessage() + ")");
        }
        final NodeStatFile stat = NodeStatFile.open(memberDirectory);
        final MetricsServer metrics = new MetricsServer(server, stat, memberId);
        server.createContext("/metrics", metrics::handle);
        server.setExecutor(Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "sequencer-metrics");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return metrics;
    }

    /** The port it serves on (the one asked for, or the one the system chose for 0). */
    int port()
    {
        return server.getAddress().getPort();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            if (!"/metrics".equals(exchange.getRequestURI().getPath()) ||
                !"GET".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            final byte[] body = render().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
    }

    /** Every counter as a gauge, in Prometheus's text exposition format. */
    String render()
    {
        final StringBuilder text = new StringBuilder(16 * 1024);
        final CountersReader counters = new CountersReader(stat.metaDataBuffer(), stat.valuesBuffer());
        final java.util.Set<String> names = new java.util.HashSet<>();
        counters.forEach((counterId, typeId, key, label) ->
        {
            final String base = metricName(label);
            final String name = names.add(base) ? base : base + "_" + counterId; // two labels, one name: kept apart
            text.append("# HELP ").append(name).append(' ').append(label.replace('\n', ' ')).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append("{member=\"").append(memberId).append("\"} ")
                .append(counters.getCounterValue(counterId)).append('\n');
        });
        return text.toString();
    }

    /**
     * {@code frames in: Fetch} → {@code sequencer_frames_in_fetch}: lower case, every run of other characters one '_'.
     */
    static String metricName(final String label)
    {
        final String lower = label.toLowerCase(Locale.ROOT);
        final StringBuilder name = new StringBuilder("sequencer_");
        boolean separator = false;
        for (int i = 0; i < lower.length(); i++)
        {
            final char c = lower.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            {
                if (separator && name.charAt(name.length() - 1) != '_')
                {
                    name.append('_');
                }
                name.append(c);
                separator = false;
            }
            else
            {
                separator = true;
            }
        }
        return name.toString();
    }

    public void close()
    {
        server.stop(0);
        ((java.util.concurrent.ExecutorService)server.getExecutor()).shutdownNow();
        stat.close();
    }
}
