package io.sequencer.node;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Figures, measured and printed, never asserted: SIGKILL cycles of real {@code node} processes, one member at a time
 * under load. Per cycle:
 * <ul>
 * <li>failover: from the SIGKILL to the first acknowledgement by a survivor in a later epoch than it was in at the
 *     kill (read off the survivors' {@code --ack-log} lines: wall time in ns and epoch);</li>
 * <li>restart: from launching the killed member again to its counters file (JVM and storage up), and to running
 *     (it has aligned to the base and caught up: B5, B6), with the entries it fetched, and to running less its
 *     catch-up (the "within 2 s plus its catch-up": its event lines' spans from a probe to the alignment or to
 *     asking in, summed, taken off);</li>
 * <li>the survivors' pause during the restart: the largest gap between consecutive acknowledgements of the two
 *     survivors together, from the restart until all three acknowledge (a restarted member that the running epoch
 *     admits behind holds their ordering while it catches up);</li>
 * <li>epoch changes: the sum over the members of their {@code epoch changes} counters' rise (the restarted member's
 *     counted from its start).</li>
 * </ul>
 * Not part of the build's tests. Run (about 5 s a cycle on a 2-core machine):
 * <pre>
 * ./mvnw -B -o -q -pl sequencer-node -am verify -Dtest=KillCycleFigures -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsequencer.figures.cycles=50 [-Dsequencer.figures.settings="failure.timeout.ms=1000,boot.timeout.ms=1000"] \
 *     [-Dsequencer.figures.cds=false] [-Dsequencer.figures.jvm="-XX:StartFlightRecording=filename=/tmp/DIR/"]
 * </pre>
 * or {@link #main} with the test classpath. The protocol timeouts are the configuration file's defaults
 * (heartbeat 5 ms, failure 50 ms, boot 60 ms) unless {@code sequencer.figures.settings} overrides them; the node JVMs
 * run with the parent POM's flags and the JVM's own defaults, and with a class-data sharing archive trained as the
 * {@code sequencer} script trains an operator's ({@link NodeCluster#classDataSharing()}), which is what a restart
 * costs an operator; {@code -Dsequencer.figures.cds=false} measures them without; {@code sequencer.figures.jvm} adds
 * flags to every node JVM (as in {@link CatchUpFigures}: a JFR filename that is a directory gets one recording per
 * process).
 */
public final class KillCycleFigures
{
    private static final String LOAD = "200";
    /** A member's event line: its wall time, then what happened ("2026-...Z member 2: running in epoch 9 ..."). */
    private static final java.util.regex.Pattern EVENT_LINE =
        java.util.regex.Pattern.compile("^(\\S+Z) member \\d+: (.*)$");
    /** The counters that say why epochs changed, summed over the members per cycle. */
    private static final String[] TRIGGERS = { "suspicions", "streams lost", "epoch adoptions", "admission requests",
        "boot timeouts", "decisions", "epoch adoptions refused (pre-vote)", "epoch changes deferred (check-quorum)",
        "catch-ups outside the active set", "stale decisions refused", "decisions refused",
        "running epochs taken up at a restart" };

    @Test
    @EnabledIfSystemProperty(named = "sequencer.figures.cycles", matches = "\\d+")
    void run() throws Exception
    {
        main(new String[] { System.getProperty("sequencer.figures.cycles"),
            System.getProperty("sequencer.figures.settings", "") });
    }

    /** Arguments: the number of cycles (default 50), then settings as {@code key=value,key=value} (optional). */
    public static void main(final String[] args) throws Exception
    {
        final int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        final Map<String, String> settings = new LinkedHashMap<>();
        // The protocol's own defaults, not the tests' generous timeouts (sequencer.faults.settings is not read).
        System.clearProperty("sequencer.faults.settings");
        settings.put("heartbeat.ms", null);
        settings.put("failure.timeout.ms", null);
        settings.put("boot.timeout.ms", null);
        settings.put("idle.strategy", null);
        if (args.length > 1)
        {
            NodeCluster.putSettings(settings, args[1]);
        }
        final Path dir = Files.createTempDirectory("kill-cycles");
        try (NodeCluster cluster = new NodeCluster(dir, 3))
        {
            cluster.figuresJvms().writeConfig(settings);
            System.out.println("KillCycleFigures: " + cycles + " cycles, load " + LOAD + "/s per member, in " + dir +
                ", node JVMs " + (cluster.classData() == null ? "without a class-data sharing archive" : String.format(
                "with a class-data sharing archive as the sequencer script's (%.1f MB, trained in %.1f s)",
                Files.size(cluster.classData().archive()) / 1e6, cluster.classData().trainingNs() / 1e9)) +
                ", configuration:\n" + Files.readString(cluster.config()).trim());
            cluster.startAll("--bootstrap", "--load", LOAD);
            cluster.awaitAllAcknowledging(20, "all three acknowledging");
            // A cluster in service is warm: the first kill comes after some seconds of load (compilation, and the
            // failure detector's allowance for members it has just met, docs/protocol.md R10).
            final long warmUntilNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            cluster.await(() -> System.nanoTime() - warmUntilNs >= 0, "five seconds of load before the first kill");
            run(cluster, cycles);
            cluster.quiesceAndStop();
            System.out.println("KillCycleFigures: " + cluster.checkLogs());
        }
        finally
        {
            if (Boolean.getBoolean("sequencer.figures.keep"))
            {
                System.out.println("KillCycleFigures: kept " + dir + " (out-N.txt: each member's event log)");
                return;
            }
            try (java.util.stream.Stream<Path> files = Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void run(final NodeCluster cluster, final int cycles) throws Exception
    {
        final Histogram failover = new Histogram(3);
        final Histogram started = new Histogram(3);
        final Histogram running = new Histogram(3);
        final Histogram runningLessCatchUp = new Histogram(3);
        final Histogram fetched = new Histogram(3);
        final Histogram epochChanges = new Histogram(3);
        final Histogram epochsRisen = new Histogram(3);
        final Histogram epochsEntered = new Histogram(3);
        final Histogram restartAckGap = new Histogram(3);
        final java.util.Set<Long> entered = epochsEntered(cluster);
        final AckTail[] tails = new AckTail[3];
        for (int id = 0; id < 3; id++)
        {
            tails[id] = new AckTail(cluster.ackLog(id));
        }
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            final int victim = cycle % 3;
            final long[] epochAtKill = new long[3];
            final long[] changesBefore = new long[3];
            final long[][] triggersBefore = new long[3][TRIGGERS.length];
            long maxEpochAtKill = 0;
            for (int id = 0; id < 3; id++)
            {
                epochAtKill[id] = cluster.counter(id, "epoch");
                maxEpochAtKill = Math.max(maxEpochAtKill, epochAtKill[id]);
                changesBefore[id] = cluster.counter(id, "epoch changes");
                for (int t = 0; t < TRIGGERS.length; t++)
                {
                    triggersBefore[id][t] = cluster.counter(id, TRIGGERS[t]);
                }
                tails[id].skipToEnd();
            }
            final long killNs = NodeCluster.wallNs();
            cluster.kill(victim);
            final long[] firstAckNs = { 0 };
            final long[] ackEpoch = { 0 };
            cluster.await(() ->
            {
                for (int id = 0; id < 3; id++)
                {
                    if (id != victim)
                    {
                        final long[] ack = tails[id].firstAfter(killNs, epochAtKill[id]);
                        if (ack != null && (firstAckNs[0] == 0 || ack[0] < firstAckNs[0]))
                        {
                            firstAckNs[0] = ack[0];
                            ackEpoch[0] = ack[1];
                        }
                    }
                }
                return firstAckNs[0] != 0;
            }, "a survivor acknowledging in a later epoch");
            failover.recordValue(TimeUnit.NANOSECONDS.toMicros(firstAckNs[0] - killNs));

            final long restartNs = System.nanoTime();
            final long restartWallNs = NodeCluster.wallNs();
            cluster.start(victim, "--load", LOAD);
            final long[] startedNs = { 0 };
            cluster.await(() ->
            {
                if (startedNs[0] == 0 && cluster.counter(victim, NodeCluster.MODE) >= 0)
                {
                    startedNs[0] = System.nanoTime();
                }
                return cluster.running(victim);
            }, "member " + victim + " running again");
            final long runningNs = System.nanoTime();
            started.recordValue(TimeUnit.NANOSECONDS.toMicros(startedNs[0] - restartNs));
            running.recordValue(TimeUnit.NANOSECONDS.toMicros(runningNs - restartNs));
            final Path victimOutput = cluster.dir.resolve("out-" + victim + ".txt");
            final long[] catchUpNs = { -1 };
            cluster.await(() -> (catchUpNs[0] = catchUpNs(victimOutput)) >= 0, "member " + victim + "'s running line");
            runningLessCatchUp.recordValue(TimeUnit.NANOSECONDS.toMicros(Math.max(0, runningNs - restartNs -
                catchUpNs[0])));
            fetched.recordValue(Math.max(0, cluster.counter(victim, "entries fetched")));
            cluster.awaitAllAcknowledging(20, "all three acknowledging after the restart");
            final List<Long> survivorAcks = new ArrayList<>();
            for (int id = 0; id < 3; id++)
            {
                if (id != victim)
                {
                    tails[id].timesBetween(restartWallNs, NodeCluster.wallNs(), survivorAcks);
                }
            }
            survivorAcks.sort(null);
            final long[] restartGap = CatchUpFigures.largestGap(survivorAcks, restartWallNs, Long.MAX_VALUE);
            restartAckGap.recordValue(TimeUnit.NANOSECONDS.toMicros(restartGap[1] - restartGap[0]));
            long changes = 0;
            long maxEpoch = 0;
            final StringBuilder triggers = new StringBuilder();
            for (int id = 0; id < 3; id++)
            {
                changes += cluster.counter(id, "epoch changes") - (id == victim ? 0 : changesBefore[id]);
                maxEpoch = Math.max(maxEpoch, cluster.counter(id, "epoch"));
            }
            for (int t = 0; t < TRIGGERS.length; t++)
            {
                long sum = 0;
                for (int id = 0; id < 3; id++)
                {
                    sum += cluster.counter(id, TRIGGERS[t]) - (id == victim ? 0 : triggersBefore[id][t]);
                }
                if (sum != 0)
                {
                    triggers.append(triggers.length() == 0 ? "" : ", ").append(TRIGGERS[t]).append(' ').append(sum);
                }
            }
            epochChanges.recordValue(changes);
            epochsRisen.recordValue(maxEpoch - maxEpochAtKill);
            final int enteredBefore = entered.size();
            entered.addAll(epochsEntered(cluster));
            final int enteredThisCycle = entered.size() - enteredBefore;
            epochsEntered.recordValue(enteredThisCycle);
            System.out.printf("cycle %d: killed %d, failover %.1f ms (epoch %d), restart: counters %.0f ms, running " +
                "%.0f ms, %d entries fetched, survivors' largest acknowledgement gap %.1f ms; %d epochs entered (the " +
                "highest rose by %d), %d epoch changes (%s)%n", cycle,
                victim, (firstAckNs[0] - killNs) / 1e6, ackEpoch[0], (startedNs[0] - restartNs) / 1e6,
                (runningNs - restartNs) / 1e6, cluster.counter(victim, "entries fetched"),
                (restartGap[1] - restartGap[0]) / 1e6, enteredThisCycle, maxEpoch - maxEpochAtKill, changes, triggers);
        }
        System.out.printf("KillCycleFigures: %d cycles%n" +
            "  kill -> first acknowledgement by a survivor in a later epoch: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n" +
            "  restart -> counters file: p50 %.0f ms; restart -> running (aligned, caught up): p50 %.0f ms, " +
            "p99 %.0f ms; entries fetched p50 %d, max %d%n" +
            "  restart -> running less its catch-up (probing to aligned or asking in, from its event lines): p50 " +
            "%.0f ms, p99 %.0f ms%n" +
            "  restart -> all three acknowledging: the survivors' largest gap between acknowledgements p50 %.1f ms, " +
            "p99 %.1f ms, max %.1f ms (load %s/s per member)%n" +
            "  epochs per cycle (distinct epochs any member entered, from their event lines): p50 %d, mean %.1f, " +
            "max %d%n" +
            "  rise of the highest epoch per cycle (epochs skipped for their coordinator count): p50 %d, mean %.1f, " +
            "max %d%n" +
            "  epoch changes per cycle (entered, summed over the members): p50 %d, mean %.1f, max %d%n",
            cycles, failover.getValueAtPercentile(50) / 1e3, failover.getValueAtPercentile(99) / 1e3,
            failover.getMaxValue() / 1e3, started.getValueAtPercentile(50) / 1e3,
            running.getValueAtPercentile(50) / 1e3, running.getValueAtPercentile(99) / 1e3,
            fetched.getValueAtPercentile(50), fetched.getMaxValue(), runningLessCatchUp.getValueAtPercentile(50) / 1e3,
            runningLessCatchUp.getValueAtPercentile(99) / 1e3, restartAckGap.getValueAtPercentile(50) / 1e3,
            restartAckGap.getValueAtPercentile(99) / 1e3, restartAckGap.getMaxValue() / 1e3, LOAD,
            epochsEntered.getValueAtPercentile(50),
            epochsEntered.getMean(), epochsEntered.getMaxValue(), epochsRisen.getValueAtPercentile(50),
            epochsRisen.getMean(), epochsRisen.getMaxValue(), epochChanges.getValueAtPercentile(50),
            epochChanges.getMean(), epochChanges.getMaxValue());
        printEpochChangeSteps(cluster);
    }

    /**
     * How long the newest process in {@code output} spent catching up before it ran, from its event lines: each span
     * from a probe ("probing ...") to its end ("aligned to epoch ...", or "asking in" after fetching outside the
     * epoch), summed; the waits between (for a decision, for the admitting epoch) are not catching up. -1 while its
     * "running in epoch" line is not written yet.
     */
    private static long catchUpNs(final Path output)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        int start = -1;
        for (int i = lines.size() - 1; i >= 0 && start < 0; i--)
        {
            final java.util.regex.Matcher m = EVENT_LINE.matcher(lines.get(i));
            if (m.matches() && m.group(2).matches("epoch 0 -> \\d+: .*"))
            {
                start = i;
            }
        }
        long sum = 0;
        long spanStartNs = -1;
        for (int i = Math.max(0, start); start >= 0 && i < lines.size(); i++)
        {
            final java.util.regex.Matcher m = EVENT_LINE.matcher(lines.get(i));
            if (!m.matches())
            {
                continue;
            }
            final long ns = NodeCluster.wallNs(java.time.Instant.parse(m.group(1)));
            final String text = m.group(2);
            if (text.startsWith("running in epoch "))
            {
                return sum;
            }
            if (spanStartNs < 0 && text.contains(": probing "))
            {
                spanStartNs = ns;
            }
            else if (spanStartNs >= 0 && (text.startsWith("aligned to epoch ") || text.contains(": asking in")))
            {
                sum += ns - spanStartNs;
                spanStartNs = -1;
            }
        }
        return -1;
    }

    /**
     * Where the epoch changes' time went, from the members' event lines: for each epoch a suspicion started, suspicion
     * (the first member's) → decision (the coordinator's) → a quorum running (the second member to run); and for each
     * process started (restarted, mostly), its first probe → its answer (the first fetch, alignment or follow line
     * after it).
     */
    private static void printEpochChangeSteps(final NodeCluster cluster) throws IOException
    {
        final java.util.regex.Pattern suspicion = java.util.regex.Pattern.compile("^epoch \\d+ -> (\\d+): suspected");
        final java.util.regex.Pattern decided = java.util.regex.Pattern.compile("decided epoch (\\d+)");
        final java.util.regex.Pattern running = java.util.regex.Pattern.compile("^running in epoch (\\d+)");
        final java.util.Map<Long, Long> suspectedNs = new java.util.HashMap<>();
        final java.util.Map<Long, Long> decidedNs = new java.util.HashMap<>();
        final java.util.Map<Long, List<Long>> runningNs = new java.util.HashMap<>();
        final Histogram firstProbe = new Histogram(3);
        for (int id = 0; id < 3; id++)
        {
            final Path output = cluster.dir.resolve("out-" + id + ".txt");
            if (!Files.exists(output))
            {
                continue;
            }
            long probeNs = -1;
            boolean restarted = false;
            for (final String line : Files.readAllLines(output, StandardCharsets.UTF_8))
            {
                final java.util.regex.Matcher m = EVENT_LINE.matcher(line);
                if (!m.matches())
                {
                    continue;
                }
                final long ns = NodeCluster.wallNs(java.time.Instant.parse(m.group(1)));
                final String text = m.group(2);
                final java.util.regex.Matcher s = suspicion.matcher(text);
                final java.util.regex.Matcher d = decided.matcher(text);
                final java.util.regex.Matcher r = running.matcher(text);
                if (s.find())
                {
                    suspectedNs.merge(Long.parseLong(s.group(1)), ns, Math::min);
                }
                else if (d.find())
                {
                    decidedNs.merge(Long.parseLong(d.group(1)), ns, Math::min);
                }
                else if (r.find())
                {
                    runningNs.computeIfAbsent(Long.parseLong(r.group(1)), e -> new ArrayList<>()).add(ns);
                }
                if (text.startsWith("epoch 0 -> "))
                {
                    restarted = true;
                    probeNs = -1;
                }
                else if (restarted && probeNs < 0 && text.contains(": probing "))
                {
                    probeNs = ns;
                }
                else if (restarted && probeNs >= 0 && (text.contains(": fetching ") || text.startsWith("aligned ") ||
                    text.contains(": outside it")))
                {
                    firstProbe.recordValue(TimeUnit.NANOSECONDS.toMicros(ns - probeNs));
                    restarted = false;
                }
            }
        }
        final Histogram toDecision = new Histogram(3);
        final Histogram toRunning = new Histogram(3);
        for (final java.util.Map.Entry<Long, Long> epoch : suspectedNs.entrySet())
        {
            final Long decision = decidedNs.get(epoch.getKey());
            final List<Long> runs = runningNs.get(epoch.getKey());
            if (decision != null && runs != null && runs.size() >= 2 && decision >= epoch.getValue())
            {
                runs.sort(null);
                toDecision.recordValue(TimeUnit.NANOSECONDS.toMicros(decision - epoch.getValue()));
                toRunning.recordValue(TimeUnit.NANOSECONDS.toMicros(Math.max(0, runs.get(1) - decision)));
            }
        }
        System.out.printf("  from the event lines, epochs a suspicion started (%d): suspicion -> decision p50 %.1f " +
            "ms, p90 %.1f, max %.1f; decision -> a quorum running p50 %.1f ms, p90 %.1f, max %.1f%n" +
            "  a started process's first probe -> its answer (%d): p50 %.1f ms, p90 %.1f, max %.1f%n",
            toDecision.getTotalCount(), toDecision.getValueAtPercentile(50) / 1e3,
            toDecision.getValueAtPercentile(90) / 1e3, toDecision.getMaxValue() / 1e3,
            toRunning.getValueAtPercentile(50) / 1e3, toRunning.getValueAtPercentile(90) / 1e3,
            toRunning.getMaxValue() / 1e3, firstProbe.getTotalCount(), firstProbe.getValueAtPercentile(50) / 1e3,
            firstProbe.getValueAtPercentile(90) / 1e3, firstProbe.getMaxValue() / 1e3);
    }

    /** Every epoch a member's event lines say it entered ("epoch X -> Y: ..."), over all members' output so far. */
    private static java.util.Set<Long> epochsEntered(final NodeCluster cluster) throws IOException
    {
        final java.util.Set<Long> epochs = new java.util.HashSet<>();
        final java.util.regex.Pattern line = java.util.regex.Pattern.compile("member \\d+: epoch \\d+ -> (\\d+):");
        for (int id = 0; id < 3; id++)
        {
            final Path output = cluster.dir.resolve("out-" + id + ".txt");
            if (Files.exists(output))
            {
                final java.util.regex.Matcher matcher = line.matcher(Files.readString(output));
                while (matcher.find())
                {
                    epochs.add(Long.parseLong(matcher.group(1)));
                }
            }
        }
        return epochs;
    }

    /** Reads an ack log's lines as they are appended ('eventId position timeNs epoch'). */
    private static final class AckTail
    {
        private final Path file;
        private long offset;
        private final List<long[]> pending = new ArrayList<>();

        AckTail(final Path file)
        {
            this.file = file;
        }

        void skipToEnd() throws IOException
        {
            offset = Files.exists(file) ? Files.size(file) : 0;
            pending.clear();
        }

        /** The first line read so far or now with a time after {@code afterNs} and an epoch above {@code epoch}. */
        long[] firstAfter(final long afterNs, final long epoch)
        {
            if (!readNew())
            {
                return null;
            }
            for (final long[] ack : pending)
            {
                if (ack[0] > afterNs && ack[1] > epoch)
                {
                    return ack;
                }
            }
            return null;
        }

        /** The times of the acknowledgements read so far or now (since {@link #skipToEnd}) within [fromNs, toNs]. */
        void timesBetween(final long fromNs, final long toNs, final List<Long> into)
        {
            readNew();
            for (final long[] ack : pending)
            {
                if (ack[0] >= fromNs && ack[0] <= toNs)
                {
                    into.add(ack[0]);
                }
            }
        }

        /** Read the lines appended since the last read; false if the file cannot be read. */
        private boolean readNew()
        {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r"))
            {
                final long length = in.length();
                if (length > offset)
                {
                    final byte[] bytes = new byte[(int)(length - offset)];
                    in.seek(offset);
                    in.readFully(bytes);
                    final String text = new String(bytes, StandardCharsets.UTF_8);
                    final int end = text.lastIndexOf('\n') + 1;
                    offset += text.substring(0, end).getBytes(StandardCharsets.UTF_8).length;
                    for (final String line : text.substring(0, end).split("\n"))
                    {
                        final String[] parts = line.split(" ");
                        if (parts.length >= 4)
                        {
                            pending.add(new long[] { Long.parseLong(parts[2]), Long.parseLong(parts[3]) });
                        }
                    }
                }
            }
            catch (final IOException ex)
            {
                return false;
            }
            return true;
        }
    }
}
