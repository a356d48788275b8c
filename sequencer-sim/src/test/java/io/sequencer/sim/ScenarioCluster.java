package io.sequencer.sim;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.Durability;
import io.sequencer.core.EntryType;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNetwork;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.LogEntry;
import io.sequencer.core.MemberSet;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.protocol.BrokenProtocols;
import io.sequencer.core.protocol.SequencerProtocol;
import io.sequencer.core.SubmitStatus;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A directed simulator scenario: 1–3 nodes over hand-built logs, driven step by step in simulated time on one
 * thread, with the {@link InvariantChecker} watching every step. Frames take 20 µs unless a test slows a link
 * ({@link #linkDelayNs}); duty cycles run every
 * 10 µs in member order. Nothing is random: a scenario is a script.
 */
final class ScenarioCluster
{
    static final long STEP_NS = 10_000;

    final ClusterConfig cluster;
    final InMemoryEventLog[] logs;
    final InMemoryCheckpointStore[] checkpoints;
    final InMemoryNodeStore[] stores;
    final SequencerProtocol[] nodes;
    /** Each member's snapshot thread, stepped after its duty cycle. */
    final io.sequencer.core.protocol.Snapshotter[] snapshotters;
    final AccountLedger[] ledgers;
    final InMemoryNetwork network;
    final InvariantChecker checker;
    final Trace trace = new Trace(80);
    final List<Long>[] acknowledged;
    private final EnumSet<ProtocolDefect> defects;
    private final Durability durability;
    private final long[] correlation;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer epochStart = new UnsafeBuffer(new byte[MemberSet.MAX_LENGTH]);
    long nowNs;
    private final long[] pausedUntilNs;
    /** Each member's listener from its next start (NONE unless a test sets one). */
    final io.sequencer.core.ProtocolListener[] listeners;
    /** The protocol's admission lag for the members started from now on (B4). */
    long admissionLag = io.sequencer.core.ProtocolContext.DEFAULT_ADMISSION_LAG;
    /** The largest catch-up frame for the members started from now on. */
    int fetchBatchBytes = 64 * 1024;
    /** Retention (§13) for members started from now on: entries kept below the oldest checkpoint; all by default. */
    long retainedEntries = Long.MAX_VALUE;
    long checkpointInterval = 4;
    /** Each member's clock (§12) is the simulated time plus this, from {@link #CLOCK_ORIGIN_NS}. */
    final long[] clockSkewNs;
    static final long CLOCK_ORIGIN_NS = 1_800_000_000_000_000_000L;
    static final long DEFAULT_LINK_DELAY_NS = 20_000;
    /** How long a frame from member {@code [from]} takes to reach member {@code [to]}; a test may change it. */
    final long[][] linkDelayNs;
    /** What each member's state machine is given as its clock from its next start (the protocol's, unless a test
     * tampers with it to show the checker a broken one). */
    final java.util.function.UnaryOperator<io.sequencer.core.ClusterClock>[] clockTamper;
    /** What each member's snapshot thread runs from its next start: its own ledger, unless a test breaks it. */
    final java.util.function.UnaryOperator<io.sequencer.core.StateMachine>[] snapshotTamper;
    /**
     * What each member's protocol is given as its log from its next start: its log, unless a test puts a crash trap
     * in front of it (a {@link SimulatedCrash} thrown from it kills the process, as in the simulator).
     */
    final java.util.function.UnaryOperator<io.sequencer.core.EventLog>[] logTamper;
    /** Where each process killed by a {@link SimulatedCrash} died, in order. */
    final List<String> trapsFired = new ArrayList<>();

    @SuppressWarnings("unchecked")
    ScenarioCluster(final int size, final EnumSet<ProtocolDefect> defects)
    {
        this.cluster = ClusterConfig.ofSize(Simulation.CLUSTER_ID, size);
        this.defects = defects;
        this.durability = Durability.NONE;
        logs = new InMemoryEventLog[size];
        checkpoints = new InMemoryCheckpointStore[size];
        stores = new InMemoryNodeStore[size];
        nodes = new SequencerProtocol[size];
        snapshotters = new io.sequencer.core.protocol.Snapshotter[size];
        ledgers = new AccountLedger[size];
        acknowledged = (List<Long>[])new List<?>[size];
        correlation = new long[size];
        pausedUntilNs = new long[size];
        clockSkewNs = new long[size];
        clockTamper = (java.util.function.UnaryOperator<io.sequencer.core.ClusterClock>[])
            new java.util.function.UnaryOperator<?>[size];
        java.util.Arrays.fill(clockTamper, java.util.function.UnaryOperator.identity());
        snapshotTamper = (java.util.function.UnaryOperator<io.sequencer.core.StateMachine>[])
            new java.util.function.UnaryOperator<?>[size];
        java.util.Arrays.fill(snapshotTamper, java.util.function.UnaryOperator.identity());
        logTamper = (java.util.function.UnaryOperator<io.sequencer.core.EventLog>[])
            new java.util.function.UnaryOperator<?>[size];
        java.util.Arrays.fill(logTamper, java.util.function.UnaryOperator.identity());
        listeners = new io.sequencer.core.ProtocolListener[size];
        java.util.Arrays.fill(listeners, io.sequencer.core.ProtocolListener.NONE);
        linkDelayNs = new long[size][size];
        for (final long[] row : linkDelayNs)
        {
            java.util.Arrays.fill(row, DEFAULT_LINK_DELAY_NS);
        }
        network = new InMemoryNetwork(
            (from, to) -> linkDelayNs[cluster.indexOf(from)][cluster.indexOf(to)], cluster.memberIds());
        checker = new InvariantChecker(cluster, durability, size, trace);
        network.publishObserver(checker::onPublish);
        for (int i = 0; i < size; i++)
        {
            logs[i] = new InMemoryEventLog();
            checkpoints[i] = new InMemoryCheckpointStore();
            stores[i] = new InMemoryNodeStore();
            acknowledged[i] = new ArrayList<>();
            checker.onDisk(i, logs[i]);
            network.disconnect(i, new java.util.SplittableRandom(0));
        }
    }

    ScenarioCluster(final int size)
    {
        this(size, EnumSet.noneOf(ProtocolDefect.class));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Building logs by hand
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Three members whose logs diverge at #6 (§9.3): four events of epoch 1 on all, then X at #6 in epoch 1 only on
     * member 2 (never durable), while members 0 and 1 wrote EpochStart(2) at #6 and Y at #7, durable on them.
     */
    static ScenarioCluster memberTwoDivergesAtSix()
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        c.epochStart(1, 0b111, 0, 1, 2);
        for (int k = 1; k <= 4; k++)
        {
            c.event(1, k, k % 3, k, 0, 1, 2);
        }
        c.event(1, 9, 2, 9, 2);                  // X at #6, only on member 2
        c.epochStart(2, 0b011, 0, 1);             // #6 on members 0 and 1
        c.event(2, 1, 0, 10, 0, 1);              // Y at #7
        return c.persisted(0, 2, 7).persisted(1, 2, 7).persisted(2, 1, 5);
    }

    /** Append {@code EpochStart(epoch, C, A)} to the logs of {@code members}. */
    ScenarioCluster epochStart(final long epoch, final int activeMask, final int... members)
    {
        final int length = MemberSet.encode(epochStart, 0, cluster, activeMask);
        for (final int m : members)
        {
            logs[m].append(new LogEntry().header(
                    EntryType.EPOCH_START, epoch, 0, cluster.memberId((int)(epoch % cluster.size())), 0, 0, 0)
                    .payload(epochStart, 0, length));
        }
        return this;
    }

    /** Append the same transfer event, of epoch {@code epoch} from {@code origin}, to the logs of {@code members}. */
    ScenarioCluster event(final long epoch, final long counter, final int origin, final long localSeq,
        final int... members)
    {
        final int length = AccountLedger.encodeTransfer(buffer, 0, origin, (origin + 1) % AccountLedger.ACCOUNTS,
            1 + localSeq, 0);
        final byte[] payload = new byte[length];
        buffer.getBytes(0, payload);
        checker.onWritten(cluster.memberId(origin), 1, localSeq, payload);
        for (final int m : members)
        {
            logs[m].append(new LogEntry().header(
                    EntryType.EVENT, epoch, counter, cluster.memberId(origin), 1, localSeq, 0)
                    .payload(buffer, 0, length));
        }
        return this;
    }

    /** What a member persisted before the scenario starts: as if its process had run and stopped. */
    ScenarioCluster persisted(final int member, final long currentEpoch, final long guaranteed)
    {
        stores[member].initialize();
        stores[member].bootId(1);
        stores[member].currentEpoch(currentEpoch);
        stores[member].guaranteed(guaranteed);
        logs[member].force();
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Processes
    // ---------------------------------------------------------------------------------------------------------------

    ScenarioCluster start(final int... members)
    {
        for (final int m : members)
        {
            final int member = m;
            ledgers[m] = new AccountLedger();
            final io.sequencer.core.StateMachine machine = machine(m, ledgers[m]);
            network.connect(cluster.memberId(m));
            final ProtocolContext context = new ProtocolContext()
                .cluster(cluster)
                .memberId(cluster.memberId(m))
                .durability(durability)
                .maxResultLength(AccountLedger.RESULT_LENGTH)
                .checkpointInterval(checkpointInterval)
                .retainedEntries(retainedEntries)
                .admissionLag(admissionLag)
                .fetchBatchBytes(fetchBatchBytes)
                .epochClock(() -> CLOCK_ORIGIN_NS + nowNs + clockSkewNs[member])
                .bootstrap(logs[m].have() == 0 && !stores[m].initialized())
                .errorHandler(ex ->
                {
                    if (ex instanceof io.sequencer.core.RecoveredFault)
                    {
                        trace.add(nowNs, "member " + member + " recovered: " + ex.getMessage());
                        recoveredFaults.add(ex.getMessage());
                        return; // the consequence of a fault the test made, handled as it must be
                    }
                    checker.fail("error at member " + member + ": " + ex);
                })
                    .listener(listeners[m]);
            nodes[m] = BrokenProtocols.create(defects,
                context, logTamper[m].apply(logs[m]), checkpoints[m], stores[m], machine,
                network.endpoint(cluster.memberId(m)),
                (correlationId, position, status, result, offset, length) ->
                {
                    checker.onCompleted(member, correlationId, position, status, result, offset, length);
                    acknowledged[member].add(position);
                });
            final SequencerProtocol protocol = nodes[m];
            snapshotters[m] = new io.sequencer.core.protocol.Snapshotter(context,
                snapshotTamper[m].apply(machine(m, new AccountLedger())),
                checkpoints[m], from -> new SimCommittedEntries(logs[member], protocol::guaranteed, from),
                () -> protocol.mode() == NodeMode.RUNNING, protocol::retainUpTo, protocol::checkpointNeeded, ex ->
                {
                    if (ex instanceof io.sequencer.core.RecoveredFault)
                    {
                        recoveredFaults.add("snapshot thread of member " + member + ": " + ex.getMessage());
                        return; // counted and retried, as it must be
                    }
                    checker.fail("snapshot thread of member " + member + " failed: " + ex);
                });
            checker.onProcessStarted(m, nodes[m]);
            nodes[m].start(nowNs);
        }
        return this;
    }

    /** Member {@code member}'s state machine over {@code ledger}, its clock as {@link #clockTamper} says. */
    private io.sequencer.core.StateMachine machine(final int member, final AccountLedger ledger)
    {
        final java.util.function.UnaryOperator<io.sequencer.core.ClusterClock> tamper = clockTamper[member];
        return new io.sequencer.core.StateMachine()
        {
            public int apply(final long position, final org.agrona.DirectBuffer event, final int offset,
                final int length, final org.agrona.MutableDirectBuffer result, final int resultOffset)
            {
                return ledger.apply(position, event, offset, length, result, resultOffset);
            }

            public void onStart(final io.sequencer.core.ClusterClock clock)
            {
                ledger.onStart(tamper.apply(clock));
            }

            public void onTimer(final long position, final long timerId, final long deadlineNs)
            {
                ledger.onTimer(position, timerId, deadlineNs);
            }

            public void reset()
            {
                ledger.reset();
            }

            public void snapshot(final io.sequencer.core.SnapshotWriter out)
            {
                ledger.snapshot(out);
            }

            public void restore(final io.sequencer.core.SnapshotReader in)
            {
                ledger.restore(in);
            }
        };
    }

    /** The recovered faults the members reported (a damaged checkpoint skipped, a snapshot asked for, ...). */
    final List<String> recoveredFaults = new ArrayList<>();

    /** The member's disk is lost: its log (a new identity), checkpoints and node state. It must be down. */
    ScenarioCluster wipe(final int member)
    {
        if (nodes[member] != null)
        {
            throw new IllegalStateException("member " + member + " is running: crash it first");
        }
        checker.onDataLoss(member);
        logs[member].wipe();
        checkpoints[member].wipe();
        stores[member].wipe();
        return this;
    }

    ScenarioCluster crash(final int member)
    {
        checker.onProcessDied(member);
        nodes[member] = null;
        snapshotters[member] = null;
        network.disconnect(cluster.memberId(member), new java.util.SplittableRandom(member));
        return this;
    }

    /** Cut a link silently: frames are lost and neither side is told (as frames in flight when a publisher dies). */
    ScenarioCluster cutSilently(final int a, final int b, final boolean cut)
    {
        network.cut(cluster.memberId(a), cluster.memberId(b), cut);
        return this;
    }

    /** Cut one direction of a link silently: {@code from}'s frames no longer reach {@code to}; the other way works. */
    ScenarioCluster cutOneWay(final int from, final int to, final boolean cut)
    {
        network.cutOneWay(cluster.memberId(from), cluster.memberId(to), cut);
        return this;
    }

    /** A client on {@code member} submits a transfer; @return the submit status. */
    int submit(final int member)
    {
        return submit(member, 1 + correlation[member]);
    }

    /** A client on {@code member} submits a transfer of {@code amount}; @return the submit status. */
    int submit(final int member, final long amount)
    {
        final SequencerProtocol node = nodes[member];
        final int length = AccountLedger.encodeTransfer(buffer, 0, member, (member + 3) % AccountLedger.ACCOUNTS,
            amount, 8);
        final long correlationId = ++correlation[member];
        final byte[] payload = new byte[length];
        buffer.getBytes(0, payload);
        final int status = node.submit(correlationId, buffer, 0, length);
        if (status == SubmitStatus.ACCEPTED)
        {
            checker.onSubmitted(member, correlationId, node.incarnation(), node.lastLocalSeq(), nowNs,
                checker.maxAckedPosition(), payload);
        }
        return status;
    }

    /**
     * Member {@code member} runs no duty cycle for {@code durationNs} (a GC pause, a starved thread, or one long cycle
     * of catch-up work in a cold JVM): frames sent to it queue meanwhile.
     */
    ScenarioCluster pause(final int member, final long durationNs)
    {
        pausedUntilNs[member] = nowNs + durationNs;
        return this;
    }

    /** Run duty cycles until {@code condition} holds; fail after {@code limitNs} of simulated time. */
    ScenarioCluster runUntil(final BooleanSupplier condition, final long limitNs, final String what)
    {
        final long deadline = nowNs + limitNs;
        while (!condition.getAsBoolean())
        {
            if (nowNs > deadline)
            {
                throw new AssertionError("not reached within " + limitNs / 1_000_000 + " ms: " + what + state());
            }
            step();
        }
        return this;
    }

    /** Run duty cycles for {@code durationNs} of simulated time. */
    ScenarioCluster runFor(final long durationNs)
    {
        final long end = nowNs + durationNs;
        while (nowNs < end)
        {
            step();
        }
        return this;
    }

    private void step()
    {
        nowNs += STEP_NS;
        network.time(nowNs);
        for (int m = 0; m < nodes.length; m++)
        {
            final SequencerProtocol node = nodes[m];
            if (node != null && nowNs >= pausedUntilNs[m])
            {
                try
                {
                    network.endpoint(node.memberId()).poll(node::onFrame, 64);
                    node.doWork(nowNs);
                }
                catch (final SimulatedCrash trap)
                {
                    // a crash trap a test set fired: the process dies there, as in the simulator
                    trace.add(nowNs, "member " + m + " crashed " + trap.getMessage());
                    trapsFired.add("member " + m + " " + trap.getMessage());
                    crash(m);
                    continue;
                }
                snapshotters[m].doWork(nowNs);
            }
        }
        checker.afterStep(nowNs);
        if (checker.violation() != null)
        {
            throw new AssertionError(checker.violation() + "\n" + String.join("\n", trace.lastLines()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Looking
    // ---------------------------------------------------------------------------------------------------------------

    /** All the given members run in one epoch. */
    boolean running(final int... members)
    {
        long epoch = -1;
        for (final int m : members)
        {
            final SequencerProtocol node = nodes[m];
            if (node == null || node.mode() != NodeMode.RUNNING || (epoch >= 0 && node.currentEpoch() != epoch))
            {
                return false;
            }
            epoch = node.currentEpoch();
        }
        return true;
    }

    /** The {@code N} the current epoch was decided with: the position before its {@code EpochStart}. */
    long decidedN(final int member)
    {
        return logs[member].lastEpochStartPosition() - 1;
    }

    long chkAt(final int member, final long position)
    {
        return logs[member].chkAt(position);
    }

    /** Submit {@code count} transfers from {@code members} in turn, each once it is accepted, a step apart. */
    void submitMany(final int count, final int... members)
    {
        for (int k = 0; k < count; k++)
        {
            final int member = members[k % members.length];
            while (submit(member, 1 + k % 7) != SubmitStatus.ACCEPTED)
            {
                runFor(STEP_NS);
            }
            runFor(STEP_NS);
        }
    }

    /**
     * After a scenario: new events from all three members are acknowledged, the logs are one, the checker and the
     * quiescence check find nothing, and the three ledgers hold one state.
     */
    void assertQuiescentAndEqual()
    {
        submitMany(30, 0, 1, 2);
        runUntil(() -> checker.allAcked() && identical(0, 1, 2), 1_000_000_000L, "acknowledged, one log");
        org.junit.jupiter.api.Assertions.assertNull(checker.violation());
        org.junit.jupiter.api.Assertions.assertNull(checker.quiescenceProblem(ledgers));
        org.junit.jupiter.api.Assertions.assertEquals(ledgers[0].digest(), ledgers[2].digest(), "one state");
        org.junit.jupiter.api.Assertions.assertEquals(ledgers[1].digest(), ledgers[2].digest(), "one state");
    }

    boolean identical(final int... members)
    {
        for (final int m : members)
        {
            if (logs[m].have() != logs[members[0]].have() ||
                logs[m].chkAt(logs[m].have()) != logs[members[0]].chkAt(logs[members[0]].have()))
            {
                return false;
            }
        }
        return true;
    }

    LogEntry entry(final int member, final long position)
    {
        final LogEntry entry = new LogEntry();
        if (!logs[member].read(position, entry))
        {
            throw new AssertionError("member " + member + " has no entry at " + position);
        }
        return entry;
    }

    String state()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nodes.length; i++)
        {
            sb.append("\n  member ").append(cluster.memberId(i));
            final SequencerProtocol p = nodes[i];
            if (p == null)
            {
                sb.append(" down, log ").append(logs[i].have());
                continue;
            }
            sb.append(' ').append(p.mode()).append('/').append(p.bootPhase()).append(" epoch ")
                .append(p.currentEpoch()).append(" have ").append(logs[i].have()).append(" g ")
                .append(p.guaranteed());
        }
        return sb.toString();
    }
}
