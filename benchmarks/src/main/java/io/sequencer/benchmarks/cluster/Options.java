package io.sequencer.benchmarks.cluster;

import io.sequencer.core.Durability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The command line of {@link EndToEndBenchmark}, checked whole before anything starts. */
final class Options
{
    static final String USAGE = String.join(System.lineSeparator(),
        "usage: sequencer bench [options]",
        "  (or: java $(cat benchmarks/target/jvm-flags.txt) -cp benchmarks/target/benchmarks.jar \\",
        "           io.sequencer.benchmarks.cluster.EndToEndBenchmark [options])",
        "",
        "End to end, at fixed rates: the project's cluster against Aeron Cluster 1.51.0 with an echo service and",
        "against a raw Aeron UDP round trip, latency from each event's intended send time to its acknowledgement.",
        "",
        "  --system S           project, aeron-cluster, aeron-udp, or all (default all); several with commas",
        "  --nodes N            members of each cluster: 1 or 3 (default 3)",
        "  --rates R,R,...      events per second, ascending (default 2000,5000,10000,20000,40000,80000,160000)",
        "  --extend-to R        after the last rate, double it while some system's ramp has not stopped, up to R",
        "                       events per second (default 2560000; 0: the listed rates only)",
        "  --step-seconds S     measured seconds per step (default 10)",
        "  --warmup-seconds S   unmeasured seconds at the step's rate before each step (default 3)",
        "  --jit-seconds S      unmeasured seconds at min(10000, highest rate) before a system's first step " +
            "(default 15)",
        "  --size B             event (message) size in bytes, 8..1024 (default 16)",
        "  --ingress ipc|udp    how the Aeron Cluster client reaches the leader (default ipc)",
        "  --driver shared|invoker  the project's media drivers: each on a thread of its own, as Aeron Cluster's run",
        "                       (default shared), or run by the members' duty cycle, as the demo runs them (invoker)",
        "  --durability none|batch  the project's durability (default none); Aeron Cluster's archive forces its",
        "                       recordings to match: fileSyncLevel 0 under none, 1 (each block written) under batch",
        "  --results DIR        where histogram logs, plots and the summary go (default: a new temporary directory)",
        "  --help               this text");

    static final List<String> SYSTEMS = List.of("project", "aeron-cluster", "aeron-udp");

    final List<String> systems;
    final int nodes;
    final int[] rates;
    /** The highest rate the ramp may double to after the listed ones, while a system's ramp goes on (0: none). */
    final int extendTo;
    final int stepSeconds;
    final int warmupSeconds;
    final int jitSeconds;
    final int size;
    final AeronClusterEcho.Ingress ingress;
    final io.aeron.driver.ThreadingMode driver;
    final Durability durability;
    final Path results;

    private Options(final List<String> systems, final int nodes, final int[] rates, final int extendTo,
        final int stepSeconds, final int warmupSeconds, final int jitSeconds, final int size,
        final AeronClusterEcho.Ingress ingress, final io.aeron.driver.ThreadingMode driver,
        final Durability durability, final Path results)
    {
        this.systems = systems;
        this.nodes = nodes;
        this.rates = rates;
        this.extendTo = extendTo;
        this.stepSeconds = stepSeconds;
        this.warmupSeconds = warmupSeconds;
        this.jitSeconds = jitSeconds;
        this.size = size;
        this.ingress = ingress;
        this.driver = driver;
        this.durability = durability;
        this.results = results;
    }

