package io.sequencer.core.sim;

import io.sequencer.core.ProtocolDefect;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The checker has teeth: each deliberately broken protocol is caught within a few seeds, by the invariant that
 * should catch it, and the failing seed replays to the same violation.
 */
class BrokenProtocolTest
{
    private static final int MAX_SEEDS = 50;

    @ParameterizedTest(name = "{0} on {1} nodes is caught by {2}")
    @CsvSource({
        "NO_ORIGIN_TIE_BREAK, 3, I2",
        "NO_ORIGIN_TIE_BREAK, 2, I2",
        "STRICT_PROMISE, 3, I8",
        "STRICT_PROMISE, 2, I8",
        "ACK_AT_HAVE, 3, I3",
        "ACK_AT_HAVE, 2, I3",
        "PROMISE_BEFORE_EVENT, 3, I7",
        "PROMISE_BEFORE_EVENT, 2, I7",
    })
    void brokenVariantIsCaught(final ProtocolDefect defect, final int nodes, final String invariant)
    {
        for (long seed = 1; seed <= MAX_SEEDS; seed++)
        {
            final Simulation.Options options = new Simulation.Options()
                .seed(seed).nodes(nodes).events(100).defects(EnumSet.of(defect));
            final Simulation.Result result = Simulation.run(options);
            if (!result.passed())
            {
                assertTrue(result.violation().contains(invariant + ":"),
                    defect + " should be caught by " + invariant + ", was:\n" + result.report());
                assertTrue(result.report().contains("seed " + seed), "the report names the seed");
                assertTrue(!result.trace().isEmpty(), "the report shows the last steps");

                final Simulation.Result replay = Simulation.run(options);
                assertNotNull(replay.violation(), "the seed replays");
                assertEquals(result.violation(), replay.violation(), "the seed replays to the same violation");
                assertEquals(result.steps(), replay.steps(), "the seed replays step for step");
                return;
            }
        }
        fail(defect + " on " + nodes + " nodes was not caught in " + MAX_SEEDS + " seeds");
    }
}
