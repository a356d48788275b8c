package io.sequencer.node;

import io.sequencer.storage.DurableFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Figures, measured and printed, never asserted: disk use of three real {@code node} processes under retention
 * (docs/protocol.md §13) while the log grows by {@code sequencer.figures.entries} (default 3,000,000), with member 2
 * killed and its directory wiped a third of the way in and restarted two thirds of the way in (it comes back by a
 * snapshot). Every 5 s: each member's {@code have}, where its log starts, and the blocks its directory takes
 * ({@code du}); at the end the largest of those beside the bound retention sets, the wiped member's restart to
 * running, and the logs compared ({@link NodeCluster#checkLogs}: same last entry and chk, every acknowledged event at
 * its place). Settings: {@code sequencer.figures.retain} entries kept below the oldest checkpoint (default 262,144),
 * checkpoints every {@code sequencer.figures.interval} positions (default 100,000), three kept.
 * Not part of the build's tests. Run (about 5 minutes on a 2-core machine at the default size):
 * <pre>
 * ./mvnw -B -o -q -pl sequencer-node surefire:test -Dtest=RetentionFigures -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsequencer.figures.entries=3000000
 * </pre>
 */
public final class RetentionFigures
{
    private static final String FILL_LOAD = "15000";
    private static final int KEEP = 3;
    /** Entries per cycle file: the granularity of a discard. */
    private static final long CYCLE = 65_536;

    @Test
    @EnabledIfSystemProperty(named = "sequencer.figures.entries", matches = "\\d+")
    void run() throws Exception
    {
        main(new String[] { System.getProperty("sequencer.figures.entries") });
    }

    public static void main(final String[] args) throws Exception
    {
        final long entries = args.length > 0 ? Long.parseLong(args[0]) : 3_000_000;
        final long retain = Long.getLong("sequencer.figures.retain", 262_144);
        final long interval = Long.getLong("sequencer.figures.interval", 100_000);
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("checkpoint.interval", Long.toString(interval));
        settings.put("checkpoint.keep", Integer.toString(KEEP));
        settings.put("log.retain.entries", Long.toString(retain));
        final Path dir = Files.createTempDirectory("retention");
        try (NodeCluster cluster = new NodeCluster(dir, 3))
        {
            cluster.writeConfig(settings);
            cluster.start(0, "--bootstrap", "--load", FILL_LOAD);
            cluster.start(1, "--bootstrap", "--load", "500");
            cluster.start(2, "--bootstrap", "--load", "50");
            cluster.await(() -> cluster.running(0) && cluster.running(1) && cluster.running(2), "all three running");
            cluster.awaitAllAcknowledging(5, "every member acknowledging");
            final long startNs = System.nanoTime();
            final long[] largestKb = new long[3];
            boolean wiped = false;
            boolean restarted = false;
            long restartNs = 0;
            long backNs = 0;
            long lastPrintNs = 0;
            System.out.printf("RetentionFigures: %d entries, checkpoints every %d, %d kept, %d entries retained " +
                "below the oldest%n  seconds | have | log starts (0, 1, 2) | du MB (0, 1, 2)%n", entries, interval,
                KEEP, retain);
            while (true)
            {
                final long have = cluster.counter(1, "have");
                if (!wiped && have >= entries / 3)
                {
                    cluster.kill(2);
                    DurableFiles.deleteTree(cluster.memberDir(2));
                    wiped = true;
                    System.out.printf("RetentionFigures: member 2 killed and wiped at %d%n", have);
                }
                if (wiped && !restarted && have >= 2 * entries / 3)
                {
                    cluster.start(2, "--load", "50");
                    restarted = true;
                    restartNs = System.nanoTime();
                    System.out.printf("RetentionFigures: member 2 restarted at %d%n", have);
                }
                if (restarted && backNs == 0 && cluster.running(2))
                {
                    backNs = System.nanoTime();
                    System.out.printf("RetentionFigures: member 2 running %.1f s after its restart, %d snapshot(s) " +
                        "installed, %d entries fetched%n", (backNs - restartNs) / 1e9,
                        cluster.counter(2, "snapshots installed"), cluster.counter(2, "entries fetched"));
                }
                final long nowNs = System.nanoTime();
                if (nowNs - lastPrintNs >= TimeUnit.SECONDS.toNanos(5))
                {
                    lastPrintNs = nowNs;
                    final StringBuilder line = new StringBuilder(String.format("  %6.0f | %d |",
                        (nowNs - startNs) / 1e9, have));
                    for (int id = 0; id < 3; id++)
                    {
                        line.append(' ').append(logStart(cluster, id));
                    }
                    line.append(" |");
                    for (int id = 0; id < 3; id++)
                    {
                        final long kb = diskKb(cluster.memberDir(id));
                        largestKb[id] = Math.max(largestKb[id], kb);
                        line.append(' ').append(kb / 1024);
                    }
                    System.out.println(line);
                }
                if (have >= entries && backNs != 0)
                {
                    break;
                }
                if (nowNs - startNs > TimeUnit.HOURS.toNanos(3))
                {
                    throw new IllegalStateException("the log did not reach " + entries + " entries in 3 hours");
                }
                Thread.sleep(200);
            }
            final long boundEntries = retain + KEEP * interval + 2 * CYCLE;
            System.out.printf("RetentionFigures: largest directory: %d, %d, %d MB; retention keeps at most about " +
                "%d entries (retained + %d checkpoint intervals + two cycle files)%n", largestKb[0] / 1024,
                largestKb[1] / 1024, largestKb[2] / 1024, boundEntries, KEEP);
            cluster.quiesceAndStop();
            System.out.println("RetentionFigures: " + cluster.checkLogs());
        }
        finally
        {
            DurableFiles.deleteTree(dir);
        }
    }

    /** Where member {@code id}'s log starts: read from its counters (the first entry it holds), -1 while unknown. */
    private static String logStart(final NodeCluster cluster, final int id)
    {
        final long base = cluster.counter(id, "log base");
        return base < 0 ? "-" : Long.toString(base);
    }

    /** The blocks a directory takes, in KB ({@code du -sk}: cycle files are sparse, their length is not their use). */
    private static long diskKb(final Path directory) throws IOException, InterruptedException
    {
        if (!Files.exists(directory))
        {
            return 0;
        }
        final Process du = new ProcessBuilder("du", "-sk", directory.toString()).redirectErrorStream(true).start();
        final String out = new String(du.getInputStream().readAllBytes()).trim();
        du.waitFor(10, TimeUnit.SECONDS);
        try
        {
            return Long.parseLong(out.split("\\s+")[0]);
        }
        catch (final NumberFormatException ex)
        {
            return -1; // a file deleted while du walked: the next sample counts
        }
    }
}
