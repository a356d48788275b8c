package io.sequencer.sim;

import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SubmitStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md B4/B6, §10.5: a member far behind catches up outside the active set, so the running quorum keeps
 * ordering while it fetches, and it is admitted once it is close.
 */
class CatchUpScenariosTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final long STEP = ScenarioCluster.STEP_NS;

    @Test
    void aFarBehindMemberCatchesUpWhileTheQuorumKeepsAcknowledging()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder6000();
        final long behind = c.logs[0].have();
        assertTrue(behind > 6_000, "member 2 is " + behind + " entries behind");

        c.start(2);
        long longestGapNs = 0;
        long lastAckNs = c.nowNs;
        int acked = c.acknowledged[0].size() + c.acknowledged[1].size();
        long submitted = 0;
        int ackedWhileFetching = 0;
        final long deadline = c.nowNs + 20 * SECOND;
        while (!(c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked()))
        {
            assertTrue(c.nowNs < deadline, "member 2 never caught up: " + c.state());
            final boolean admitted = c.running(0, 1, 2);
            if (!admitted && c.nodes[0].mode() == NodeMode.RUNNING && submitted++ % 4 == 0)
            {
                c.submit(0); // a steady load from the running quorum; refused submits during an epoch change count
            }
            c.runFor(ScenarioCluster.STEP_NS);
            final int now = c.acknowledged[0].size() + c.acknowledged[1].size();
            if (now > acked
                && c.nodes[2].bootPhase() == io.sequencer.core.protocol.BootPhase.FETCHING)
            {
                ackedWhileFetching += now - acked;
            }
            if (now > acked)
            {
                longestGapNs = Math.max(longestGapNs, c.nowNs - lastAckNs);
                lastAckNs = c.nowNs;
                acked = now;
            }
        }
        System.out.println("catch-up of " + behind + " entries: longest pause in acknowledgements " +
            longestGapNs / 1000 + " us");
        assertTrue(c.nodes[2].counters().catchUpsOutside() >= 1, "member 2 caught up outside the active set");
        // Restarted close to the base of the epoch that left it out, but far behind what the quorum ordered since:
        // it follows the base owner's durable log before asking in (§10.5).
        assertTrue(c.nodes[2].counters().followRounds() >= 1, "member 2 followed the base owner's durable log");
        // An active member that fetches stalls everyone's ordering: with it in the active set, at most the event
        // already ordered when the epoch began completes while it fetches (measured: 1, against 13 here).
        assertTrue(ackedWhileFetching >= 5, "the quorum acknowledged " + ackedWhileFetching +
            " events while member 2 fetched");
        assertTrue(longestGapNs < ProtocolContext.DEFAULT_FAILURE_TIMEOUT_NS,
            "acknowledgements paused for " + longestGapNs / 1000 + " us while member 2 caught up " + behind +
            " entries");
        assertEquals(c.logs[0].have(), c.logs[2].have());
    }

    /**
     * B7 (docs/protocol.md): a member outside the epoch whose fetch stalls — here it stops hearing both running
     * members, which still hear it — does not give up on the epoch. Giving up would start an epoch change the running
     * members adopt, and every stall of the fetch would stop their ordering (a real run held every acknowledgement for
     * two seconds that way). It waits, asks again, and catches up once the links heal.
     */
    @Test
    void aMemberOutsideTheEpochWhoseFetchStallsDoesNotEndTheEpoch()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder6000();
        final int owner = startMember2UntilItFetchesOutside(c);
        final int other = 1 - owner;
        final long epoch = c.nodes[other].currentEpoch();
        final long fetched = c.nodes[2].counters().fetchedEntries();
        final int ackedBefore = c.acknowledged[0].size() + c.acknowledged[1].size();
        c.cutOneWay(owner, 2, true);
        c.cutOneWay(other, 2, true);

        runWithLoadOn(c, other, 20 * ProtocolContext.DEFAULT_BOOT_TIMEOUT_NS);
        assertEquals(fetched, c.nodes[2].counters().fetchedEntries(), "member 2's fetch stalled");
        assertMember2LeftTheEpochAlone(c, epoch);
        assertTrue(c.acknowledged[0].size() + c.acknowledged[1].size() > ackedBefore + 10,
            "the running members went on acknowledging");

        c.cutOneWay(owner, 2, false);
        c.cutOneWay(other, 2, false);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked(), 20 * SECOND,
            "member 2 caught up once the links healed");
    }

    /**
     * B5: a member outside the epoch that can no longer hear the base owner, only the other running member, fetches
     * from that one, which is aligned to the epoch and so holds the base and the epoch's entries after it. Before,
     * it waited for the cut to heal, probing or fetching from the owner every {@code T_fd} (the §9.2 scenario of
     * RecoveryScenariosTest ended with a member so stuck). It cannot ask in while it does not hear the whole active
     * set; it follows, and once the cut heals it asks in a few entries behind.
     */
    @Test
    void aMemberOutsideTheEpochCutOffFromTheBaseOwnerFetchesFromAnAlignedMember()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder6000();
        final int owner = startMember2UntilItFetchesOutside(c);
        final int other = 1 - owner;
        final long epoch = c.nodes[other].currentEpoch();
        final long fetched = c.nodes[2].counters().fetchedEntries();
        c.cutOneWay(owner, 2, true);

        runWithLoadOn(c, other, 20 * ProtocolContext.DEFAULT_BOOT_TIMEOUT_NS);
        assertMember2LeftTheEpochAlone(c, epoch);
        assertTrue(c.nodes[2].counters().fetchSourcesChanged() >= 1, "member 2 turned to member " + other);
        assertTrue(c.nodes[2].counters().fetchedEntries() > fetched + 1000,
            "member 2 fetched on from member " + other + ": " + c.state());
        assertTrue(c.logs[2].have() >= c.nodes[other].guaranteed() - 1000, "member 2 followed the epoch's durable " +
            "log: it holds " + c.logs[2].have() + " entries, member " + other + " " + c.nodes[other].guaranteed() +
            " durable: " + c.state());
        assertEquals(0, c.nodes[2].activeMask() & 0b100, "member 2 stayed outside: it does not hear member " + owner);

        c.cutOneWay(owner, 2, false);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked(), 20 * SECOND,
            "member 2 admitted once the cut healed");
    }

    /**
     * B5: catch-up travels on a point-to-point path of its own, which can fail while the shared channel still
     * carries everything else. Here the base owner's catch-up frames stop reaching member 2, which still hears the
     * owner's heartbeats (and the owner its): the owner counts as reachable, but once a request goes unanswered for
     * {@code T_fd} member 2 fetches from the other member, aligned to the epoch, and is admitted with the path still
     * cut (each epoch's decision sends it to the owner first, and on after an unanswered request). Fails with the
     * owner kept as long as it is heard.
     */
    @Test
    void aMemberWhoseCatchUpPathFromTheBaseOwnerIsLostFetchesFromAnAlignedMember()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder6000();
        final java.util.List<Integer> fetchesFrom = new java.util.ArrayList<>();
        c.listeners[2] = new io.sequencer.core.ProtocolListener()
        {
            public void onFetching(final long epoch, final int sourceId, final long from, final long to)
            {
                fetchesFrom.add(sourceId);
            }
        };
        final int owner = startMember2UntilItFetchesOutside(c);
        final int other = 1 - owner;
        final long fetched = c.nodes[2].counters().fetchedEntries();
        c.network.cutPointToPointOneWay(c.cluster.memberId(owner), c.cluster.memberId(2), true);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked(), 20 * SECOND,
            "member 2 admitted with its catch-up path from member " + owner + " cut");
        assertTrue(c.nodes[2].counters().fetchSourcesChanged() >= 1, "member 2 turned to member " + other);
        assertTrue(c.nodes[2].counters().fetchedEntries() > fetched, "and fetched from it");
        assertEquals(0, c.nodes[2].counters().bootTimeouts(), "member 2 never gave up on the epoch");
        // the operator's event line names the member fetched from, not the base owner that did not answer
        assertTrue(fetchesFrom.contains(c.cluster.memberId(other)), "fetches reported from " + fetchesFrom);
    }

    /**
     * B5: a member asked for entries of the epoch ({@code ENTRIES_OF_EPOCH}) serves them only if its log holds the
     * epoch's log from the base. Member 1, in an epoch change whose decision it does not have yet, cannot know that
     * its log is the epoch's: it drops such a request instead of serving its own log. Once aligned, it serves.
     */
    @Test
    void onlyAMemberAlignedToTheEpochServesItsEntries()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder(300);
        c.start(2).runUntil(() -> c.running(0, 1, 2), 5 * SECOND, "all three running");
        c.crash(0);
        c.runUntil(() -> c.nodes[1].bootPhase() == io.sequencer.core.protocol.BootPhase.COLLECTING &&
            c.nodes[2].currentEpoch() == c.nodes[1].currentEpoch(), 5 * SECOND, "members 1 and 2 in an epoch change");
        final long served = c.nodes[1].counters().entriesServed();
        final long unexpected = c.nodes[1].counters().dropped(io.sequencer.core.codec.DropReason.UNEXPECTED);
        injectFetchOfEpoch(c, 2, 1);
        c.runFor(2 * STEP);
        assertEquals(io.sequencer.core.protocol.BootPhase.COLLECTING, c.nodes[1].bootPhase(), "still undecided");
        assertEquals(served, c.nodes[1].counters().entriesServed(), "member 1, undecided, served nothing");
        assertEquals(unexpected + 1, c.nodes[1].counters().dropped(io.sequencer.core.codec.DropReason.UNEXPECTED),
            "and counted the request as unexpected");

        c.runUntil(() -> c.running(1, 2), 5 * SECOND, "members 1 and 2 running");
        injectFetchOfEpoch(c, 2, 1);
        c.runUntil(() -> c.nodes[1].counters().entriesServed() > served, SECOND, "member 1, aligned, serving");
    }

    /** A {@code Fetch} of kind {@code ENTRIES_OF_EPOCH} of positions 1..8, from {@code from} to {@code to}. */
    private static void injectFetchOfEpoch(final ScenarioCluster c, final int from, final int to)
    {
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[64]);
        final int length = new io.sequencer.core.codec.FetchFrame().encode(buffer, 0, c.cluster.memberId(from),
            c.cluster.clusterId(), c.nodes[to].currentEpoch(), c.cluster.memberId(to),
            io.sequencer.core.codec.FetchFrame.ENTRIES_OF_EPOCH, 1, 8).encodedLength();
        final byte[] frame = new byte[length];
        buffer.getBytes(0, frame);
        c.network.inject(c.cluster.memberId(to), c.cluster.memberId(from), frame, c.nowNs + STEP);
    }

    /** Members 0 and 1 are still in {@code epoch}, and member 2 never gave up on it (B7). */
    private static void assertMember2LeftTheEpochAlone(final ScenarioCluster c, final long epoch)
    {
        assertEquals(epoch, c.nodes[0].currentEpoch(), "the running members stayed in their epoch: " + c.state());
        assertEquals(epoch, c.nodes[1].currentEpoch(), "the running members stayed in their epoch: " + c.state());
        assertEquals(0, c.nodes[2].counters().bootTimeouts(), "member 2 never gave up on the epoch");
    }

    /** Start member 2 and run until it fetches outside the epoch: the index of the base owner it fetches from. */
    private static int startMember2UntilItFetchesOutside(final ScenarioCluster c)
    {
        c.start(2);
        c.runUntil(() -> c.nodes[2].bootPhase() == io.sequencer.core.protocol.BootPhase.FETCHING &&
            (c.nodes[2].activeMask() & 0b100) == 0 && c.nodes[2].counters().fetchedEntries() > 0,
            5 * SECOND, "member 2 fetching outside the epoch");
        return c.cluster.indexOf(c.nodes[2].baseOwnerId());
    }

    /** Run for {@code durationNs}, member {@code member} submitting an event every eighth step. */
    private static void runWithLoadOn(final ScenarioCluster c, final int member, final long durationNs)
    {
        final long end = c.nowNs + durationNs;
        int submitted = 0;
        while (c.nowNs < end)
        {
            if (submitted++ % 8 == 0)
            {
                c.submit(member);
            }
            c.runFor(ScenarioCluster.STEP_NS);
        }
    }

    /**
     * §10.5: a report naming a durable watermark its sender does not hold (forged, with authentication off) cannot
     * keep a member following forever: the round stalls, ends, and the member asks in with what it holds.
     */
    @Test
    void aForgedWatermarkEndsTheFollowRoundInsteadOfHoldingTheMemberOutside()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder6000();
        c.start(2);
        c.runUntil(() -> c.nodes[2].bootPhase() == io.sequencer.core.protocol.BootPhase.FETCHING &&
            (c.nodes[2].activeMask() & 0b100) == 0, 5 * SECOND, "member 2 catching up outside the epoch");
        final int owner = c.cluster.indexOf(c.nodes[2].baseOwnerId());
        final long epoch = c.nodes[owner].currentEpoch();
        final org.agrona.concurrent.UnsafeBuffer forged = new org.agrona.concurrent.UnsafeBuffer(new byte[256]);
        final int length = new io.sequencer.core.codec.MySerializeCounterFrame().encode(forged, 0,
            c.cluster.memberId(owner), c.cluster.clusterId(), epoch, 1L << 62, 1L << 62, 0, epoch, true, 1L << 62)
            .encodedLength();
        final byte[] frame = new byte[length];
        forged.getBytes(0, frame);
        for (int k = 0; k < 3; k++)
        {
            c.network.inject(c.cluster.memberId(2), c.cluster.memberId(owner), frame, c.nowNs + k * STEP);
        }
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked(), 20 * SECOND,
            "member 2 admitted despite a forged watermark");
        assertTrue(c.nodes[2].counters().followRounds() >= 1, "member 2 followed (toward the forged g)");
    }

    /**
     * §10.5 with a pause: the duty cycle that starts a follow round can be long (a restarted JVM aligns, replays and
     * appends interpreted: 165 ms measured), and a member can be paused by GC or starved meanwhile. The answers queued
     * for it are no stall of the round: once it runs again it fetches on and asks in only once it holds what the
     * owner reported durable. Before the fix, the first cycle after the pause took the fetch for stalled (its timer
     * did not count the pause as other timers do), ended the round with nothing fetched and asked in with the whole
     * gap still to fetch, so the epoch that admitted it waited for all of it.
     */
    @Test
    void aPauseDuringAFollowRoundDoesNotEndIt()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder6000();
        final Runnable load = startMember2UntilItFollows(c);
        final long target = c.nodes[c.cluster.indexOf(c.nodes[2].baseOwnerId())].guaranteed();
        final long fetchedAtPause = c.nodes[2].counters().fetchedEntries();
        c.pause(2, 4 * ProtocolContext.DEFAULT_FAILURE_TIMEOUT_NS);
        final long[] haveWhenAsking = { -1 };
        c.runUntil(() ->
        {
            load.run();
            if (haveWhenAsking[0] < 0 && c.nodes[2].counters().admissionRequests() > 0)
            {
                haveWhenAsking[0] = c.logs[2].have();
            }
            return c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked();
        }, 20 * SECOND, "member 2 admitted");
        assertTrue(c.nodes[2].counters().fetchedEntries() > fetchedAtPause, "member 2 fetched after the pause");
        assertTrue(haveWhenAsking[0] >= target - 256, "member 2 asked in holding " + haveWhenAsking[0] +
            " entries, far short of the " + target + " the owner had durable when member 2 started following");
    }

    /**
     * B1: a member restarted while it was outside the running epoch (it followed the base owner there, and so holds
     * the epoch's {@code EpochStart}, which leaves it out) goes back into that epoch instead of entering a new one. It
     * cannot have run there, so nothing of its earlier life is repeated; the running members keep their epoch and
     * their acknowledgements while it catches up again, and its asking in is the one epoch change. Before this rule,
     * it entered a new epoch at once, the running members left theirs for it, and, far behind, it held their
     * acknowledgements for its catch-up (a real million-entry catch-up: 68 ms, above {@code T_fd}).
     */
    @Test
    void aMemberRestartedOutsideTheRunningEpochGoesBackIntoIt()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder6000();
        final Runnable load = startMember2UntilItFollows(c);
        final long epoch = c.nodes[0].currentEpoch();
        assertEquals(epoch, c.nodes[2].currentEpoch());
        assertEquals(0, c.nodes[2].activeMask() & 0b100, "member 2 is outside the active set");

        c.crash(2);
        c.runFor(ProtocolContext.DEFAULT_FAILURE_TIMEOUT_NS); // no epoch change: member 2 was in no active set
        c.start(2);
        long lastAckNs = c.nowNs;
        long longestGapNs = 0;
        int acked = c.acknowledged[0].size() + c.acknowledged[1].size();
        final long deadline = c.nowNs + 20 * SECOND;
        while (!(c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked()))
        {
            assertTrue(c.nowNs < deadline, "member 2 never caught up: " + c.state());
            load.run();
            c.runFor(STEP);
            if (c.nodes[2].counters().admissionRequests() == 0)
            {
                assertEquals(epoch, c.nodes[0].currentEpoch(), "the running members kept their epoch until member 2 " +
                    "asked in: " + c.state());
                assertEquals(epoch, c.nodes[1].currentEpoch(), c.state());
            }
            final int now = c.acknowledged[0].size() + c.acknowledged[1].size();
            if (now > acked)
            {
                longestGapNs = Math.max(longestGapNs, c.nowNs - lastAckNs);
                lastAckNs = c.nowNs;
                acked = now;
            }
        }
        assertEquals(1, c.nodes[2].counters().epochsRejoined(), "member 2 went back into the running epoch");
        assertEquals(0, c.nodes[2].counters().epochChanges() - c.nodes[2].counters().admissionRequests(),
            "member 2's only epoch changes were its asking in");
        assertTrue(c.nodes[2].counters().followRounds() >= 1, "member 2 followed again before asking in");
        assertTrue(longestGapNs < ProtocolContext.DEFAULT_FAILURE_TIMEOUT_NS,
            "acknowledgements paused for " + longestGapNs / 1000 + " us");
    }

    /**
     * B1: a member that ran in its epoch, restarted after the others went on without it in a later one, takes that
     * later epoch up as a member that adopted it late (it holds no decision; B6 has it sent again): the running
     * members keep their epoch, and their acknowledgements, until it asks in, the one epoch change its restart costs
     * them. Before this rule it entered a new epoch at once, and the running members left theirs for it, only to leave
     * it out of the active set while it caught up: two epoch changes a restart (kill cycles of real processes: six
     * epoch changes a cycle, summed over the members).
     */
    @Test
    void aRestartedMemberTakesUpTheLaterEpochThatRunsWithoutIt()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder(40);
        final long epoch = c.nodes[0].currentEpoch();
        final long changes0 = c.nodes[0].counters().epochChanges();
        final long changes1 = c.nodes[1].counters().epochChanges();
        c.start(2);
        final long deadline = c.nowNs + 10 * SECOND;
        while (!(c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked()))
        {
            assertTrue(c.nowNs < deadline, "member 2 never ran again: " + c.state());
            c.runFor(STEP);
            if (c.nodes[2].counters().admissionRequests() == 0)
            {
                assertEquals(epoch, c.nodes[0].currentEpoch(), "the running members kept their epoch until member 2 " +
                    "asked in: " + c.state());
                assertEquals(epoch, c.nodes[1].currentEpoch(), c.state());
            }
        }
        assertEquals(1, c.nodes[2].counters().epochsAdoptedAtStart(), "member 2 took up the running epoch");
        assertEquals(0, c.nodes[2].counters().epochsRejoined());
        assertEquals(1, c.nodes[0].counters().epochChanges() - changes0, "member 0 changed epoch once: " + c.state());
        assertEquals(1, c.nodes[1].counters().epochChanges() - changes1, "member 1 changed epoch once: " + c.state());
    }

    /**
     * B6: a restarted member that adopts the running epoch and holds no decision of it waits for the coordinator to
     * send it again, and that wait starts only once the coordinator's frames say it hears the member: before that it
     * cannot send it anything. A restarted process's first exchanges are slow (a new stream each way, cold code), and
     * a member that asked in after {@code T_boot} regardless was admitted behind and, cold, held the running members'
     * acknowledgements for 370 ms while it fetched (one of 30 kill cycles of real processes).
     */
    @Test
    void aRestartedMemberWaitsForTheDecisionUntilTheCoordinatorHearsIt()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder(40);
        final long epoch = c.nodes[0].currentEpoch();
        final int coordinator = (int)(epoch % 3);
        assertTrue(coordinator != 2, "member 2 was down when the running epoch was decided");
        c.cutOneWay(2, coordinator, true); // the coordinator does not hear the restarted member yet
        c.start(2);
        c.runFor(4 * ProtocolContext.DEFAULT_BOOT_TIMEOUT_NS);
        assertEquals(0, c.nodes[2].counters().admissionRequests(), "member 2 waited for the decision: " + c.state());
        assertEquals(epoch, c.nodes[coordinator].currentEpoch(), c.state());

        c.cutOneWay(2, coordinator, false);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked(), 5 * SECOND,
            "member 2 admitted");
        assertTrue(c.nodes[coordinator].counters().decisionsResent() >= 1, "the coordinator sent its decision again");
    }

    /**
     * A {@code NewNode} of an epoch below the receiver's is stale: its sender has not seen the running epoch yet. A
     * member back from an 87 s SIGSTOP acted on frames queued during its pause and asked in from an epoch long gone,
     * and the running pair changed epoch for it (48 ms without acknowledgements) only to leave it out. Dropped, the
     * sender adopts the running epoch from the frames it hears, receives the decision again (B6), catches up outside
     * and asks in with a current epoch.
     */
    @Test
    void aNewNodeOfAnEpochBelowTheRunningOneIsStale()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder(40);
        final long epoch = c.nodes[0].currentEpoch();
        final org.agrona.concurrent.UnsafeBuffer frame = new org.agrona.concurrent.UnsafeBuffer(new byte[256]);
        final int length = new io.sequencer.core.codec.NewNodeFrame().encode(frame, 0, c.cluster.memberId(2),
            c.cluster.clusterId(), epoch - 1, c.cluster.memberId(2), 1, epoch - 1, 1, 1).encodedLength();
        final byte[] newNode = new byte[length];
        frame.getBytes(0, newNode);
        for (final int member : new int[] { 0, 1 })
        {
            c.network.inject(c.cluster.memberId(member), c.cluster.memberId(2), newNode, c.nowNs);
        }
        c.runFor(20 * STEP);
        assertEquals(epoch, c.nodes[0].currentEpoch(), "a stale NewNode changed no epoch: " + c.state());
        assertEquals(epoch, c.nodes[1].currentEpoch(), c.state());

        c.start(2);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked(), 5 * SECOND,
            "member 2 admitted");
    }

    /**
     * B1: a member that ran in its epoch (it was in the active set) enters a new epoch at its restart, even while that
     * epoch still runs: with its promises and events of that epoch forgotten, it must not order there again
     * ({@code ProtocolDefect.REJOIN_AFTER_RUNNING} does, and the checker catches it: {@code BrokenProtocolTest}).
     */
    @Test
    void aMemberThatRanInItsEpochEntersANewOneAtItsRestart()
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        final long epoch = c.nodes[2].currentEpoch();
        c.crash(2).start(2);
        // it listens (B1) until it hears a frame: one of its own epoch, which still runs, ends that at once
        c.runUntil(() -> c.nodes[2].currentEpoch() != 0, SECOND / 10, "member 2 in an epoch");
        assertTrue(c.nodes[2].currentEpoch() > epoch, "member 2 entered a new epoch: " + c.state());
        assertEquals(0, c.nodes[2].counters().epochsRejoined());
        assertEquals(0, c.nodes[2].counters().epochsAdoptedAtStart());
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "running again");
    }

    /**
     * B1's condition is what keeps a delayed copy of a decision harmless: a member that ran in its epoch and restarts
     * enters a new one, where that decision is stale. Going back regardless ({@code REJOIN_AFTER_RUNNING}), it acts on
     * the decision again and cuts its log back to the epoch's base, below events it held that were acknowledged (its
     * persisted {@code g} dates from the epoch change): they are left on one member of the three while none is lost or
     * not intact, and the checker's I3 says so.
     */
    @Test
    void aDelayedDecisionOfTheEpochARestartedMemberRanInIsStale()
    {
        final ScenarioCluster c = restartAnActiveMemberAndReplayItsEpochsDecision(
            java.util.EnumSet.noneOf(ProtocolDefect.class));
        assertEquals(null, checkAcknowledgedCopies(c, SECOND / 10));
        c.runUntil(() -> c.checker.allAcked() && c.identical(0, 2), 5 * SECOND, "running again, nothing lost");
    }

    @Test
    void goingBackIntoAnEpochItRanInIsCaughtByTheChecker()
    {
        final ScenarioCluster c = restartAnActiveMemberAndReplayItsEpochsDecision(
            java.util.EnumSet.of(ProtocolDefect.REJOIN_AFTER_RUNNING));
        final String violation = checkAcknowledgedCopies(c, SECOND / 10);
        assertTrue(violation != null && violation.startsWith("I3:"), String.valueOf(violation));
    }

    /** Run, checking after every step that each acknowledged event is on a quorum (I3, every member intact). */
    private static String checkAcknowledgedCopies(final ScenarioCluster c, final long durationNs)
    {
        final long end = c.nowNs + durationNs;
        while (c.nowNs < end && c.checker.violation() == null)
        {
            c.runFor(STEP);
            c.checker.checkAckedRecoverable(new boolean[] { true, true, true }, 0);
        }
        return c.checker.violation();
    }

    /**
     * Members 0 and 2 run without member 1 (down) and acknowledge events; the one that does not coordinate their
     * epoch restarts, and a copy of the epoch's decision reaches it first (a delayed or replayed frame).
     */
    private static ScenarioCluster restartAnActiveMemberAndReplayItsEpochsDecision(
        final java.util.EnumSet<ProtocolDefect> defects)
    {
        final ScenarioCluster c = new ScenarioCluster(3, defects);
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        final long epochWithAll = c.nodes[0].currentEpoch();
        c.crash(1);
        c.runUntil(() -> c.running(0, 2) && c.nodes[0].currentEpoch() > epochWithAll, SECOND,
            "running without member 1");
        final long epoch = c.nodes[0].currentEpoch();
        final int coordinator = (int)(epoch % 3);
        final int restarted = coordinator == 0 ? 2 : 0;
        final long n = c.decidedN(restarted);
        final int[] ids = { c.cluster.memberId(0), c.cluster.memberId(1), c.cluster.memberId(2) };
        final org.agrona.concurrent.UnsafeBuffer decision = new org.agrona.concurrent.UnsafeBuffer(new byte[256]);
        final int length = new io.sequencer.core.codec.ClusterNodesFrame().encode(decision, 0,
            c.cluster.memberId(coordinator), c.cluster.clusterId(), epoch, epoch, n, c.chkAt(restarted, n), ids, 3,
            c.nodes[restarted].activeMask(), c.nodes[restarted].baseOwnerId()).encodedLength();
        final byte[] frame = new byte[length];
        decision.getBytes(0, frame);
        c.submitMany(20, 0, 2);
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged by members 0 and 2");
        assertTrue(c.logs[restarted].have() > n + 10, "events ordered in the epoch");

        c.crash(restarted).start(restarted);
        c.network.inject(c.cluster.memberId(restarted), c.cluster.memberId(coordinator), frame, c.nowNs);
        return c;
    }

    /**
     * Start member 2 (down while the others ordered) and run until it follows the base owner outside the epoch (its
     * first follow round), under a steady load from member 0 while member 2 is not admitted, so that the owner's
     * durable log runs ahead of the base.
     *
     * @return that load, to go on with: run it once a step.
     */
    private static Runnable startMember2UntilItFollows(final ScenarioCluster c)
    {
        c.start(2);
        final int[] cycles = { 0 };
        final Runnable load = () ->
        {
            if (cycles[0]++ % 4 == 0 && c.nodes[0].mode() == NodeMode.RUNNING && !c.running(0, 1, 2))
            {
                c.submit(0);
            }
        };
        c.runUntil(() ->
        {
            load.run();
            return c.nodes[2].counters().followRounds() == 1 &&
                c.nodes[2].bootPhase() == io.sequencer.core.protocol.BootPhase.FETCHING;
        }, 5 * SECOND, "member 2 following the base owner outside the epoch");
        return load;
    }

    /** Three members running; member 2 crashes and the other two order and acknowledge 6,000 events without it. */
    /**
     * B5: a restarted member a few entries behind the base aligns with one request: its probe at its log's end also
     * asks for the entries above it, which its answer carries (with frames of a few entries each here, the answer is
     * a window of several frames). A probe and then a fetch took two round trips, which in an epoch that takes the
     * member in hold every member's ordering.
     */
    @Test
    void aMemberAFewEntriesBehindAlignsWithOneRequest()
    {
        final ScenarioCluster c = member2DownWhileTheOthersOrder(40);
        final long behind = c.logs[0].have() - c.logs[2].have();
        c.start(2);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "member 2 back in the active set");
        assertTrue(c.nodes[2].counters().fetchedEntries() >= behind - 2, "member 2 fetched the " + behind +
            " entries it lacked (but the epoch starts it appends itself): " + c.nodes[2].counters().fetchedEntries());
        assertEquals(1, c.nodes[2].counters().framesOut(io.sequencer.core.codec.MessageType.FETCH),
            "one request: the probe's answer carried the entries to fetch");
    }

    static ScenarioCluster member2DownWhileTheOthersOrder6000()
    {
        return member2DownWhileTheOthersOrder(6_000);
    }

    static ScenarioCluster member2DownWhileTheOthersOrder(final int events)
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        c.admissionLag = 500;
        c.fetchBatchBytes = 1024; // a few entries a frame: catch-up takes long enough in simulated time to matter
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");

        c.crash(2);
        c.runUntil(() -> c.running(0, 1), SECOND, "running without member 2");
        for (int k = 0; k < events; k++)
        {
            while (c.submit(k % 2) != SubmitStatus.ACCEPTED)
            {
                c.runFor(ScenarioCluster.STEP_NS);
            }
            if (k % 16 == 15)
            {
                c.runFor(ScenarioCluster.STEP_NS);
            }
        }
        c.runUntil(() -> c.checker.allAcked(), 10 * SECOND, "the backlog acknowledged");
        return c;
    }
}
