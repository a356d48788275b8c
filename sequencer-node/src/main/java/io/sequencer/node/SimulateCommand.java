package io.sequencer.node;

import io.sequencer.core.Durability;
import io.sequencer.sim.Simulation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code sequencer simulate}: run the deterministic simulator over a range of seeds.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
        "Run the protocol in the deterministic simulator: nodes on one thread, a network that reorders and delays "
            + "across publishers, random submitters, and the invariants of docs/protocol.md §7 checked after every "
            + "step.",
        "A failing seed prints a trace of its last steps; the same seed replays the same run exactly." },
    footer = {
        "",
        "The last line is: simulate: <S> seeds, <E> events acknowledged, <R> cross-publisher reorders, <C> crashes, "
            + "<P> epoch changes, <V> violations, failover p50 <x> ms p99 <y> ms (simulated)",
        "Exit code 0 only when V is 0." })
final class SimulateCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--seeds", paramLabel = "N",
        description = "How many seeds to run (default: 100, or 1 with --seed).")
    Integer seeds;

    @Option(names = "--seed", paramLabel = "S", description = "The first seed (default: 1).")
    Long seed;

    @Option(names = "--nodes", paramLabel = "1|2|3", defaultValue = "3",
        description = "Cluster size (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--events", paramLabel = "N", defaultValue = "200",
        description = "Events submitted per seed, across all nodes (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--faults", paramLabel = "none|crash|all|LIST", defaultValue = "all",
        description = "Faults to inject: none; crash (process crashes anywhere, torn writes); all (every fault class "
            + "the protocol is expected to survive); or a comma-separated list of fault classes, where all stands for "
            + "that set and -name removes one: crash, power, wipe, checkpoint, partition, pause, duplicate, replay, "
            + "one-way, silent, forged, forged-open, store-crash, store-torn, lost-log, log-damage, log-tail, "
            + "rebootstrap, old-disk, starve, long; all leaves out log-tail and old-disk, losses no member can see "
            + "locally (default: ${DEFAULT-VALUE}).")
    String faults;

    @Option(names = "--durability", paramLabel = "none|batch|mixed", defaultValue = "mixed",
        description = "Durability policy; mixed lets each seed pick one (default: ${DEFAULT-VALUE}).")
    String durability;

    @Option(names = "--long",
        description = "Make every seed a long history (tens of thousands of events, a member down for most of the "
            + "run); needs the fault class long, which all selects.")
    boolean longHistory;

    @Option(names = "--fingerprints", description = "Print each seed's fingerprint: a hash of its steps, simulated "
        + "time, events accepted and acknowledged, epochs and every member's final log. A change that keeps the "
        + "protocol's behaviour keeps every seed's fingerprint.")
    boolean fingerprints;

    @Option(names = "--slowest", paramLabel = "K", defaultValue = "0",
        description = "Also list the K seeds that took longest to run, with their steps and events.")
    int slowest;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (nodes < 1 || nodes > 3)
        {
            throw new ParameterException(spec.commandLine(), "--nodes: expected 1, 2 or 3, got " + nodes);
        }
        if (events < 0)
        {
            throw new ParameterException(spec.commandLine(), "--events: expected >= 0, got " + events);
        }
        final int seedCount = seeds != null ? seeds : seed != null ? 1 : 100;
        if (seedCount < 1)
        {
            throw new ParameterException(spec.commandLine(), "--seeds: expected >= 1, got " + seedCount);
        }
        final Durability policy = parseDurability();
        final java.util.EnumSet<Simulation.Fault> faultSet = parseFaults();
        final long firstSeed = seed != null ? seed : 1;

        long acknowledged = 0;
        long reorders = 0;
        long crashes = 0;
        long epochChanges = 0;
        long violations = 0;
        final List<Long> failovers = new ArrayList<>();
        final Map<String, Long> exercised = new TreeMap<>();
        final long startNs = System.nanoTime();
        final java.util.PriorityQueue<long[]> slow = new java.util.PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        for (long s = firstSeed; s < firstSeed + seedCount; s++)
        {
            final long seedStartNs = System.nanoTime();
            final Simulation.Result result = Simulation.run(
                new Simulation.Options().seed(s).nodes(nodes).events(events).durability(policy).faults(faultSet)
                    .forceLongHistory(longHistory));
            if (slowest > 0)
            {
                slow.add(new long[] { System.nanoTime() - seedStartNs, s, result.steps(), result.eventsAccepted(),
                    result.simulatedNs() });
                if (slow.size() > slowest)
                {
                    slow.poll();
                }
            }
            if (fingerprints)
            {
                out.printf("seed %d: fingerprint %016x (%d steps)%n", s, result.fingerprint(), result.steps());
            }
            acknowledged += result.eventsAcknowledged();
            reorders += result.crossPublisherReorders();
            crashes += result.crashes();
            epochChanges += result.epochChanges();
            failovers.addAll(result.failoversNs());
            result.exercised().forEach((name, count) -> exercised.merge(name, count, Long::sum));
            if (!result.passed())
            {
                violations++;
                out.println(result.report());
                out.println();
            }
        }
        out.printf("ran seeds %d..%d on %d node%s in %.1f s, faults %s%n",
            firstSeed, firstSeed + seedCount - 1, nodes, nodes == 1 ? "" : "s", (System.nanoTime() - startNs) / 1e9,
            Simulation.Fault.describe(faultSet));
        final List<long[]> slowList = new ArrayList<>(slow);
        slowList.sort((a, b) -> Long.compare(b[0], a[0]));
        for (final long[] seedCost : slowList)
        {
            out.printf("slow seed %d: %.2f s, %d steps, %d events accepted, %.1f s simulated%n",
                seedCost[1], seedCost[0] / 1e9, seedCost[2], seedCost[3], seedCost[4] / 1e9);
        }
        if (!faultSet.isEmpty())
        {
            final StringBuilder sb = new StringBuilder("exercised:");
            exercised.forEach((name, count) -> sb.append(' ').append(name).append(' ').append(count).append(','));
            sb.setLength(sb.length() - 1);
            out.println(sb);
        }
        Collections.sort(failovers);
        if (!failovers.isEmpty())
        {
            out.printf("failover (crash to the survivors' first acknowledgement in a later epoch, simulated): "
                + "%d samples, p50 %s ms, p90 %s ms, p99 %s ms, max %s ms%n", failovers.size(),
                percentileMs(failovers, 0.50), percentileMs(failovers, 0.90), percentileMs(failovers, 0.99),
                percentileMs(failovers, 1.0));
        }
        out.printf("simulate: %d seeds, %d events acknowledged, %d cross-publisher reorders, %d crashes, " +
            "%d epoch changes, %d violations, failover p50 %s ms p99 %s ms (simulated)%n",
            seedCount, acknowledged, reorders, crashes, epochChanges, violations,
            percentileMs(failovers, 0.50), percentileMs(failovers, 0.99));
        out.flush();
        return violations == 0 ? 0 : 1;
    }

    private static String percentileMs(final List<Long> sorted, final double quantile)
    {
        if (sorted.isEmpty())
        {
            return "-";
        }
        final int index = (int)Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return String.format("%.1f", sorted.get(Math.max(0, index)) / 1e6);
    }

    private java.util.EnumSet<Simulation.Fault> parseFaults()
    {
        try
        {
            return Simulation.Fault.parse(faults);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), "--faults: " + ex.getMessage());
        }
    }

    private Durability parseDurability()
    {
        switch (durability)
        {
            case "none": return Durability.NONE;
            case "batch": return Durability.BATCH;
            case "mixed": return null;
            default:
                throw new ParameterException(spec.commandLine(),
                    "--durability: expected none, batch or mixed, got " + durability);
        }
    }
}