    /**
     * @return null when {@code --help} was asked for.
     * @throws IllegalArgumentException naming the option at fault and what it takes.
     */
    static Options parse(final String[] args)
    {
        List<String> systems = SYSTEMS;
        int nodes = 3;
        int[] rates = { 2_000, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000 };
        int extendTo = 2_560_000;
        int stepSeconds = 10;
        int warmupSeconds = 3;
        int jitSeconds = 15;
        int size = 16;
        AeronClusterEcho.Ingress ingress = AeronClusterEcho.Ingress.IPC;
        io.aeron.driver.ThreadingMode driver = io.aeron.driver.ThreadingMode.SHARED;
        Durability durability = Durability.NONE;
        Path results = null;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            if (option.equals("--help") || option.equals("-h"))
            {
                return null;
            }
            if (i + 1 == args.length)
            {
                throw new IllegalArgumentException(option.startsWith("--") ? option + ": a value is missing" :
                    "unexpected argument '" + option + "'");
            }
            final String value = args[++i];
            switch (option)
            {
                case "--system" -> systems = systems(value);
                case "--nodes" ->
                {
                    nodes = integer(option, value, 1, 3);
                    if (nodes == 2)
                    {
                        throw new IllegalArgumentException("--nodes: expected 1 or 3, got 2");
                    }
                }
                case "--rates" -> rates = rates(value);
                case "--extend-to" -> extendTo = integer(option, value, 0, 10_000_000);
                case "--step-seconds" -> stepSeconds = integer(option, value, 1, 3600);
                case "--warmup-seconds" -> warmupSeconds = integer(option, value, 0, 3600);
                case "--jit-seconds" -> jitSeconds = integer(option, value, 0, 3600);
                case "--size" -> size = integer(option, value, Long.BYTES, 1024);
                case "--ingress" ->
                {
                    try
                    {
                        ingress = AeronClusterEcho.Ingress.valueOf(value.toUpperCase(Locale.ROOT));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new IllegalArgumentException("--ingress: expected ipc or udp, got '" + value + "'");
                    }
                }
                case "--driver" ->
                {
                    if (!value.equals("shared") && !value.equals("invoker"))
                    {
                        throw new IllegalArgumentException("--driver: expected shared or invoker, got '" + value + "'");
                    }
                    driver = io.aeron.driver.ThreadingMode.valueOf(value.toUpperCase(Locale.ROOT));
                }
                case "--durability" ->
                {
                    // strict forces per event, for which Aeron Cluster has no counterpart to compare with
                    if (!value.equals("none") && !value.equals("batch"))
                    {
                        throw new IllegalArgumentException("--durability: expected none or batch, got '" + value + "'");
                    }
                    durability = Durability.valueOf(value.toUpperCase(Locale.ROOT));
                }
                case "--results" -> results = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option '" + option + "' (--help lists them)");
            }
        }
        return new Options(systems, nodes, rates, extendTo, stepSeconds, warmupSeconds, jitSeconds, size, ingress,
            driver, durability, results);
    }

    /**
     * The ramp: the listed rates, then each twice the one before while that stays within {@link #extendTo}, so that a
     * ramp on a fast machine goes on until the systems stop instead of ending at a rate both hold (a held rate is then
     * only a lower bound). The benchmark stops early once every system's ramp has stopped.
     */
    int[] ramp()
    {
        int count = rates.length;
        for (long rate = 2L * rates[rates.length - 1]; rate <= extendTo; rate *= 2)
        {
            count++;
        }
        final int[] ramp = Arrays.copyOf(rates, count);
        for (int i = rates.length; i < count; i++)
        {
            ramp[i] = 2 * ramp[i - 1];
        }
        return ramp;
    }

    private static List<String> systems(final String value)
    {
        if (value.equals("all"))
        {
            return SYSTEMS;
        }
        final List<String> chosen = new ArrayList<>();
        for (final String name : value.split(","))
        {
            if (!SYSTEMS.contains(name))
            {
                throw new IllegalArgumentException(
                    "--system: expected project, aeron-cluster, aeron-udp or all, got '" + name + "'");
            }
            if (!chosen.contains(name))
            {
                chosen.add(name);
            }
        }
        return List.copyOf(chosen);
    }

    private static int[] rates(final String value)
    {
        final String[] parts = value.split(",");
        final int[] rates = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            rates[i] = integer("--rates", parts[i].trim().replace("_", ""), 1, 10_000_000);
            if (i > 0 && rates[i] <= rates[i - 1])
            {
                throw new IllegalArgumentException("--rates: expected ascending rates, got " + value);
            }
        }
        return rates;
    }

    private static int integer(final String option, final String value, final int min, final int max)
    {
        final int parsed;
        try
        {
            parsed = Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + ": expected a whole number in " + min + ".." + max +
                ", got '" + value + "'");
        }
        if (parsed < min || parsed > max)
        {
            throw new IllegalArgumentException(option + ": expected " + min + ".." + max + ", got " + parsed);
        }
        return parsed;
    }

    public String toString()
    {
        return "systems " + String.join(",", systems) + ", " + nodes + " node" + (nodes == 1 ? "" : "s") +
            ", rates " + Arrays.toString(rates) + "/s" +
            (extendTo > 0 ? " then doubling while a ramp goes on, up to " + extendTo + "/s" : "") + ", " +
            stepSeconds + " s measured after " + warmupSeconds +
            " s of warm-up per step, " + size + "-byte events, Aeron Cluster client over " +
            ingress.name().toLowerCase(Locale.ROOT) + ", the project's drivers " +
            (driver == io.aeron.driver.ThreadingMode.SHARED ? "on threads of their own (shared)" :
                "run by its duty cycle (invoker)") + ", durability " + durability.name().toLowerCase(Locale.ROOT) +
            (durability == Durability.BATCH ? " (Aeron Cluster's archive at fileSyncLevel 1)" : "");
    }
}
