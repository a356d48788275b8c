package io.sequencer.core.protocol;

import io.sequencer.core.LogEntry;
import io.sequencer.core.EntryType;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.concurrent.TimeUnit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R4 heartbeats and R10 suspicion.
 */
class LivenessSignalsTest
{
    @Test
    void idleNodeHeartbeatsEveryHeartbeatInterval()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long interval = ProtocolContext.DEFAULT_HEARTBEAT_INTERVAL_NS;
        for (int i = 0; i < 10; i++)
        {
            h.promise(1, 0);
            h.promise(2, 0);
            h.advance(interval / 5);
        }
        assertEquals(2, h.transport.ofType(MessageType.MY_ORDER_COUNTER).size(), "two intervals, two heartbeats");
        assertEquals(NodeMode.RUNNING, h.protocol.mode());
    }

    @Test
    void aCoordinatorFarBehindTheBaseHandsTheDecisionOn()
    {
        // B4: the coordinator is always in the set it decides, and a member of the set that still has to fetch holds
        // everyone's ordering; so a coordinator far behind hands the decision on instead (CatchUpFigures on real
        // processes: a restarted member 300,000 entries behind coordinated its own admission and stalled the others
        // 4 s).
        final ProtocolHarness h = enterEpochCoordinatedBySelf(ProtocolContext.DEFAULT_ADMISSION_LAG + 100);
        final long epoch = h.protocol.currentEpoch();
        h.work();
        assertEquals(1, h.protocol.counters().farBehindHandOvers());
        assertEquals(epoch + 1, h.protocol.currentEpoch(), "handed on to the next epoch's coordinator");
        assertTrue(h.transport.ofType(MessageType.CLUSTER_NODES).isEmpty(), "no decision of its own");
    }

    @Test
    void aCoordinatorCloseToTheBaseDecides()
    {
        final ProtocolHarness h = enterEpochCoordinatedBySelf(ProtocolContext.DEFAULT_ADMISSION_LAG - 100);
        final long epoch = h.protocol.currentEpoch();
        h.work();
        assertEquals(0, h.protocol.counters().farBehindHandOvers());
        assertEquals(epoch, h.protocol.currentEpoch());
        assertEquals(1, h.transport.ofType(MessageType.CLUSTER_NODES).size(), "it decides, with itself in the set");
    }

    @Test
    void aCoordinatorSendsItsDecisionAgainToAMemberThatMissedIt()
    {
        // B6: a member that adopted the running epoch after the decision went out (a restarted process) reports,
        // marked undecided; the coordinator sends the same decision again, at most once a heartbeat per member.
        final ProtocolHarness h = new ProtocolHarness(3, 1); // member 1 coordinates the first epoch
        final long epoch = h.protocol.currentEpoch();
        assertEquals(1, epoch % 3, "the harness's first epoch is coordinated by member 1");
        final MySerializeCounterFrame report = new MySerializeCounterFrame();
        report.encode(h.frame, 0, 2, ProtocolHarness.CLUSTER_ID, epoch, 0, 0, 0, 0, true, 0).hearsMask(0b111);
        h.deliver(h.frame, report.encodedLength());
        assertEquals(0, h.transport.ofType(MessageType.CLUSTER_NODES).size(), "a report of a decided member: nothing");

        report.undecided();
        h.deliver(h.frame, report.encodedLength());
        h.deliver(h.frame, report.encodedLength());
        final List<UnsafeBuffer> decisions = h.transport.ofType(MessageType.CLUSTER_NODES);
        assertEquals(1, decisions.size(), "sent again once, not once per report");
        final ClusterNodesFrame decision = new ClusterNodesFrame();
        decision.wrap(decisions.get(0), 0, decisions.get(0).capacity());
        assertEquals(epoch, decision.newEpoch());
        assertEquals(0b111, decision.activeMask(), "the epoch's one decision, unchanged");
        h.advance(ProtocolContext.DEFAULT_HEARTBEAT_INTERVAL_NS);
        h.deliver(h.frame, report.encodedLength());
        assertEquals(2, h.transport.ofType(MessageType.CLUSTER_NODES).size(), "again a heartbeat later");
        assertEquals(2, h.protocol.counters().decisionsResent());
        assertEquals(epoch, h.protocol.currentEpoch(), "no epoch change");
    }

    @Test
    void aMemberThatMissedTheDecisionAsksForItBeforeAskingIn()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = adoptAnEpochRunningWithoutThisMember(h);
        h.transport.published.clear();
        h.work();
        final List<UnsafeBuffer> reports = h.transport.ofType(MessageType.MY_SERIALIZE_COUNTER);
        assertFalse(reports.isEmpty(), "it reports");
        final MySerializeCounterFrame report = new MySerializeCounterFrame();
        report.wrap(reports.get(reports.size() - 1), 0, MySerializeCounterFrame.LENGTH);
        assertTrue(report.isUndecided(), "marked undecided, so that the coordinator sends the decision again");
        assertEquals(epoch, h.protocol.currentEpoch(), "no asking in while the decision may still come");
        assertTrue(h.transport.ofType(MessageType.NEW_NODE).isEmpty());

        // No decision comes: it asks in, as it did at once before this rule.
        final long beat = ProtocolContext.DEFAULT_HEARTBEAT_INTERVAL_NS;
        for (long t = 0; t < ProtocolContext.DEFAULT_BOOT_TIMEOUT_NS / 2; t += beat)
        {
            beatsOfTheRunningMembers(h, epoch);
            h.advance(beat);
        }
        assertEquals(epoch, h.protocol.currentEpoch(), "still waiting for the decision");
        for (long t = 0; t < ProtocolContext.DEFAULT_BOOT_TIMEOUT_NS && h.protocol.currentEpoch() == epoch; t += beat)
        {
            beatsOfTheRunningMembers(h, epoch);
            h.advance(beat);
        }
        assertTrue(h.protocol.currentEpoch() > epoch, "asked in with a later epoch");
        assertEquals(1, h.transport.ofType(MessageType.NEW_NODE).size());
    }

    /**
     * Member 0 hears member 2's promise in a later epoch that member 2 coordinates, and adopts it without holding its
     * decision (a restarted member joining a running epoch).
     *
     * @return the epoch.
     */
    private static long adoptAnEpochRunningWithoutThisMember(final ProtocolHarness h)
    {
        final long epoch = (h.protocol.currentEpoch() / 3 + 1) * 3 + 2; // coordinated by member 2
        final MyOrderCounterFrame running = new MyOrderCounterFrame();
        running.encode(h.frame, 0, 2, ProtocolHarness.CLUSTER_ID, epoch, 5).hearsMask(0b111);
        h.deliver(h.frame, running.encodedLength());
        assertEquals(epoch, h.protocol.currentEpoch(), "adopted the running epoch");
        return epoch;
    }

    /**
     * Member 0 adopts the running epoch coordinated by member 2, then takes its decision: {@code activeMask}, based
     * on member 2's log at this log's end.
     *
     * @return the epoch.
     */
    private static long takeTheRunningEpochsDecision(final ProtocolHarness h, final int activeMask)
    {
        final long epoch = adoptAnEpochRunningWithoutThisMember(h);
        h.work();
        final long have = h.log.have();
        h.clusterNodes(2, epoch, have, h.log.chkAt(have), activeMask, 2);
        h.work();
        return epoch;
    }

    /** Members 1 and 2 running in {@code epoch}, hearing everyone: this member hears a quorum throughout. */
    private static void beatsOfTheRunningMembers(final ProtocolHarness h, final long epoch)
    {
        final MyOrderCounterFrame frame = new MyOrderCounterFrame();
        for (int member = 1; member <= 2; member++)
        {
            frame.encode(h.frame, 0, member, ProtocolHarness.CLUSTER_ID, epoch, 5).hearsMask(0b111);
            h.deliver(h.frame, frame.encodedLength());
        }
    }

    @Test
    void aMemberThatGetsTheMissedDecisionFollowsIt()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = takeTheRunningEpochsDecision(h, 0b111);
        assertEquals(epoch, h.protocol.currentEpoch(), "it aligns in the running epoch instead of asking in");
        assertTrue(h.transport.ofType(MessageType.NEW_NODE).isEmpty());
        assertNotEquals(BootPhase.COLLECTING, h.protocol.bootPhase(), "the decision was taken");
    }

    @Test
    void aCoordinatorWaitsForAMemberThatIsNotSilentRatherThanDecideWithoutIt()
    {
        // B2: member 2 is not silent but has not reported (a loaded member adopts an epoch late); left out, it would
        // ask in and cost two more epochs, and here {0, 1} would hold member 1, far behind, stalling ordering for its
        // whole catch-up (B4). It is waited for up to half the epoch's timer, then the decision is made without it.
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        for (int i = 0; i < ProtocolContext.DEFAULT_ADMISSION_LAG + 100; i++)
        {
            h.log.append(new LogEntry().header(EntryType.EVENT, h.protocol.currentEpoch(), i + 1, 2, 1, i + 1, 0)
                    .payload(h.event, 0, 8));
        }
        final long lastNormalEpoch = h.protocol.currentEpoch();
        final long epoch = (lastNormalEpoch / 3 + 1) * 3; // coordinator index 0: this member
        final MyOrderCounterFrame beat = new MyOrderCounterFrame();
        beat.encode(h.frame, 0, 2, ProtocolHarness.CLUSTER_ID, lastNormalEpoch, 0).hearsMask(0b111);
        h.deliver(h.frame, beat.encodedLength()); // member 2 heard now: not silent 12 ms on
        for (int ms = 0; ms < 12; ms++)
        {
            h.advance(TimeUnit.MILLISECONDS.toNanos(1));
        }
        final MySerializeCounterFrame farBehind = new MySerializeCounterFrame().encode(
            h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, epoch, 0, 1, h.log.chkAt(1), lastNormalEpoch, true, 0)
            .hearsMask(0b111);
        h.deliver(h.frame, farBehind.encodedLength());
        assertEquals(epoch, h.protocol.currentEpoch());
        h.transport.published.clear();
        for (int ms = 0; ms < TimeUnit.NANOSECONDS.toMillis(ProtocolContext.DEFAULT_DECISION_GRACE_NS) + 2; ms++)
        {
            h.advance(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertTrue(h.transport.ofType(MessageType.CLUSTER_NODES).isEmpty(),
            "the grace is over, but member 2 is not silent");
        for (int ms = 0; ms < TimeUnit.NANOSECONDS.toMillis(ProtocolContext.DEFAULT_BOOT_TIMEOUT_NS / 2); ms++)
        {
            h.advance(TimeUnit.MILLISECONDS.toNanos(1)); // in steps: a long one is a stall, counted as T_hb (§10.6)
        }
        final List<UnsafeBuffer> decisions = h.transport.ofType(MessageType.CLUSTER_NODES);
        assertEquals(1, decisions.size(), "decided once half the epoch's timer is gone");
        final ClusterNodesFrame decision = new ClusterNodesFrame();
        decision.wrap(decisions.get(0), 0, decisions.get(0).capacity());
        assertEquals(0b011, decision.activeMask(), "without member 2, which never reported");
    }

    /** Member 0, running, adopts the next epoch it coordinates from reports of peers {@code ahead} entries ahead. */
    private static ProtocolHarness enterEpochCoordinatedBySelf(final long ahead)
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long lastNormalEpoch = h.protocol.currentEpoch();
        final long epoch = (lastNormalEpoch / 3 + 1) * 3; // coordinator index 0: this member
        final long have = h.log.have() + ahead;
        for (int peer = 1; peer <= 2; peer++)
        {
            final MySerializeCounterFrame report = new MySerializeCounterFrame().encode(
                h.frame, 0, peer, ProtocolHarness.CLUSTER_ID, epoch, 0, have, 42, lastNormalEpoch, true, 0)
                .hearsMask(0b111);
            h.deliver(h.frame, report.encodedLength());
        }
        assertEquals(epoch, h.protocol.currentEpoch(), "adopted the peers' epoch");
        h.transport.published.clear();
        return h;
    }

    @Test
    void silentMemberIsRemovedThroughAnEpochChangeThatSkipsItsCoordinatorTurn()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long timeout = ProtocolContext.DEFAULT_FAILURE_TIMEOUT_NS;
        for (long t = 0; t < timeout; t += timeout / 10)
        {
            h.promise(1, 0);
            h.advance(timeout / 10);
        }
        assertEquals(NodeMode.RUNNING, h.protocol.mode(), "not yet: silence of exactly T_fd");
        h.promise(1, 0);
        h.advance(timeout / 10);

        assertTrue(h.protocol.isSuspected(2), "member 2 never spoke");
        assertFalse(h.protocol.isSuspected(1));
        assertEquals(1, h.protocol.counters().suspicions());
        assertEquals(NodeMode.BOOT, h.protocol.mode());
        final long epoch = h.protocol.currentEpoch();
        assertTrue(epoch > 1);
        assertNotEquals(2, (int)(epoch % 3), "an epoch whose coordinator is the silent member would stall");

        final List<UnsafeBuffer> delNodes = h.transport.ofType(MessageType.DEL_NODE);
        assertEquals(1, delNodes.size());
        final DelNodeFrame delNode = new DelNodeFrame();
        delNode.wrap(delNodes.get(0), 0, delNodes.get(0).capacity());
        assertEquals(2, delNode.identity());
        assertEquals(epoch, delNode.counter());
        assertEquals(epoch, delNode.epoch(), "sent in the new epoch, so receivers adopt it");
    }

    @Test
    void aMemberOutsideTheActiveSetLeavesNoEpochForAnActiveMembersLostOrRenewedStream()
    {
        // member 0 is left out of the running epoch (active 1, 2) and cut off from member 1 alone: the transport
        // reports member 1's stream lost, later back. Member 0 orders nothing in the epoch, so nothing lost with the
        // stream can make it order past a frame: no epoch change, which would have left out member 1 (three processes
        // across a bridge, NetworkNamespaceTest's one pair cut one way)
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = takeTheRunningEpochsDecision(h, 0b110);
        final long changes = h.protocol.counters().epochChanges();

        h.protocol.onMemberUnavailable(1);
        h.work();
        assertEquals(epoch, h.protocol.currentEpoch(), "still in the running epoch");
        assertEquals(changes, h.protocol.counters().epochChanges());
        assertEquals(1, h.protocol.counters().streamsLost(), "counted, and member 1 no longer counts as heard");
        assertTrue(h.transport.ofType(MessageType.NEW_NODE).isEmpty(), "no asking in either: it does not hear "
            + "member 1");

        h.protocol.onMemberAvailable(1);
        h.work();
        assertEquals(epoch, h.protocol.currentEpoch(), "a new stream of member 1: still no epoch change");
        assertEquals(changes, h.protocol.counters().epochChanges());
    }

    @Test
    void aMemberOfTheActiveSetLeavesTheEpochForAnActiveMembersLostStream()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = takeTheRunningEpochsDecision(h, 0b111);

        h.protocol.onMemberUnavailable(1);
        assertTrue(h.protocol.currentEpoch() > epoch, "left the epoch at once: frames of member 1 may be lost");
    }

    @Test
    void transportSignalOfALostStreamStartsAnEpochChangeAtOnce()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.protocol.onMemberUnavailable(1);
        assertEquals(NodeMode.BOOT, h.protocol.mode());
        assertTrue(h.protocol.isSuspected(1));
        assertEquals(1, h.protocol.counters().streamsLost());
    }
}
