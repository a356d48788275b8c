package io.sequencer.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md §13, "What a member without its checkpoints does": a member asked for entries its retention
 * discarded, with no checkpoint left at or above its log's base to offer (here its checkpoint directory was lost while
 * its snapshot thread ran on, and nothing new was committed since), writes one of its live state on the duty cycle
 * (LiveCheckpoint.offerSnapshot) and offers that. Without it the member that needs a snapshot could never come back.
 */
class LiveCheckpointOfferScenariosTest
{
    private static final long MILLISECOND = 1_000_000L;
    private static final long SECOND = 1_000 * MILLISECOND;

    @Test
    void aServingMemberWithNoCheckpointLeftWritesOneOfItsLiveStateToOfferIt()
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        c.checkpointInterval = 16;
        c.retainedEntries = 8;
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        c.submitMany(20, 0, 1, 2);
        final long epoch = c.nodes[0].currentEpoch();
        c.crash(2);
        c.runUntil(() -> c.nodes[0].currentEpoch() > epoch && c.running(0, 1), SECOND, "an epoch without member 2");
        c.submitMany(300, 0, 1);
        final long end = c.logs[0].have();
        c.runUntil(() -> c.nodes[0].guaranteed() >= end && c.nodes[1].guaranteed() >= end, SECOND, "durable");
        c.runFor(20 * MILLISECOND); // the snapshot threads caught up: nothing more to write
        final long have2 = c.logs[2].have();
        assertTrue(c.logs[0].base() > have2 && c.logs[1].base() > have2, "member 2 needs a snapshot");

        // both serving members lose their checkpoints; their snapshot threads run on, with nothing new to write
        c.checkpoints[0].wipe();
        c.checkpoints[1].wipe();
        c.runFor(20 * MILLISECOND);
        assertEquals(0, c.checkpoints[0].size() + c.checkpoints[1].size(), "no checkpoint left to offer");
        assertEquals(0, c.nodes[0].counters().checkpointsOnDutyCycle() + c.nodes[1].counters().checkpointsOnDutyCycle(),
            "none was needed before member 2 asked");

        c.start(2).runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "member 2 back");

        final int owner = c.nodes[0].counters().checkpointsOnDutyCycle() > 0 ? 0 : 1;
        assertEquals(1, c.nodes[owner].counters().checkpointsOnDutyCycle(),
            "the serving member wrote one on its duty cycle, once");
        assertTrue(c.nodes[owner].counters().snapshotsOffered() >= 1, "and offered it");
        assertTrue(c.recoveredFaults.stream().anyMatch(f -> f.contains("wrote one of its state")),
            c.recoveredFaults.toString());
        assertEquals(1, c.nodes[2].counters().snapshotsInstalled(), "member 2 came back by that snapshot");
        assertEquals(0, c.nodes[2].counters().snapshotsRejected());
        assertTrue(c.checkpoints[owner].size() >= 1, "the live checkpoint is a checkpoint of the serving member");

        c.assertQuiescentAndEqual();
    }
}
