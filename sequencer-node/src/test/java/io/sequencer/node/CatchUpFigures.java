package io.sequencer.node;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Figures, measured and printed, never asserted: a real {@code node} process catching up a long way behind while the
 * other two run on. Member 2 is killed; member 0 submits at a high rate until the log has grown by
 * {@code sequencer.figures.entries} (default 1,000,000); member 0's load then stops (its own pause file), so that
 * only member 1's steady load (500 events/s) runs; member 2 is restarted and catches up. With
 * {@code -Dsequencer.figures.cold-server=true} member 0 is restarted without load instead (what this figure did
 * before 2026-12-06): the member serving the catch-up then runs code as cold as the one catching up, which no member
 * in service does. With {@code -Dsequencer.figures.paused=true} member 2 is SIGSTOPped instead of killed and SIGCONTed
 * instead of restarted: it falls behind as a member cut off or starved does, and catches up in a JVM whose code is
 * warm (the others have moved to later epochs; it adopts theirs, aligns and follows outside, then asks in). Printed:
 * <ul>
 * <li>catch-up rate: the rise of member 2's {@code entries fetched} counter over the time it rose, sampled every
 *     20 ms;</li>
 * <li>restart to running, and where the entries came from;</li>
 * <li>the pause of the running quorum: the largest gap between consecutive acknowledgements in member 1's
 *     {@code --ack-log} from member 2's restart until it runs (and two seconds after), beside the same figure over
 *     an equal window just before the restart (the baseline: what this machine does without a catch-up).</li>
 * </ul>
 * Not part of the build's tests. Run (about 3 minutes on a 2-core machine):
 * <pre>
 * ./mvnw -B -o -q -pl sequencer-node -am verify -Dtest=CatchUpFigures -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsequencer.figures.entries=1000000 [-Dsequencer.figures.jvm="-XX:StartFlightRecording=filename=/tmp/DIR/"] \
 *     [-Dsequencer.figures.settings=key=value,key=value] [-Dsequencer.figures.cold-server=true] \
 *     [-Dsequencer.figures.paused=true] \
 *     [-Dsequencer.figures.cds=false]
 * </pre>
 * (a JFR filename that is a directory gets one recording per process). The node JVMs run with a class-data sharing
 * archive, as the {@code sequencer} script runs an operator's ({@link NodeCluster#classDataSharing()}), unless
 * {@code -Dsequencer.figures.cds=false}. Also printed: the entries fetched in each quarter second, and the CPU time
 * each thread of the three processes used from the restart until member 2 runs (from /proc, where there is one).
 */
public final class CatchUpFigures
{
    private static final String STEADY_LOAD = "500";
    private static final String FILL_LOAD = "15000";

    @Test
    @EnabledIfSystemProperty(named = "sequencer.figures.entries", matches = "\\d+")
    void run() throws Exception
    {
        main(new String[] { System.getProperty("sequencer.figures.entries"),
            System.getProperty("sequencer.figures.settings", "") });
    }

