package io.sequencer.sim;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The fingerprint `simulate --fingerprints` prints per seed, which a restructure of the protocol must keep: a seed
 * replays to the same one, and a change of behaviour (another seed, a protocol that orders differently) shows.
 */
class SimulationFingerprintTest
{
    private static long fingerprint(final long seed, final EnumSet<ProtocolDefect> defects)
    {
        return Simulation.run(new Simulation.Options().seed(seed).nodes(3).faults(Simulation.Faults.ALL)
            .defects(defects)).fingerprint();
    }

    @Test
    void aSeedReplaysToTheSameFingerprint()
    {
        assertEquals(fingerprint(7, EnumSet.noneOf(ProtocolDefect.class)),
            fingerprint(7, EnumSet.noneOf(ProtocolDefect.class)));
    }

    @Test
    void anotherSeedOrAnotherBehaviourChangesIt()
    {
        final long seven = fingerprint(7, EnumSet.noneOf(ProtocolDefect.class));
        assertNotEquals(seven, fingerprint(8, EnumSet.noneOf(ProtocolDefect.class)));
        // ordering ties by arrival instead of by origin: a different log on the same seed
        assertNotEquals(seven, fingerprint(7, EnumSet.of(ProtocolDefect.NO_ORIGIN_TIE_BREAK)));
    }
}
