package io.sequencer.sim;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The simulator over many seeds inside the normal test run: every invariant of docs/protocol.md §7 ("Invariants")
 * holds, with and without faults.
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class SimulationTest
{
    @ParameterizedTest(name = "{1} seeds on {0} nodes, faults {2}")
    @CsvSource({
        "1, 200, NONE",
        "2, 200, NONE",
        "3, 200, NONE",
        "1, 150, ALL",
        "2, 400, ALL",
        "3, 400, ALL",
        "3, 150, CRASH",
    })
    void everySeedKeepsTheInvariants(final int nodes, final int seeds, final Simulation.Faults faults)
    {
        long acknowledged = 0;
        long reorders = 0;
        long crashes = 0;
        long epochChanges = 0;
        // Long histories (one seed in 200) have tests of their own in FaultClassesTest: one of them meets a known
        // protocol bug (a livelock in the catch-up of a wiped member under batch, seed 206 on 3 nodes).
        final java.util.EnumSet<Simulation.Fault> selected = java.util.EnumSet.noneOf(Simulation.Fault.class);
        selected.addAll(Simulation.Fault.parse(faults == Simulation.Faults.ALL ? "all,-long" :
            faults.name().toLowerCase()));
        for (long seed = 1; seed <= seeds; seed++)
        {
            final Simulation.Result result = Simulation.run(
                new Simulation.Options().seed(seed).nodes(nodes).faults(selected));
            if (!result.passed())
            {
                fail(result.report());
            }
            if (faults == Simulation.Faults.NONE)
            {
                assertEquals(result.eventsAccepted(), result.eventsAcknowledged(), "seed " + seed);
            }
            acknowledged += result.eventsAcknowledged();
            reorders += result.crossPublisherReorders();
            crashes += result.crashes();
            epochChanges += result.epochChanges();
        }
        assertTrue(acknowledged > seeds * 100L, "events acknowledged: " + acknowledged);
        assertTrue(reorders > 0, "reorders happened");
        if (faults != Simulation.Faults.NONE)
        {
            assertTrue(crashes > 0, "crashes happened");
            assertTrue(epochChanges > 0, "epoch changes happened");
        }
    }
}