    /**
     * Arguments: how many entries member 2 falls behind (default 1,000,000), then settings as {@code key=value,...}
     * (optional).
     */
    public static void main(final String[] args) throws Exception
    {
        final long behind = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        final boolean coldServer = Boolean.getBoolean("sequencer.figures.cold-server");
        // SIGSTOP member 2 and SIGCONT it instead of SIGKILL and a restart: it falls behind as a member cut off or
        // starved does, and catches up in a JVM whose code is warm
        final boolean paused = Boolean.getBoolean("sequencer.figures.paused");
        final String back = paused ? "resume" : "restart";
        System.clearProperty("sequencer.faults.settings"); // the protocol's own timeouts
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("heartbeat.ms", null);
        settings.put("failure.timeout.ms", null);
        settings.put("boot.timeout.ms", null);
        settings.put("idle.strategy", null);
        if (args.length > 1)
        {
            NodeCluster.putSettings(settings, args[1]);
        }
        final Path dir = Files.createTempDirectory("catch-up");
        try (NodeCluster cluster = new NodeCluster(dir, 3))
        {
            cluster.figuresJvms().writeConfig(settings);
            final Path fillPause = dir.resolve("pause-fill");
            cluster.pauseFile(0, fillPause).start(0, "--bootstrap", "--load", FILL_LOAD);
            cluster.start(1, "--bootstrap", "--load", STEADY_LOAD);
            cluster.start(2, "--bootstrap", "--load", "50"); // an ack log of its own, for the final check
            // All three running before member 2 goes: a member whose JVM started late finds the cluster bootstrapped
            // without it (refused, not intact: §10.2), and the other two alone could not go on without member 2.
            cluster.await(() -> cluster.running(0) && cluster.running(1) && cluster.running(2), "all three running");
            cluster.awaitAcknowledging(1, 20, "member 1 acknowledging");
            cluster.awaitAcknowledging(2, 5, "member 2 acknowledging"); // its ack log is checked at the end
            final long startHave = Math.max(0, cluster.counter(2, "have"));
            final long epochAtStop = cluster.counter(2, "epoch");
            if (paused)
            {
                cluster.signal(2, "STOP");
            }
            else
            {
                cluster.kill(2);
            }
            final long fillStartNs = System.nanoTime();
            final long target = startHave + behind;
            cluster.await(() -> cluster.counter(1, "have") >= target, "the log to grow by " + behind + " entries",
                TimeUnit.MINUTES.toNanos(20));
            final double fillSeconds = (System.nanoTime() - fillStartNs) / 1e9;
            System.out.printf("CatchUpFigures: member 2 stopped at %d; the others wrote %d entries in %.1f s " +
                "(%.0f/s)%n", startHave, cluster.counter(1, "have") - startHave, fillSeconds,
                (cluster.counter(1, "have") - startHave) / fillSeconds);

            if (coldServer)
            {
                // Only member 1's steady load from here: member 0 comes back without one, as cold as member 2.
                cluster.kill(0);
                cluster.start(0);
                cluster.await(() -> cluster.running(0) && cluster.running(1), "members 0 and 1 running again");
            }
            else
            {
                // Only member 1's steady load from here: member 0's stops, its JVM warm, as a member in service is.
                Files.writeString(fillPause, "");
            }
            final long steadyFromWallNs = NodeCluster.wallNs();
            cluster.awaitAcknowledging(1, 1_000, "member 1 acknowledging steadily (two seconds)");

            final long restartWallNs = NodeCluster.wallNs();
            final long restartNs = System.nanoTime();
            final Map<String, Long> cpuBefore = threadCpu(cluster, paused ? new int[] { 0, 1, 2 } : new int[] { 0, 1 });
            final long fetchedBefore = paused ? cluster.counter(2, "entries fetched") : 0;
            if (paused)
            {
                cluster.signal(2, "CONT");
            }
            else
            {
                cluster.start(2);
            }
            final List<long[]> fetchedSamples = new ArrayList<>(); // { nanoTime, entries fetched since }
            cluster.await(() ->
            {
                fetchedSamples.add(new long[] { System.nanoTime(),
                    Math.max(0, cluster.counter(2, "entries fetched") - fetchedBefore) });
                // a resumed member's counters said running all along: running again means in a later epoch
                return cluster.running(2) && cluster.counter(2, "epoch") > epochAtStop;
            }, "member 2 running again", TimeUnit.MINUTES.toNanos(10));
            final long runningNs = System.nanoTime();
            final long runningWallNs = NodeCluster.wallNs();
            final Map<String, Long> cpuAfter = threadCpu(cluster, 0, 1, 2);
            final long fetched = cluster.counter(2, "entries fetched") - fetchedBefore;
            final long afterWallNs = runningWallNs + TimeUnit.SECONDS.toNanos(2);
            cluster.await(() -> NodeCluster.wallNs() - afterWallNs > 0, "two seconds after member 2 runs");

            long firstRiseNs = -1;
            long firstRiseFetched = 0;
            long lastRiseNs = -1;
            long previous = -1;
            for (final long[] sample : fetchedSamples)
            {
                if (sample[1] > 0 && previous >= 0 && sample[1] > previous)
                {
                    lastRiseNs = sample[0];
                }
                if (sample[1] > 0 && firstRiseNs < 0)
                {
                    firstRiseNs = sample[0];
                    firstRiseFetched = sample[1];
                }
                previous = Math.max(previous, sample[1]);
            }
            final double fetchSeconds = firstRiseNs < 0 ? 0 : (lastRiseNs - firstRiseNs) / 1e9;
            System.out.println("CatchUpFigures: entries fetched a quarter second, from the first rise: " +
                quarterSeconds(fetchedSamples, firstRiseNs));
            System.out.println("CatchUpFigures: CPU ms of each thread from member 2's " + back + " until it runs (" +
                (runningNs - restartNs) / 1_000_000 + " ms): " + cpuUsed(cpuBefore, cpuAfter));
            final List<Long> acks = ackTimes(cluster.ackLog(1));
            final long windowNs = afterWallNs - restartWallNs;
            final Histogram during = gaps(acks, restartWallNs, afterWallNs);
            final Histogram before = gaps(acks, Math.max(steadyFromWallNs, restartWallNs - windowNs), restartWallNs);
            System.out.printf("CatchUpFigures: member 2, %d entries behind:%n" +
                "  %s -> running %.0f ms; %d entries fetched, in %.2f s from the first to the last rise of the " +
                "counter: %.0f entries/s%n" +
                "  member 1's acknowledgements (load %s/s): largest gap from member 2's %s to 2 s after it runs " +
                "%.1f ms (%d acknowledgements, p99 gap %.1f ms); in the steady seconds before the %s " +
                "%.1f ms (p99 %.1f ms)%n",
                behind, back, (runningNs - restartNs) / 1e6, fetched, fetchSeconds,
                fetchSeconds > 0 ? (fetched - firstRiseFetched) / fetchSeconds : 0.0,
                STEADY_LOAD, back, during.getMaxValue() / 1e3, during.getTotalCount(),
                during.getValueAtPercentile(99) / 1e3, back, before.getMaxValue() / 1e3,
                before.getValueAtPercentile(99) / 1e3);
            final long[] largest = largestGap(acks, restartWallNs, afterWallNs);
            System.out.printf("CatchUpFigures: the largest gap ran from %s to %s (member 2's %s at %s, ran " +
                "at %s)%n", Instant.ofEpochSecond(0, largest[0]), Instant.ofEpochSecond(0, largest[1]), back,
                Instant.ofEpochSecond(0, restartWallNs), Instant.ofEpochSecond(0, runningWallNs));
            for (final int id : new int[] { 0, 1, 2 })
            {
                final StringBuilder line = new StringBuilder("CatchUpFigures: member " + id + "'s counters:");
                for (final String label : new String[] { "entries served", "entries fetched", "frames out: Entries",
                    "frames in: Entries", "frames out: Fetch", "publication back-pressure", "fetched entries rejected",
                    "decisions sent again (missed)", "admission requests", "frames in: ClusterNodes",
                    "frames out: ClusterNodes", "frames dropped: unexpected" })
                {
                    line.append(' ').append(label).append(' ').append(cluster.counter(id, label)).append(';');
                }
                System.out.println(line);
            }
            System.out.println("CatchUpFigures: member 0's event lines:\n" + eventLines(dir.resolve("out-0.txt")));
            System.out.println("CatchUpFigures: member 2's event lines:\n" + eventLines(dir.resolve("out-2.txt")));
            System.out.println("CatchUpFigures: member 1's event lines:\n" + eventLines(dir.resolve("out-1.txt")));
            cluster.quiesceAndStop();
            System.out.println("CatchUpFigures: " + cluster.checkLogs());
        }
        finally
        {
            try (java.util.stream.Stream<Path> files = Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** The rise of the counter in each quarter second from {@code fromNs} (samples are { nanoTime, value }). */
    private static String quarterSeconds(final List<long[]> samples, final long fromNs)
    {
        final StringBuilder sb = new StringBuilder();
        long bucketEnd = fromNs + 250_000_000L;
        long bucketStartValue = -1;
        long last = 0;
        for (final long[] sample : samples)
        {
            if (sample[0] < fromNs)
            {
                continue;
            }
            if (bucketStartValue < 0)
            {
                bucketStartValue = sample[1];
            }
            while (sample[0] >= bucketEnd)
            {
                sb.append(last - bucketStartValue).append(' ');
                bucketStartValue = last;
                bucketEnd += 250_000_000L;
            }
            last = sample[1];
        }
        return sb.append(last - Math.max(0, bucketStartValue)).toString();
    }

    /**
     * The CPU time (utime + stime, ms) each thread of the members' processes has used, by "member/thread name", read
     * from /proc (empty where there is none).
     */
    private static Map<String, Long> threadCpu(final NodeCluster cluster, final int... ids) throws IOException
    {
        final Map<String, Long> cpu = new LinkedHashMap<>();
        for (final int id : ids)
        {
            final Path tasks = Path.of("/proc", Long.toString(cluster.process(id).pid()), "task");
            if (!Files.isDirectory(tasks))
            {
                continue;
            }
            try (java.util.stream.Stream<Path> threads = Files.list(tasks))
            {
                for (final Path thread : (Iterable<Path>)threads::iterator)
                {
                    final String stat;
                    try
                    {
                        stat = Files.readString(thread.resolve("stat"));
                    }
                    catch (final IOException ended)
                    {
                        continue;
                    }
                    final String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    final long ms = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10; // 100 ticks/s
                    cpu.merge(id + "/" + name, ms, Long::sum);
                }
            }
        }
        return cpu;
    }

    /** What each thread used between the two readings, largest first, the small ones summed. */
    private static String cpuUsed(final Map<String, Long> before, final Map<String, Long> after)
    {
        final StringBuilder sb = new StringBuilder();
        long rest = 0;
        long total = 0;
        final List<Map.Entry<String, Long>> used = new ArrayList<>();
        for (final Map.Entry<String, Long> thread : after.entrySet())
        {
            used.add(Map.entry(thread.getKey(), thread.getValue() - before.getOrDefault(thread.getKey(), 0L)));
        }
        used.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        for (final Map.Entry<String, Long> thread : used)
        {
            total += thread.getValue();
            if (thread.getValue() >= 50)
            {
                sb.append(thread.getKey()).append(' ').append(thread.getValue()).append("; ");
            }
            else
            {
                rest += thread.getValue();
            }
        }
        return sb.append("others ").append(rest).append("; total ").append(total).toString();
    }

    /** The gaps between consecutive acknowledgement times within [fromNs, toNs), in µs. */
    private static Histogram gaps(final List<Long> acks, final long fromNs, final long toNs)
    {
        final Histogram histogram = new Histogram(3);
        long previous = -1;
        for (final long ack : acks)
        {
            if (ack >= fromNs && ack < toNs)
            {
                if (previous >= 0)
                {
                    histogram.recordValue(TimeUnit.NANOSECONDS.toMicros(ack - previous));
                }
                previous = ack;
            }
        }
        return histogram;
    }

    /**
     * The start and end of the largest gap between consecutive acknowledgement times (ascending) within
     * [fromNs, toNs).
     */
    static long[] largestGap(final List<Long> acks, final long fromNs, final long toNs)
    {
        final long[] largest = { 0, 0 };
        long previous = -1;
        for (final long ack : acks)
        {
            if (ack >= fromNs && ack < toNs)
            {
                if (previous >= 0 && ack - previous > largest[1] - largest[0])
                {
                    largest[0] = previous;
                    largest[1] = ack;
                }
                previous = ack;
            }
        }
        return largest;
    }

    /** The wall times (ns since 1970) of an ack log's lines ('eventId position timeNs epoch'), in order. */
    private static List<Long> ackTimes(final Path ackLog) throws IOException
    {
        final List<Long> times = new ArrayList<>();
        for (final String line : Files.readAllLines(ackLog))
        {
            final String[] parts = line.split(" ");
            if (parts.length >= 4)
            {
                times.add(Long.parseLong(parts[2]));
            }
        }
        times.sort(null);
        return times;
    }

    private static String eventLines(final Path output) throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        final List<String> lines = Files.readAllLines(output);
        for (final String line : lines.subList(Math.max(0, lines.size() - 30), lines.size()))
        {
            sb.append("    ").append(line).append('\n');
        }
        return sb.toString();
    }

}
