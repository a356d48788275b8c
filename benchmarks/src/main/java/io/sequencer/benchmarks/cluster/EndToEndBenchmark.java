package io.sequencer.benchmarks.cluster;

import io.sequencer.core.Durability;
import io.sequencer.node.LatencyReport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 11 item 4, the end-to-end benchmark: a rate ramp over the project's cluster ({@link ProjectCluster}), Aeron
 * Cluster with an echo service ({@link AeronClusterEcho}) and a raw Aeron UDP round trip ({@link UdpPingPong}), the
 * same load generator for all ({@link FixedRateLoad}). Steps are interleaved: at each rate every system in turn is
 * started fresh, warmed up, measured and closed before the next starts, so that no idle system's threads share the
 * two cores with the measured one, and noise on the machine falls on all of them alike. Before its first step a
 * system is run unmeasured for {@code --jit-seconds} so that the JIT has compiled the hot paths.
 * <p>
 * Prints a row per system per step, stops a system's ramp after its first step that clearly is not held, and ends with
 * the comparison: latency ratios project / Aeron Cluster at 2,000, 5,000 and 10,000 events/s, the highest held rates
 * and their ratio, and what each system sent per event at its highest held rate. Writes an HdrHistogram log per system
 * per step, a plot per step and the printed text ({@code summary.txt}) into the results directory.
 */
public final class EndToEndBenchmark
{
    private static final int JIT_RATE = 10_000;
    private static final int[] COMPARED_RATES = { 2_000, 5_000, 10_000 };
    private static final String PROJECT = "project";
    private static final String AERON_CLUSTER = "aeron-cluster";
    private static final String AERON_UDP = "aeron-udp";

    private final Options options;
    private final Path results;
    private final StringBuilder text = new StringBuilder();
    private final FixedRateLoad load = new FixedRateLoad();
    private final SplittableRandom random = new SplittableRandom(System.nanoTime());
    private final Map<String, List<StepResult>> bySystem = new LinkedHashMap<>();
    private final Map<String, String> stopped = new LinkedHashMap<>();

    private EndToEndBenchmark(final Options options, final Path results)
    {
        this.options = options;
        this.results = results;
        options.systems.forEach(system -> bySystem.put(system, new ArrayList<>()));
    }

