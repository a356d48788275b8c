package io.sequencer.sim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fast simulator suite that PIT's mutation run uses as its tests (the {@code pit} profile, README "Tests"): a few
 * dozen fixed seeds on 3, 2 and 1 members, with and without faults, about 5 s in all. A mutant of the protocol is
 * killed when a seed breaks an invariant of docs/protocol.md §7 (the checker's I1–I10, the cluster coming to rest
 * among them), when a seed without faults leaves an accepted event unacknowledged, or when a seed runs past PIT's
 * timeout (a livelock). Each seed is a test of its own, so that PIT runs only the seeds that reach a mutated line and
 * stops at the first that fails.
 *
 * <p>Left out of Surefire's run (sequencer-sim's pom): these seeds are among those {@link SimulationTest} runs. With
 * these seeds the suite catches seven of the eight {@code ProtocolDefect}s on its own (all but
 * {@code BASE_BY_HAVE_ONLY}, which takes thousands of seeds).
 */
class MutationSuiteTest
{
    /** How many seeds of each (members, faults) pair. */
    private static final Object[][] RUNS = {
        { 3, "none", 6 },
        { 3, "all,-long", 10 },
        { 3, "crash", 4 },
        // what takes members' logs and checkpoints away: catch-ups by snapshot transfer, several a seed
        { 3, "crash,wipe,checkpoint", 4 },
        { 2, "none", 6 },
        { 2, "all,-long", 10 },
        { 1, "none", 4 },
        { 1, "all,-long", 8 },
    };

    static Stream<Arguments> seeds()
    {
        final List<Arguments> seeds = new ArrayList<>();
        for (final Object[] run : RUNS)
        {
            for (long seed = 1; seed <= (Integer)run[2]; seed++)
            {
                seeds.add(Arguments.of(run[0], run[1], seed));
            }
        }
        return seeds.stream();
    }

    @ParameterizedTest(name = "{0} members, faults {1}, seed {2}")
    @MethodSource("seeds")
    void seedKeepsTheInvariantsAndAcknowledges(final int nodes, final String faults, final long seed)
    {
        final Simulation.Result result = Simulation.run(
            new Simulation.Options().seed(seed).nodes(nodes).faults(Simulation.Fault.parse(faults)));
        if (!result.passed())
        {
            fail(result.report());
        }
        assertTrue(result.eventsAcknowledged() > 0, "no event acknowledged: " + result.exercised());
        if (faults.equals("none"))
        {
            assertEquals(result.eventsAccepted(), result.eventsAcknowledged(),
                "without faults every accepted event is acknowledged");
        }
    }
}
