package io.sequencer.core.sim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SimulationTest
{
    private static final int SEEDS = 200;

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = { 1, 2, 3 })
    void everySeedKeepsTheInvariants(final int nodes)
    {
        long acknowledged = 0;
        long reorders = 0;
        for (long seed = 1; seed <= SEEDS; seed++)
        {
            final Simulation.Result result = Simulation.run(new Simulation.Options().seed(seed).nodes(nodes));
            if (!result.passed())
            {
                fail(result.report());
            }
            acknowledged += result.eventsAcknowledged();
            reorders += result.crossPublisherReorders();
        }
        assertTrue(acknowledged >= SEEDS * 200L, "every accepted event acknowledged: " + acknowledged);
        if (nodes > 1)
        {
            assertTrue(reorders > 0, "the network reordered across publishers");
        }
    }
}