    public static void main(final String[] args) throws IOException
    {
        io.sequencer.node.SequencerCli.prepareChronicle(); // as a node runs Chronicle
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("bench: " + ex.getMessage());
            System.exit(2);
            return;
        }
        if (options == null)
        {
            System.out.println(Options.USAGE);
            return;
        }
        final Path results = options.results != null ? options.results :
            Files.createTempDirectory("sequencer-bench-results-");
        Files.createDirectories(results);
        final boolean complete = new EndToEndBenchmark(options, results).run();
        System.exit(complete ? 0 : 1);
    }

    private boolean run() throws IOException
    {
        line("end-to-end benchmark: " + options);
        line(String.format(Locale.ROOT, "machine: %d cores, load average %s, java %s; results in %s",
            Runtime.getRuntime().availableProcessors(), loadAverage(), System.getProperty("java.version"), results));
        line("p50..max: latency from each event's intended send time to its acknowledgement, us. bp: measured " +
            "events whose first offer was refused (back-pressure), sent late; refused: events a system refused after " +
            "taking them (an epoch change), offered again; unacked: measured events never acknowledged; epochs: " +
            "epoch changes (Aeron Cluster: elections) in the warm-up, just after the system started / in the " +
            "measured window and drain; per acknowledged event (warm-up included): frames/ev the " +
            "members' protocols sent, msgs/ev their transports published, bytes/ev and ctrl/ev (status messages, " +
            "heartbeats, NAKs) all media drivers sent; retx: retransmissions; gc: collections in the benchmark's " +
            "JVM (every system runs in it) in the measured window and drain / their milliseconds; alloc B: what the " +
            "load thread allocated");
        line(header());
        final int maxRate = options.rates[options.rates.length - 1];
        for (final int rate : options.ramp())
        {
            final List<LatencyReport.Series> series = new ArrayList<>();
            for (final String system : options.systems)
            {
                if (stopped.containsKey(system))
                {
                    continue;
                }
                final List<StepResult> earlier = bySystem.get(system);
                try
                {
                    final StepResult result = step(system, rate, earlier.isEmpty() ? Math.min(JIT_RATE, maxRate) : 0);
                    earlier.add(result);
                    line(row(result, earlier.get(0).us(50)));
                    writeLog(result);
                    series.add(new LatencyReport.Series(system, result.histogram()));
                    if (result.clearlyNotHeld())
                    {
                        stopped.put(system, String.format(Locale.ROOT,
                            "ramp stopped after %,d/s: %,.0f/s acknowledged, %,d measured events unacknowledged",
                            rate, result.run().achievedRate(), result.run().unacknowledged()));
                    }
                }
                catch (final RuntimeException | Error ex)
                {
                    stopped.put(system, "failed at " + rate + "/s: " + ex);
                    line(String.format(Locale.ROOT, "%-13s %,9d  FAILED: %s", system, rate, ex));
                    ex.printStackTrace();
                }
            }
            if (!series.isEmpty())
            {
                Files.writeString(results.resolve(String.format(Locale.ROOT, "latency-%d.svg", rate)),
                    LatencyReport.svg(String.format(Locale.ROOT, "%,d events/s, %d-byte events, %d node%s: " +
                        "intended send to acknowledgement", rate, options.size, options.nodes,
                        options.nodes == 1 ? "" : "s"), series), StandardCharsets.UTF_8);
            }
            writeSummary();
            if (stopped.size() == options.systems.size())
            {
                break;
            }
        }
        summary();
        writeSummary();
        return stopped.values().stream().noneMatch(reason -> reason.startsWith("failed"));
    }

    /** Start {@code system}, run it (unmeasured first when {@code jitRate} > 0), measure one step, close it. */
    private StepResult step(final String system, final int rate, final int jitRate) throws IOException
    {
        try (SystemUnderTest sut = start(system))
        {
            if (jitRate > 0 && options.jitSeconds > 0)
            {
                load.run(sut, jitRate, options.jitSeconds, 0, new Histogram(TimeUnit.SECONDS.toNanos(60), 3));
            }
            // What starting this system (and closing the one before, and the JIT run) left on the heap is collected
            // now, not in the step: every system starts its steps with the same clean heap. Without it a young
            // collection of that garbage (10-20 ms) fell into the first measured window of a run, or into the next
            // system's window, whoever filled the young generation last (the column gc shows what remains).
            System.gc();
            final Traffic before = sut.traffic();
            final long refusedBefore = sut.refused();
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            final long startMs = System.currentTimeMillis();
            final FixedRateLoad.Run run = load.run(sut, rate, options.warmupSeconds, options.stepSeconds, histogram);
            histogram.setStartTimeStamp(startMs + TimeUnit.SECONDS.toMillis(options.warmupSeconds));
            histogram.setEndTimeStamp(System.currentTimeMillis());
            return new StepResult(system, rate, histogram, run, sut.refused() - refusedBefore,
                sut.traffic().since(before), run.atWindowStart() == null ? null : run.atWindowStart().since(before));
        }
    }

    private SystemUnderTest start(final String system) throws IOException
    {
        return switch (system)
        {
            case PROJECT ->
                ProjectCluster.start(options.nodes, options.size, options.driver, options.durability, random);
            case AERON_CLUSTER -> AeronClusterEcho.start(options.nodes, options.size, options.ingress,
                options.durability == Durability.BATCH ? 1 : 0, random);
            case AERON_UDP -> UdpPingPong.start(options.size, random);
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
    }

    private static String header()
    {
        return String.format(Locale.ROOT,
            "%-13s %9s %8s %8s %8s %8s %9s %10s %7s %7s %7s %6s %9s %9s %9s %8s %6s %4s %7s %s",
            "system", "rate/s", "p50", "p90", "p99", "p99.9", "max", "acked/s", "bp", "refused", "unacked", "epochs",
            "frames/ev", "msgs/ev", "bytes/ev", "ctrl/ev", "retx", "held", "gc", "alloc B");
    }

    private static String row(final StepResult r, final double baselineP50Us)
    {
        final Traffic t = r.traffic();
        return String.format(Locale.ROOT,
            "%-13s %,9d %8.1f %8.1f %8.1f %8.1f %9.1f %,10.0f %7d %7d %7d %6s %9s %9s %9.1f %8.2f %6d %4s %7s %,d",
            r.system(), r.rate(), r.us(50), r.us(90), r.us(99), r.us(99.9), r.maxUs(), r.run().achievedRate(),
            r.run().backPressured(), r.refused(), r.run().unacknowledged(),
            t.epochChanges() < 0 ? "-" : r.warmupEpochChanges() + "/" + r.measuredEpochChanges(),
            perEvent(r, t.protocolFrames()),
            perEvent(r, t.published()), r.perEvent(t.driverBytesSent()), r.perEvent(t.controlMessages()),
            t.retransmits(), r.held(baselineP50Us) ? "yes" : "no",
            r.run().gcPauses() < 0 ? "-" : r.run().gcPauses() + "/" + r.run().gcMillis(), r.run().allocatedBytes());
    }

    private static String perEvent(final StepResult r, final long count)
    {
        final double value = r.perEvent(count);
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    private void summary()
    {
        line("");
        line(String.format(Locale.ROOT, "held: >= %.0f%% of the offered rate acknowledged, none left unacknowledged, " +
            "p50 <= %.0fx the system's p50 at its lowest rate, no epoch change (Aeron Cluster: no election) in the " +
            "measured window",
            100 * StepResult.HELD_RATE_SHARE, StepResult.HELD_P50_FACTOR));
        stopped.forEach((system, reason) -> line(system + ": " + reason));
        final List<StepResult> project = bySystem.getOrDefault(PROJECT, List.of());
        final List<StepResult> aeron = bySystem.getOrDefault(AERON_CLUSTER, List.of());
        for (final int rate : COMPARED_RATES)
        {
            final StepResult p = at(project, rate);
            final StepResult a = at(aeron, rate);
            if (p != null && a != null)
            {
                line(String.format(Locale.ROOT, "at %,d/s project / Aeron Cluster: p50 %.1f / %.1f us = %.2f, " +
                    "p99 %.1f / %.1f us = %.2f", rate, p.us(50), a.us(50), p.us(50) / a.us(50), p.us(99), a.us(99),
                    p.us(99) / a.us(99)));
            }
        }
        final Map<String, StepResult> highest = new LinkedHashMap<>();
        bySystem.forEach((system, steps) ->
        {
            StepResult best = null;
            for (final StepResult step : steps)
            {
                if (step.held(steps.get(0).us(50)))
                {
                    best = step;
                }
            }
            line(system + ": highest held rate " + (best == null ? "none" :
                String.format(Locale.ROOT, "%,d/s (p50 %.1f us, p99 %.1f us)", best.rate(), best.us(50), best.us(99))));
            if (best != null)
            {
                highest.put(system, best);
                final Traffic t = best.traffic();
                line(String.format(Locale.ROOT, "  sent per event at %,d/s: %s protocol frames, %s transport " +
                    "messages, %.1f driver bytes, %.2f status/heartbeat/NAK messages, %d retransmits in the step",
                    best.rate(), perEvent(best, t.protocolFrames()), perEvent(best, t.published()),
                    best.perEvent(t.driverBytesSent()), best.perEvent(t.controlMessages()), t.retransmits()));
            }
        });
        if (highest.containsKey(PROJECT) && highest.containsKey(AERON_CLUSTER))
        {
            line(String.format(Locale.ROOT, "highest held rate, project / Aeron Cluster: %,d / %,d = %.2f%s%s",
                highest.get(PROJECT).rate(), highest.get(AERON_CLUSTER).rate(),
                (double)highest.get(PROJECT).rate() / highest.get(AERON_CLUSTER).rate(),
                stopped.containsKey(PROJECT) ? "" : " (the project's ramp never stopped: its limit may be higher)",
                stopped.containsKey(AERON_CLUSTER) ? "" :
                    " (Aeron Cluster's ramp never stopped: its limit may be higher)"));
        }
    }

    private static StepResult at(final List<StepResult> steps, final int rate)
    {
        for (final StepResult step : steps)
        {
            if (step.rate() == rate)
            {
                return step;
            }
        }
        return null;
    }

    private void writeLog(final StepResult result) throws IOException
    {
        final Path file = results.resolve(String.format(Locale.ROOT, "%s-%d.hlog", result.system(), result.rate()));
        try (PrintStream log = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(log);
            final long startMs = result.histogram().getStartTimeStamp();
            writer.outputComment(String.format(Locale.ROOT, "%s, %d node(s), %,d events/s, %d-byte events: latency " +
                "from the intended send time to the acknowledgement, in ns", result.system(), options.nodes,
                result.rate(), options.size));
            writer.outputLogFormatVersion();
            writer.outputStartTime(startMs);
            writer.setBaseTime(startMs);
            writer.outputLegend();
            writer.outputIntervalHistogram(result.histogram());
        }
    }

    private void writeSummary() throws IOException
    {
        Files.writeString(results.resolve("summary.txt"), text, StandardCharsets.UTF_8);
    }

    private void line(final String line)
    {
        System.out.println(line);
        System.out.flush();
        text.append(line).append(System.lineSeparator());
    }

    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }
}
