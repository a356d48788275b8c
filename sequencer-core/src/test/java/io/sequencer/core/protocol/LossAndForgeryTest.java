package io.sequencer.core.protocol;

import io.sequencer.core.Checksum;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.List;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md §10: a member that lost entries knows it, a bootstrap into a cluster that ran is refused, forged
 * or garbled frames change nothing that matters, and a member that does not hear a quorum drags nobody along.
 */
class LossAndForgeryTest
{
    private static final long T_FD = ProtocolContext.DEFAULT_FAILURE_TIMEOUT_NS;

    /** The state machine does not matter here. */
    private static final class NoStateMachine implements StateMachine
    {
        public int apply(final long position, final org.agrona.DirectBuffer event, final int offset, final int length,
            final org.agrona.MutableDirectBuffer result, final int resultOffset)
        {
            return 0;
        }

        public void reset()
        {
        }

        public void snapshot(final SnapshotWriter out)
        {
        }

        public void restore(final SnapshotReader in)
        {
        }
    }

    /** One member's storage outliving the protocol objects that use it, as files outlive a process. */
    private static final class Disk
    {
        final InMemoryEventLog log = new InMemoryEventLog();
        final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        final InMemoryNodeStore store = new InMemoryNodeStore();
        final List<Throwable> errors = new ArrayList<>();

        SequencerProtocol start(final int members, final boolean bootstrap)
        {
            final SequencerProtocol protocol = new SequencerProtocol(
                new ProtocolContext().cluster(ClusterConfig.ofSize(ProtocolHarness.CLUSTER_ID, members)).memberId(0)
                    .bootstrap(bootstrap).acceptDataLoss(true).errorHandler(errors::add),
                log, checkpoints, store, new NoStateMachine(), new RecordingTransport(),
                (correlationId, position, status, result, offset, length) -> {});
            protocol.start(0);
            return protocol;
        }

        String lastError()
        {
            return errors.isEmpty() ? "" : errors.get(errors.size() - 1).getMessage();
        }
    }

