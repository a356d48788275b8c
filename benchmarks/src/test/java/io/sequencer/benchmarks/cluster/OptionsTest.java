package io.sequencer.benchmarks.cluster;

import io.sequencer.core.Durability;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OptionsTest
{
    @Test
    void defaultsAreTheRampOfTheIssue()
    {
        final Options options = Options.parse(new String[0]);
        assertEquals(Options.SYSTEMS, options.systems);
        assertEquals(3, options.nodes);
        assertArrayEquals(new int[] { 2_000, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000 }, options.rates);
        assertEquals(2_560_000, options.extendTo, "a ramp goes on past the listed rates until the systems stop");
        assertEquals(10, options.stepSeconds);
        assertEquals(16, options.size);
        assertEquals(AeronClusterEcho.Ingress.IPC, options.ingress);
        assertEquals(io.aeron.driver.ThreadingMode.SHARED, options.driver, "drivers on threads of their own");
        assertEquals(Durability.NONE, options.durability);
        assertNull(options.results);
    }

    @Test
    void everyOptionIsRead()
    {
        final Options options = Options.parse(new String[] {
            "--system", "aeron-cluster,project", "--nodes", "1", "--rates", "1000,2_000", "--extend-to", "0",
            "--step-seconds", "2", "--warmup-seconds", "0", "--jit-seconds", "1", "--size", "64", "--ingress", "udp",
            "--driver", "invoker", "--durability", "batch", "--results", "r" });
        assertEquals(List.of("aeron-cluster", "project"), options.systems);
        assertEquals(1, options.nodes);
        assertArrayEquals(new int[] { 1_000, 2_000 }, options.rates);
        assertEquals(0, options.extendTo);
        assertEquals(2, options.stepSeconds);
        assertEquals(0, options.warmupSeconds);
        assertEquals(1, options.jitSeconds);
        assertEquals(64, options.size);
        assertEquals(AeronClusterEcho.Ingress.UDP, options.ingress);
        assertEquals(io.aeron.driver.ThreadingMode.INVOKER, options.driver);
        assertEquals(Durability.BATCH, options.durability);
        assertEquals(Path.of("r"), options.results);
        assertNull(Options.parse(new String[] { "--rates", "5", "--help" }));
    }

    @Test
    void aBadOptionIsNamedWithWhatItTakes()
    {
        assertMessage("--nodes: expected 1 or 3, got 2", "--nodes", "2");
        assertMessage("--rates: expected ascending rates, got 5000,2000", "--rates", "5000,2000");
        assertMessage("--size: expected 8..1024, got 4", "--size", "4");
        assertMessage("--extend-to: expected 0..10000000, got -1", "--extend-to", "-1");
        assertMessage("--step-seconds: expected a whole number in 1..3600, got 'ten'", "--step-seconds", "ten");
        assertMessage("--system: expected project, aeron-cluster, aeron-udp or all, got 'raft'", "--system", "raft");
        assertMessage("--ingress: expected ipc or udp, got 'tcp'", "--ingress", "tcp");
        assertMessage("--driver: expected shared or invoker, got 'dedicated'", "--driver", "dedicated");
        assertMessage("--durability: expected none or batch, got 'strict'", "--durability", "strict");
        assertMessage("--results: a value is missing", "--results");
        assertMessage("unknown option '--rate' (--help lists them)", "--rate", "1");
    }

    @Test
    void theRampDoublesPastTheListedRatesUpToItsLimit()
    {
        final Options options = Options.parse(new String[] { "--rates", "1000,3000", "--extend-to", "24000" });
        assertArrayEquals(new int[] { 1_000, 3_000, 6_000, 12_000, 24_000 }, options.ramp());
        final Options listedOnly = Options.parse(new String[] { "--rates", "1000,3000", "--extend-to", "0" });
        assertArrayEquals(new int[] { 1_000, 3_000 }, listedOnly.ramp(),
            "without --extend-to the listed rates are the ramp");
        final int[] longest = Options.parse(new String[] { "--extend-to", "10000000" }).ramp();
        assertEquals(5_120_000, longest[longest.length - 1], "no doubling past the limit, nor past int");
    }

    private static void assertMessage(final String expected, final String... args)
    {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> Options.parse(args)).getMessage());
    }
}
