package io.sequencer.sim;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The checker has teeth: each deliberately broken protocol is caught within a bounded number of seeds, by an
 * invariant that should catch it (not by the protocol's own assertions, which the boot-mode defects switch off),
 * and the failing seed replays to the same violation.
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class BrokenProtocolTest
{
    @ParameterizedTest(name = "{0} on {1} nodes, faults {2}, is caught by {3}")
    @CsvSource({
        "NO_ORIGIN_TIE_BREAK, 3, NONE, I2, 50",
        "NO_ORIGIN_TIE_BREAK, 2, NONE, I2, 50",
        "STRICT_PROMISE, 3, NONE, I8, 50",
        "STRICT_PROMISE, 2, NONE, I8, 50",
        "ACK_AT_HAVE, 3, NONE, I3, 50",
        "ACK_AT_HAVE, 2, NONE, I3, 50",
        "PROMISE_BEFORE_EVENT, 3, NONE, I7, 50",
        "PROMISE_BEFORE_EVENT, 2, NONE, I7, 50",
        "LITERAL_CUT_RULE, 3, ALL, I1|I3|I6, 100",
        "LITERAL_CUT_RULE, 2, ALL, I1|I3|I6, 100",
        // A member found not intact (a lost log) hands each decision on, and with every node deciding alone that
        // becomes an epoch change per duty cycle: caught as a liveness failure first on two nodes as often as not, and
        // on three in seed 1 since a refused bootstrap leaves its epoch at once (§10.2; seeds 2 to 12 are I2).
        "NO_COORDINATOR, 3, ALL, I1|I2|I8, 100",
        "NO_COORDINATOR, 2, ALL, I1|I2|I8, 100",
        // Members left out of an epoch align to its base at once (§10.5), which leaves fewer stale logs for a wrong
        // base choice to pick: first caught at seed 937 since (at seed 300 or below before). Retention (§13) leaves
        // fewer still (members that were away install the base's snapshot): seed 3900 with it, so this one runs
        // without, first caught at seed 1889; RecoveryScenariosTest.baseByHaveAloneLosesTheNewerEpoch is the directed
        // case.
        "BASE_BY_HAVE_ONLY, 3, ALL, I1|I3|I6, 2500",
        // Resubmission (B6) after an epoch change, with the payload damaged: only the checker's comparison of every
        // logged payload with what its client submitted can see it (the ids, order and acknowledgements are right).
        "CORRUPT_RESUBMITTED_PAYLOAD, 3, ALL, I10, 10",
        "CORRUPT_RESUBMITTED_PAYLOAD, 2, ALL, I10, 10",
        "CORRUPT_RESUBMITTED_PAYLOAD, 3, CRASH, I10, 10",
    })
    void brokenVariantIsCaught(
        final ProtocolDefect defect, final int nodes, final Simulation.Faults faults, final String invariants,
        final int maxSeeds)
    {
        final Pattern expected = Pattern.compile("^(I[0-9]/)?(" + invariants + "):");
        for (long seed = 1; seed <= maxSeeds; seed++)
        {
            final Simulation.Options options = new Simulation.Options()
                .seed(seed).nodes(nodes).events(100).faults(faults).defects(EnumSet.of(defect))
                .retention(defect != ProtocolDefect.BASE_BY_HAVE_ONLY);
            final Simulation.Result result = Simulation.run(options);
            if (!result.passed())
            {
                assertTrue(expected.matcher(result.violation()).find(),
                    defect + " should be caught by " + invariants + ", was:\n" + result.report());
                assertTrue(result.report().contains("seed " + seed), "the report names the seed");
                assertTrue(!result.trace().isEmpty(), "the report shows the last steps");

                final Simulation.Result replay = Simulation.run(options);
                assertNotNull(replay.violation(), "the seed replays");
                assertEquals(result.violation(), replay.violation(), "the seed replays to the same violation");
                assertEquals(result.steps(), replay.steps(), "the seed replays step for step");
                return;
            }
        }
        fail(defect + " on " + nodes + " nodes was not caught in " + maxSeeds + " seeds");
    }

    /**
     * §10.3's boot-report check, on the seed that found it need (10,000 seeds of three members with every fault):
     * authentication is off, a forged report of member 1 (member 2's last normal epoch, another chk at position 5)
     * reaches coordinator 2 in its boot, and counted it decides epoch 11 on a base that leaves out entries acknowledged
     * in epoch 9; member 0, restarted with its node state's {@code g} from before a lost write, takes that epoch up
     * (B1) and cuts one. Pinned to the protocol's course at this seed: if a change moves it, this fails until the seed
     * is found again ({@code ./sequencer simulate --seeds 10000 --faults all} with the defect).
     */
    @Test
    void countingAContradictingBootReportIsCaught()
    {
        final Simulation.Options options = new Simulation.Options().seed(583).nodes(3)
            .faults(Simulation.Fault.parse("all"));
        assertNull(Simulation.run(options).violation(), "the protocol keeps the invariants at this seed");
        final Simulation.Result broken = Simulation.run(
            options.defects(EnumSet.of(ProtocolDefect.COUNT_CONTRADICTING_REPORTS)));
        assertNotNull(broken.violation(), "the defect is caught at this seed");
        assertTrue(broken.violation().startsWith("I3:"), broken.report());
    }
}