    /** A single member that ran: its log holds its first EpochStart and three events. */
    private static Disk diskThatRan()
    {
        final Disk disk = new Disk();
        final SequencerProtocol first = disk.start(1, true);
        first.doWork(1);
        final org.agrona.concurrent.UnsafeBuffer event = new org.agrona.concurrent.UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(SubmitStatus.ACCEPTED, first.submit(i, event, 0, 8));
        }
        first.doWork(2);
        assertEquals(4, disk.log.have());
        return disk;
    }

    @Test
    void aLostLogDirectoryIsNotIntactEvenWithItsNodeStateIntact()
    {
        final Disk disk = diskThatRan();
        disk.start(1, false);
        disk.log.wipe(); // the log directory is gone: an empty log with a new identity; node.state survives
        final SequencerProtocol restarted = disk.start(1, false);
        assertFalse(restarted.isIntact());
        assertTrue(disk.store.amnesia(), "persisted before anything else");
        assertTrue(disk.lastError().contains("not the log its node state belongs to"), disk.lastError());
    }

    @Test
    void anUnrollRecordedForALogThatIsGoneIsNotCarriedOutOnTheLogFoundInItsPlace()
    {
        // The process died inside an unroll to 1; the log directory was then restored from another copy (another
        // identity, four entries): the cut belonged to the old log, so this one is kept as it is, and not intact.
        final Disk disk = diskThatRan();
        final InMemoryEventLog other = new InMemoryEventLog();
        other.wipe(); // another identity than the log the node state recorded
        final LogEntry entry = new LogEntry();
        for (long position = 1; position <= disk.log.have(); position++)
        {
            disk.log.read(position, entry);
            other.append(entry);
        }
        disk.log.restore(other);
        disk.store.unrollIntent(1);
        final SequencerProtocol restarted = disk.start(1, false);
        assertEquals(4, disk.log.have(), "the log found in the old one's place is not cut");
        assertEquals(-1, disk.store.unrollIntent(), "the intent is void");
        assertEquals(1, restarted.counters().unrollsVoided());
        assertEquals(0, restarted.counters().unrollsRedone());
        assertFalse(restarted.isIntact());
        assertTrue(disk.lastError().contains("not the log its node state belongs to"), disk.lastError());
    }

    @Test
    void aSingleMemberWhoseStateCannotBeRebuiltStopsAndSaysWhy()
    {
        // Retention discarded the log's first entries and no checkpoint holds the state below them (lost or damaged):
        // a cluster of one has nobody to take a snapshot from, so it stops instead of changing epochs for ever.
        final Disk disk = diskThatRan();
        disk.log.discardUpTo(2);
        assertTrue(disk.log.base() > 0, "the log starts above position 1");
        final SequencerProtocol restarted = disk.start(1, false);
        for (int i = 0; i < 100 && restarted.mode() != NodeMode.STOPPED; i++)
        {
            restarted.doWork(2 + i * 1_000_000L);
        }
        assertEquals(NodeMode.STOPPED, restarted.mode());
        assertTrue(disk.lastError().contains("restore the member's directory from a backup"), disk.lastError());
        assertEquals(1, restarted.counters().fatalErrors());
    }

    @Test
    void aMemberThatCaughtUpAfterALossIsIntactAtItsNextStartEvenBelowItsOldHighWater()
    {
        // Seed 4133 of the simulator (two members): a member that lost its log caught up to a base shorter than what
        // it had once held (entries never durable, cut since), and at its next start the old high-water mark made it
        // not intact again; with the other member not intact too, the cluster never ran again.
        final Disk disk = diskThatRan();
        disk.store.highWater(9);
        disk.log.wipe();
        assertFalse(disk.start(1, false).isIntact());
        assertTrue(disk.store.amnesia(), "the loss is on record");
        assertEquals(0, disk.store.highWater(), "and the mark describes the log it holds now");
        disk.store.amnesia(false); // what catching up to the base does (a base of 0 entries here)
        assertTrue(disk.start(1, false).isIntact(), disk.lastError());
    }

    @Test
    void aLostLogDirectoryIsNotIntactEvenWhenStartedToBootstrap()
    {
        final Disk disk = diskThatRan();
        disk.log.wipe();
        assertFalse(disk.start(1, true).isIntact(), "an initialized node state is never a new cluster");
    }

    @Test
    void aMemberThatLostItsNodeStateEntersAnEpochAboveThoseItHearsNotAnOldOne()
    {
        // B1: without its node state a process cannot know which epochs its earlier life was in. Entering epoch 1 at
        // once, a replayed decision of epoch 1 had it order there again, differently from what its earlier life and
        // its peers ordered (the simulator: I2). It listens for T_fd and enters an epoch above all it heard.
        final Disk disk = new Disk();
        final SequencerProtocol member = disk.start(3, false);
        assertFalse(member.isIntact());
        final org.agrona.concurrent.UnsafeBuffer frame = new org.agrona.concurrent.UnsafeBuffer(new byte[256]);
        final ClusterConfig cluster = ClusterConfig.ofSize(ProtocolHarness.CLUSTER_ID, 3);
        final io.sequencer.core.codec.ClusterNodesFrame oldDecision = new io.sequencer.core.codec.ClusterNodesFrame()
            .encode(frame, 0, 1, ProtocolHarness.CLUSTER_ID, 1, 1, 0, Checksum.EMPTY, cluster.memberIds(), 3,
                cluster.allMask(), 1);
        member.onFrame(frame, 0, oldDecision.encodedLength()); // replayed from the cluster's first epoch
        assertEquals(NodeMode.INIT, member.mode(), "listening: no epoch entered, no decision taken");
        final MyOrderCounterFrame live = new MyOrderCounterFrame();
        live.encode(frame, 0, 2, ProtocolHarness.CLUSTER_ID, 7, 3).hearsMask(0b110);
        member.onFrame(frame, 0, live.encodedLength()); // a running member's heartbeat
        member.doWork(T_FD / 2); // its first duty cycle, late after the start: T_fd of listening is counted from here
        assertEquals(NodeMode.INIT, member.mode());
        member.doWork(T_FD);
        assertEquals(NodeMode.INIT, member.mode(), "T_fd from the first cycle, not from the start");
        member.doWork(T_FD / 2 + T_FD);
        assertEquals(NodeMode.BOOT, member.mode());
        assertTrue(member.currentEpoch() > 7, "above every epoch heard: " + member.currentEpoch());
        member.onFrame(frame, 0, oldDecision.encode(frame, 0, 1, ProtocolHarness.CLUSTER_ID, 1, 1, 0, Checksum.EMPTY,
            cluster.memberIds(), 3, cluster.allMask(), 1).encodedLength());
        assertEquals(BootPhase.COLLECTING, member.bootPhase(), "the old decision is stale now");
        assertEquals(0, disk.log.have());
    }

    @Test
    void aCutLogIsNotIntact()
    {
        final Disk disk = diskThatRan();
        disk.start(1, false); // a restart records the high-water mark with its epoch change
        assertEquals(4, disk.store.highWater());
        disk.log.unrollTo(2, 0); // two entries cut, with a clean chain: nothing in the log itself shows it
        final SequencerProtocol restarted = disk.start(1, false);
        assertFalse(restarted.isIntact());
        assertTrue(disk.lastError().contains("fewer than the 4"), disk.lastError());
    }

    @Test
    void anUntouchedLogStaysIntactAcrossRestarts()
    {
        final Disk disk = diskThatRan();
        assertTrue(disk.start(1, false).isIntact());
        assertTrue(disk.start(1, false).isIntact());
        assertTrue(disk.errors.isEmpty(), disk.errors.toString());
    }

    @Test
    void bootstrapIsRefusedOnceAPeerShowsTheClusterRan()
    {
        final Disk disk = new Disk();
        final SequencerProtocol fresh = disk.start(3, true);
        assertTrue(fresh.isIntact());
        assertFalse(disk.store.initialized(), "a fresh member records nothing before it knows the cluster is new");

        final org.agrona.concurrent.UnsafeBuffer frame = new org.agrona.concurrent.UnsafeBuffer(new byte[128]);
        final MySerializeCounterFrame report = new MySerializeCounterFrame().encode(
            frame, 0, 1, ProtocolHarness.CLUSTER_ID, fresh.currentEpoch(), 0, 7, 1234, 1, true, 7).holdsEvents();
        fresh.onFrame(frame, 0, report.encodedLength());

        assertFalse(fresh.isIntact(), "a wiped member started with --bootstrap is a lost disk");
        assertEquals(1, fresh.counters().bootstrapRefusals());
        assertTrue(disk.store.amnesia() && disk.store.initialized(), "a restart without bootstrap stays not intact");
        assertTrue(disk.lastError().contains("bootstrap refused"), disk.lastError());
    }

    @Test
    void aRefusedBootstrapLeavesTheEpochItsEarlierLifeMayHaveOrderedIn()
    {
        // Seed 6013 of the simulator (two members): a wiped member restarted with --bootstrap entered epoch 1, refused
        // the bootstrap on a replayed report, stayed in epoch 1, and a replayed decision of epoch 1 had it align and
        // order there, differently from what its earlier life and its peer had ordered (I2).
        final Disk disk = new Disk();
        final SequencerProtocol fresh = disk.start(3, true);
        final long firstEpoch = fresh.currentEpoch();
        final org.agrona.concurrent.UnsafeBuffer frame = new org.agrona.concurrent.UnsafeBuffer(new byte[128]);
        final MySerializeCounterFrame report = new MySerializeCounterFrame().encode(
            frame, 0, 1, ProtocolHarness.CLUSTER_ID, firstEpoch, 0, 7, 1234, firstEpoch, true, 7).holdsEvents();
        fresh.onFrame(frame, 0, report.encodedLength());
        assertTrue(fresh.currentEpoch() > firstEpoch, "left epoch " + firstEpoch + ": " + fresh.currentEpoch());

        final ClusterConfig cluster = ClusterConfig.ofSize(ProtocolHarness.CLUSTER_ID, 3);
        final io.sequencer.core.codec.ClusterNodesFrame replayed = new io.sequencer.core.codec.ClusterNodesFrame()
            .encode(frame, 0, 1, ProtocolHarness.CLUSTER_ID, firstEpoch, firstEpoch, 0, Checksum.EMPTY,
                cluster.memberIds(), 3, cluster.allMask(), 1);
        fresh.onFrame(frame, 0, replayed.encodedLength());
        assertEquals(BootPhase.COLLECTING, fresh.bootPhase(), "the old epoch's decision is stale");
        assertEquals(0, fresh.log().have(), "nothing aligned to it");
    }

    @Test
    void bootstrapIsNotRefusedByPeersThatOnlyAlignedToAnEmptyFirstEpoch()
    {
        final Disk disk = new Disk();
        final SequencerProtocol fresh = disk.start(3, true);
        final org.agrona.concurrent.UnsafeBuffer frame = new org.agrona.concurrent.UnsafeBuffer(new byte[128]);
        final MySerializeCounterFrame report = new MySerializeCounterFrame().encode(
            frame, 0, 1, ProtocolHarness.CLUSTER_ID, fresh.currentEpoch(), 0, 1, 99, 1, true, 1);
        fresh.onFrame(frame, 0, report.encodedLength());
        assertTrue(fresh.isIntact(), "an EpochStart alone holds nothing anyone acknowledged");
    }

    @Test
    void aReportAboveThisLogIsNotCountedAndItsWatermarkNotAdopted()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long have = h.log.have();
        h.report(1, 1_000, 1_000, 0xBADL, h.protocol.currentEpoch()); // forged: a large have skips no check
        h.work();
        assertTrue(h.protocol.guaranteed() <= have, "g " + h.protocol.guaranteed() + " above this log " + have);
        assertTrue(h.protocol.ser(1) <= have);
    }

    @Test
    void aReportAboveThisLogCountsOnceThisLogReachesIt()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long before = h.log.have();
        h.newEvent(1, 1, 1);
        h.promise(2, 1);
        // Member 1 serialized its event before this node did and reports it: honest, but not yet checkable here.
        final InMemoryEventLog copy = new InMemoryEventLog();
        final LogEntry entry = new LogEntry();
        for (long p = 1; p <= before; p++)
        {
            h.log.read(p, entry);
            copy.append(entry);
        }
        h.work();
        assertEquals(before + 1, h.log.have());
        h.report(1, 0, before + 1);
        h.work();
        assertEquals(before + 1, h.protocol.ser(1), "checked against this log and counted");
        assertEquals(before + 1, h.protocol.guaranteed());
    }

    @Test
    void aReportWithAWatermarkAboveItsLogIsMalformed()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long dropped = h.protocol.counters().dropped(DropReason.BAD_FIELD);
        final MySerializeCounterFrame f = new MySerializeCounterFrame().encode(
            h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, h.protocol.currentEpoch(), 1L << 40, 1, 0, 1, true, 1);
        h.deliver(h.frame, f.encodedLength());
        assertEquals(dropped + 1, h.protocol.counters().dropped(DropReason.BAD_FIELD));
    }

    @Test
    void anEpochFarAheadIsDroppedNotAdopted()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = h.protocol.currentEpoch();
        final MyOrderCounterFrame f = new MyOrderCounterFrame().encode(
            h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, epoch + SequencerProtocol.MAX_EPOCH_STEP + 1, 5);
        h.deliver(h.frame, f.encodedLength());
        assertEquals(epoch, h.protocol.currentEpoch());
        assertEquals(NodeMode.RUNNING, h.protocol.mode());
    }

    @Test
    void aMemberThatKeepsSendingAnEpochBeyondTheWindowIsFollowedAStepAtATime()
    {
        // A member pushed two windows up (a forged jump its peers did not see, or a long absence of this one) is
        // dropped frame by frame, but one that keeps at it widens the window a step per T_fd until it is adopted.
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = h.protocol.currentEpoch();
        final long far = epoch + 2 * SequencerProtocol.MAX_EPOCH_STEP + 7;
        int frames = 0;
        long firstWidenedAtNs = -1;
        while (h.protocol.currentEpoch() < far && frames < 1_000)
        {
            h.promise(2, 0); // member 2 stays in the epoch, and heard
            final MyOrderCounterFrame f = new MyOrderCounterFrame().encode(
                h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, far, 0).hearsMask(0b111);
            h.deliver(h.frame, f.encodedLength());
            frames++;
            if (firstWidenedAtNs < 0 && h.protocol.counters().epochWindowsWidened() == 1)
            {
                firstWidenedAtNs = h.nowNs;
            }
            h.advance(T_FD / 10);
        }
        assertTrue(h.protocol.currentEpoch() >= far && h.protocol.currentEpoch() < far + 10,
            "followed into the far epoch after " + frames + " frames: " + h.protocol.currentEpoch());
        assertEquals(2, h.protocol.counters().epochWindowsWidened(), "two steps: the epoch is two windows away");
        assertTrue(firstWidenedAtNs >= T_FD, "the first step only after T_fd of the same epoch: " + firstWidenedAtNs);
        assertTrue(h.protocol.counters().dropped(DropReason.BAD_FIELD) >= 2 * SequencerProtocol.FAR_EPOCH_FRAMES,
            "every frame before that dropped");
    }

    @Test
    void aMemberThatDroppedEventsOfAFarEpochLeavesItWhenItFollowsThere()
    {
        // Seed 7021 of the simulator: the events a member sent in a far epoch were dropped here before the window
        // widened to it; following it there and taking its later promise, this node would order past them (I2).
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long far = h.protocol.currentEpoch() + SequencerProtocol.MAX_EPOCH_STEP + 7;
        final NewEventFrame event = new NewEventFrame().encode(
            h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, far, far, 1, 1, EntryType.EVENT, 0, h.event, 0, 8);
        h.deliver(h.frame, event.encodedLength());
        while (h.protocol.currentEpoch() < far && h.nowNs < 10 * T_FD)
        {
            h.promise(2, 0);
            final MyOrderCounterFrame f = new MyOrderCounterFrame().encode(
                h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, far, 5).hearsMask(0b111);
            h.deliver(h.frame, f.encodedLength());
            h.advance(T_FD / 10);
        }
        assertTrue(h.protocol.currentEpoch() > far,
            "followed member 1 up, and past the epoch whose event it dropped: " + h.protocol.currentEpoch());
        assertEquals(0, h.protocol.promise(1), "the promise of the left epoch was not taken");
    }

    @Test
    void aMemberNeverEntersAnEpochWhoseEventsItDroppedButAForgedOneMovesNothing()
    {
        // Only the epochs whose events were dropped are skipped, however the member would come to enter one (adopting
        // it after a first use of the rule, or by its own trigger); a forged event of a far epoch must not send the
        // member up there (ProcessFaultTest g without authentication: 2^61 would have been adopted at the next change).
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = h.protocol.currentEpoch();
        final long forged = 1L << 61;
        h.deliver(h.frame, new NewEventFrame().encode(h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, forged, 1, 1, 1,
            EntryType.EVENT, 0, h.event, 0, 8).encodedLength());
        final long next = epoch + 1;
        h.deliver(h.frame, new NewEventFrame().encode(h.frame, 0, 1, ProtocolHarness.CLUSTER_ID,
            next + SequencerProtocol.MAX_EPOCH_STEP + 1, 1, 1, 1, EntryType.EVENT, 0, h.event, 0, 8).encodedLength());
        h.deliver(h.frame, new MyOrderCounterFrame().encode(
            h.frame, 0, 2, ProtocolHarness.CLUSTER_ID, next, 0).hearsMask(0b111).encodedLength());
        assertEquals(next, h.protocol.currentEpoch(),
            "a peer's next epoch adopted as it is: the forged one moved nothing");
        // member 1 keeps at the epoch whose event was dropped: the window widens to it, and the member goes above it
        final long dropped = next + SequencerProtocol.MAX_EPOCH_STEP + 1;
        while (h.protocol.currentEpoch() < dropped && h.nowNs < 20 * T_FD)
        {
            h.promise(2, 0);
            h.deliver(h.frame, new MyOrderCounterFrame().encode(
                h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, dropped, 0).hearsMask(0b111).encodedLength());
            h.advance(T_FD / 10);
        }
        assertEquals(dropped + 1, h.protocol.currentEpoch(), "never the epoch whose event it dropped");
    }

    @Test
    void scatteredFarEpochsNeverWidenTheWindow()
    {
        // Garbage and forgeries of random far epochs (each different) are dropped and never widen the window.
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = h.protocol.currentEpoch();
        final java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 200; i++)
        {
            h.promise(2, 0);
            final long far = epoch + SequencerProtocol.MAX_EPOCH_STEP + 1 + random.nextInt(1_000_000);
            final MyOrderCounterFrame f = new MyOrderCounterFrame().encode(
                h.frame, 0, 1 + random.nextInt(2), ProtocolHarness.CLUSTER_ID, far, 0).hearsMask(0b111);
            h.deliver(h.frame, f.encodedLength());
            h.advance(T_FD / 10);
        }
        assertEquals(0, h.protocol.counters().epochWindowsWidened());
        assertTrue(h.protocol.currentEpoch() < epoch + 1_000, "no far epoch adopted: " + h.protocol.currentEpoch());
    }

    @Test
    void aHigherEpochOfAMemberThatHearsNoQuorumIsNotFollowed()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long epoch = h.protocol.currentEpoch();
        MyOrderCounterFrame f = new MyOrderCounterFrame().encode(
            h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, epoch + 1, 0).hearsMask(0b010);
        h.deliver(h.frame, f.encodedLength());
        assertEquals(epoch, h.protocol.currentEpoch(), "member 1 hears only itself: pre-vote refuses its epoch");
        assertEquals(1, h.protocol.counters().epochAdoptionsRefused());

        f = new MyOrderCounterFrame().encode(h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, epoch + 1, 0).hearsMask(0b011);
        h.deliver(h.frame, f.encodedLength());
        assertEquals(epoch + 1, h.protocol.currentEpoch(), "hearing a quorum, it is followed");
    }

    @Test
    void aMemberThatDoesNotHearUsIsNotAliveHowEverMuchItSends()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        for (long t = 0; t <= T_FD; t += T_FD / 10)
        {
            h.promise(2, 0); // hears everyone
            final MyOrderCounterFrame deaf = new MyOrderCounterFrame().encode(
                h.frame, 0, 1, ProtocolHarness.CLUSTER_ID, h.protocol.currentEpoch(), 0).hearsMask(0b010);
            h.deliver(h.frame, deaf.encodedLength());
            h.advance(T_FD / 10);
        }
        h.advance(T_FD / 10);
        assertTrue(h.protocol.isSuspected(1), "member 1 sends, but does not hear this node");
        assertFalse(h.protocol.isSuspected(2));
        assertEquals(1, h.protocol.counters().suspicions());
    }

    @Test
    void aMemberThatHearsNoQuorumDoesNotMoveEpochsOnItsOwn()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        for (int i = 0; i < 20; i++)
        {
            h.advance(T_FD / 10); // silence: it steps down once (in small steps: a long gap is its own pause)
        }
        final long epoch = h.protocol.currentEpoch();
        assertEquals(NodeMode.BOOT, h.protocol.mode());
        for (int i = 0; i < 2_000; i++)
        {
            h.advance(ProtocolContext.DEFAULT_HEARTBEAT_INTERVAL_NS);
        }
        assertEquals(epoch, h.protocol.currentEpoch(), "hearing nobody, it waits instead of inflating its epoch");
        assertTrue(h.protocol.counters().epochChangesDeferred() > 0);
    }
}
