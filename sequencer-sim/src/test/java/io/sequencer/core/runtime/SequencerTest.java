package io.sequencer.core.runtime;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.CompletionHandler;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNetwork;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SubmitStatus;
import io.sequencer.sim.AccountLedger;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded node end to end on in-memory storage and network: clients on the test thread, the nodes' duty
 * cycles on a runner thread, counters and errors read back from the node's file as another process would.
 */
class SequencerTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[64]);

    @AfterEach
    void close()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    private Sequencer.Context context(final ClusterConfig cluster, final int memberId, final InMemoryNetwork network,
        final boolean ownThread)
    {
        return new Sequencer.Context()
            .protocol(new ProtocolContext().cluster(cluster).memberId(memberId).bootstrap(true)
                .maxResultLength(AccountLedger.RESULT_LENGTH))
            .directory(new File(dir.toFile(), "member-" + memberId))
            .log(new InMemoryEventLog())
            .checkpoints(new InMemoryCheckpointStore())
            .store(new InMemoryNodeStore())
            .transport(network.endpoint(memberId))
            .idleStrategy(new SleepingMillisIdleStrategy(1))
            .ownThread(ownThread);
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private int transfer(final int from, final int to, final long amount)
    {
        return AccountLedger.encodeTransfer(event, 0, from, to, amount, 0);
    }

    @Test
    void threeNodesOnOneThreadAcknowledgeEveryClientsEvents()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(5, 3);
        final InMemoryNetwork network = InMemoryNetwork.immediate(cluster.memberIds());
        final Sequencer[] nodes = new Sequencer[3];
        for (int i = 0; i < 3; i++)
        {
            nodes[i] = Sequencer.launch(context(cluster, i, network, false), new AccountLedger());
            closeables.add(nodes[i]);
        }
        final AgentRunner runner = new AgentRunner(new YieldingIdleStrategy(), Throwable::printStackTrace, null,
            new CompositeAgent(nodes[0].agent(), nodes[1].agent(), nodes[2].agent()));
        AgentRunner.startOnThread(runner);
        closeables.add(runner);

        final SequencerClient[] clients = new SequencerClient[3];
        for (int i = 0; i < 3; i++)
        {
            clients[i] = nodes[i].newClient();
            closeables.add(clients[i]);
        }
        long lastPosition = 0;
        for (int k = 0; k < 30; k++)
        {
            final SequencerClient client = clients[k % 3];
            final SequencerClient.Outcome outcome = client.submitAndWait(
                event, 0, transfer(k % 8, (k + 1) % 8, 10), TIMEOUT_NS, new YieldingIdleStrategy());
            assertTrue(outcome.completed(), "event " + k + ": " + outcome);
            assertTrue(outcome.position() > lastPosition, "real-time order");
            lastPosition = outcome.position();
            assertEquals(AccountLedger.OK, outcome.result()[0]);
        }
        final long last = lastPosition;
        awaitTrue(() -> nodes[0].protocol().log().have() >= last && nodes[1].protocol().log().have() >= last &&
            nodes[2].protocol().log().have() >= last, "every log holds every event");
        assertEquals(nodes[0].protocol().log().chkAt(last), nodes[1].protocol().log().chkAt(last));
        assertEquals(nodes[0].protocol().log().chkAt(last), nodes[2].protocol().log().chkAt(last));
    }

    @Test
    void theDutyThreadTakesTheConfiguredTimerSlack()
    {
        org.junit.jupiter.api.Assumptions.assumeTrue(
            java.nio.file.Files.isSymbolicLink(java.nio.file.Path.of("/proc/thread-self")), "skipped: not Linux");
        final ClusterConfig cluster = ClusterConfig.ofSize(6, 1);
        final InMemoryNetwork network = InMemoryNetwork.immediate(0);
        final Sequencer configured = Sequencer.launch(context(cluster, 0, network, true).timerSlackNs(3_000),
            new AccountLedger());
        closeables.add(configured);
        assertEquals(3_000L, configured.query(ledger -> TimerSlack.get()).join(), "set on the duty thread");
        final Sequencer byDefault = Sequencer.launch(context(ClusterConfig.ofSize(7, 1), 0,
            InMemoryNetwork.immediate(0), true), new AccountLedger());
        closeables.add(byDefault);
        assertEquals(TimerSlack.get(), byDefault.query(ledger -> TimerSlack.get()).join(),
            "by default the thread keeps the slack of the thread that started it");
        final IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> context(ClusterConfig.ofSize(8, 1), 0, InMemoryNetwork.immediate(0),
            true).timerSlackNs(-1).conclude());
        assertTrue(refused.getMessage().startsWith("timerSlackNs"), refused.getMessage());
    }

    @Test
    void asynchronousClientPipelinesAndHearsEveryOutcome()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(6, 1);
        final InMemoryNetwork network = InMemoryNetwork.immediate(0);
        final Sequencer node = Sequencer.launch(
            context(cluster, 0, network, true).clientMaxInFlight(64).idleStrategy(new YieldingIdleStrategy()),
            new AccountLedger());
        closeables.add(node);
        final SequencerClient client = node.newClient();
        closeables.add(client);

        final long[] completed = new long[1];
        final long[] rejected = new long[1];
        final CompletionListener listener = new CompletionListener()
        {
            public void onCompleted(final long correlationId, final long position, final int status,
                final DirectBuffer result, final int offset, final int length)
            {
                assertEquals(CompletionHandler.OK, status);
                assertEquals(AccountLedger.RESULT_LENGTH, length);
                completed[0]++;
            }

            public void onRejected(final long correlationId, final int status)
            {
                rejected[0]++;
            }
        };
        int submitted = 0;
        boolean sawBackPressure = false;
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (submitted < 1000 && System.nanoTime() < deadline)
        {
            final long id = client.submit(event, 0, transfer(1, 2, 1));
            if (id > 0)
            {
                submitted++;
            }
            else
            {
                assertEquals(SubmitStatus.BACK_PRESSURED, id);
                sawBackPressure = true;
            }
            client.poll(listener, 16);
        }
        awaitTrue(() -> client.poll(listener, 64) >= 0 && completed[0] + rejected[0] == 1000, "all outcomes");
        assertEquals(0, client.inFlight());
        assertTrue(completed[0] > 0);
        assertTrue(sawBackPressure, "64 in flight at most");
        assertEquals(SubmitStatus.TOO_LARGE, client.submit(new UnsafeBuffer(new byte[8192]), 0, 8192));

        final long total = node.query(ledger -> ((AccountLedger)ledger).total()).join();
        assertEquals(AccountLedger.ACCOUNTS * AccountLedger.INITIAL_BALANCE, total, "money is conserved");
        final long moved = node.query(ledger -> ((AccountLedger)ledger).balance(2)).join();
        assertEquals(AccountLedger.INITIAL_BALANCE + completed[0], moved, "each completed transfer moved 1 to 2");
    }

    @Test
    void countersAndErrorsAreReadableFromTheNodeFileAndMarkedClosed()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(7, 1);
        final InMemoryNetwork network = InMemoryNetwork.immediate(0);
        final AccountLedger ledger = new AccountLedger();
        final io.sequencer.core.StateMachine throwingLedger = new io.sequencer.core.StateMachine()
        {
            public int apply(final long position, final DirectBuffer ev, final int offset, final int length,
                final org.agrona.MutableDirectBuffer result, final int resultOffset)
            {
                if (ev.getInt(offset, java.nio.ByteOrder.LITTLE_ENDIAN) == 7)
                {
                    throw new IllegalStateException("account 7 is frozen");
                }
                return ledger.apply(position, ev, offset, length, result, resultOffset);
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
        final Sequencer node = Sequencer.launch(context(cluster, 0, network, true), throwingLedger);
        final SequencerClient client = node.newClient();
        final SequencerClient.Outcome outcome = client.submitAndWait(
            event, 0, transfer(7, 1, 5), TIMEOUT_NS, new YieldingIdleStrategy());
        assertEquals(CompletionHandler.APPLY_FAILED, outcome.status(), "durable, but the state machine threw");

        final File nodeDir = new File(dir.toFile(), "member-0");
        try (NodeStatFile file = NodeStatFile.open(nodeDir))
        {
            // Counters are copied one after another by the duty cycle: wait for both rather than read a half update.
            awaitTrue(() -> file.counterValue("completed") == 1 && file.counterValue("state machine errors") == 1,
                "the completed and state machine error counters");
            assertEquals(2, file.counterValue("mode (0 init, 1 boot, 2 running, 3 stopped)"));
            assertEquals(0, file.closedTimeMs(), "running");
            final List<String> errors = new ArrayList<>();
            ErrorLogReader.read(file.errorLogBuffer(), (count, first, last, text) -> errors.add(text));
            assertEquals(1, errors.size());
            assertTrue(errors.get(0).contains("account 7 is frozen"));
        }

        client.close();
        node.close();
        assertEquals(NodeMode.RUNNING, node.protocol().mode());
        try (NodeStatFile file = NodeStatFile.open(nodeDir))
        {
            assertNotEquals(0, file.closedTimeMs(), "marked closed");
        }
    }

    @Test
    void theDutyCycleRecordsAnExceptionAndGoesOnButLeavesAnErrorToItsRunner()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(5, 1);
        final InMemoryNetwork network = InMemoryNetwork.immediate(cluster.memberIds());
        final List<Throwable> recorded = new ArrayList<>();
        final Sequencer node = Sequencer.launch(context(cluster, 0, network, false).errorHandler(recorded::add),
            new AccountLedger());
        closeables.add(node);
        node.agent().onStart();

        final java.util.concurrent.CompletableFuture<Object> failing = node.query(ledger ->
        {
            throw new IllegalStateException("a query that fails");
        });
        node.agent().doWork();
        assertTrue(failing.isCompletedExceptionally(), "the query's caller sees its exception");
        assertEquals(null, node.agent().stoppedBy(), "an exception does not stop the duty cycle");

        node.query(ledger ->
        {
            throw new AssertionError("an invariant broken inside the duty cycle");
        });
        final AssertionError thrown = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
            () -> node.agent().doWork(), "an Error is not swallowed: the runner stops the agent");
        assertEquals("an invariant broken inside the duty cycle", thrown.getMessage());
        assertTrue(recorded.contains(thrown), "and it is recorded first: " + recorded);
        assertEquals(thrown, node.agent().stoppedBy(), "the agent says why it cannot go on (a node exits on it)");
        node.agent().doWork(); // a later cycle runs normally (the runner, not the agent, decides to stop)

        node.close();
        final java.util.concurrent.CompletableFuture<Object> late = node.query(ledger -> 1);
        assertTrue(late.isCompletedExceptionally(), "a query after close is answered, not left waiting");
    }

    /**
     * A full disk (the log's append throws {@link io.sequencer.core.LogUnwritableException}) stops the member: its
     * mode says so and the agent says why, for the node command to exit on; the duty cycle itself is not ended, so
     * members sharing its thread go on. Nothing the member reported is lost: the entry that found no room is not in
     * its log, and the event's caller gets no outcome from a stopped member.
     */
    @Test
    void aLogWithoutRoomStopsTheMemberButNotTheDutyCycle()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(5, 1);
        final InMemoryNetwork network = InMemoryNetwork.immediate(cluster.memberIds());
        final List<Throwable> recorded = new ArrayList<>();
        final InMemoryEventLog log = new InMemoryEventLog();
        final Sequencer node = Sequencer.launch(context(cluster, 0, network, false).log(log)
            .errorHandler(recorded::add), new AccountLedger());
        closeables.add(node);
        final SequencerClient client = node.newClient();
        closeables.add(client);
        node.agent().onStart();
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (node.protocol().mode() != NodeMode.RUNNING && System.nanoTime() < deadline)
        {
            node.agent().doWork();
        }
        assertEquals(NodeMode.RUNNING, node.protocol().mode());
        log.room(log.have() - log.base()); // full: the next entry finds no room

        assertTrue(client.submit(event, 0, transfer(1, 2, 1)) > 0);
        final long have = log.have();
        for (int i = 0; i < 10 && node.agent().stoppedBy() == null; i++)
        {
            node.agent().doWork(); // does not throw
        }
        assertTrue(node.agent().stoppedBy() instanceof io.sequencer.core.LogUnwritableException,
            "the agent says why (a node exits on it): " + node.agent().stoppedBy());
        assertEquals(NodeMode.STOPPED, node.protocol().mode(), "the member stops");
        assertEquals(have, log.have(), "nothing appended");
        assertTrue(recorded.stream().anyMatch(e -> e.getMessage().contains("its event log cannot be written")),
            "the stop is recorded, saying why: " + recorded);
        node.agent().doWork(); // the duty cycle goes on, for the other members on its thread
        assertEquals(have, log.have());
    }

    /**
     * The start finishes a cut recorded before a crash; one that cannot be written stops the member there too: the
     * agent says why (the node command exits on it) instead of a runner that never runs the duty cycle and a node
     * that waits for ever.
     */
    @Test
    void aCutThatCannotBeWrittenAtTheStartStopsTheMember()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(5, 1);
        final InMemoryNetwork network = InMemoryNetwork.immediate(cluster.memberIds());
        final InMemoryEventLog log = new InMemoryEventLog();
        final io.sequencer.core.LogEntry appending = new io.sequencer.core.LogEntry();
        for (long p = 1; p <= 3; p++)
        {
            log.append(appending.header(io.sequencer.core.EntryType.EVENT, 1, p, 0, 1, p, p).payload(event, 0, 8));
        }
        final InMemoryNodeStore store = new InMemoryNodeStore();
        store.unrollIntent(1); // a cut to entry 1 was recorded, then the process died
        final io.sequencer.core.LogUnwritableException full = new io.sequencer.core.LogUnwritableException(
            "event log x: cannot record the cut to entry 1", new java.io.IOException("No space left on device"));
        final io.sequencer.core.EventLog unwritable = new io.sequencer.sim.ForwardingEventLog(log)
        {
            public void unrollTo(final long position, final long floor)
            {
                throw full;
            }
        };
        final List<Throwable> recorded = new ArrayList<>();
        final Sequencer node = Sequencer.launch(context(cluster, 0, network, false).log(unwritable).store(store)
            .errorHandler(recorded::add), new AccountLedger());
        closeables.add(node);

        node.agent().onStart(); // does not throw
        assertEquals(full, node.agent().stoppedBy(), "the agent says why (a node exits on it)");
        assertEquals(NodeMode.STOPPED, node.protocol().mode());
        assertEquals(3, log.have(), "nothing cut");
        assertTrue(recorded.contains(full), "recorded: " + recorded);
        node.agent().doWork(); // and the duty cycle runs
    }

    /**
     * Under {@code batch} a failed force (fdatasync) stops the member like a full disk, and records a cut back to its
     * last forced entry, which its next start makes: after a failed fdatasync the page cache may show entries the disk
     * never took, and the next fdatasync may succeed without writing them, so the entries it did not force are
     * fetched again rather than trusted (docs/protocol.md §10.7).
     */
    @Test
    void underBatchAFailedForceStopsTheMemberAndItsNextStartCutsWhatWasNotForced()
    {
        final InMemoryEventLog log = new InMemoryEventLog().deferRequestedForces(true);
        final InMemoryNodeStore store = new InMemoryNodeStore();
        final Sequencer node = runningUnderBatch(log, store);
        final SequencerClient client = node.newClient();
        closeables.add(client);
        assertTrue(client.submit(event, 0, transfer(1, 2, 1)) > 0);
        for (int i = 0; i < 10; i++)
        {
            node.agent().doWork();
            log.completeRequestedForce();
        }
        final long forced = log.forcedPosition();
        assertEquals(log.have(), forced, "all forced so far");

        log.failForces(true);
        assertTrue(client.submit(event, 0, transfer(2, 3, 1)) > 0);
        for (int i = 0; i < 10 && node.agent().stoppedBy() == null; i++)
        {
            node.agent().doWork();
        }
        assertTrue(node.agent().stoppedBy() instanceof io.sequencer.core.LogUnwritableException,
            "stopped by the failed force: " + node.agent().stoppedBy());
        assertEquals(NodeMode.STOPPED, node.protocol().mode());
        assertTrue(log.have() > forced, "the event appended, not forced");
        assertEquals(forced, store.unrollIntent(), "the cut back to the last forced entry, recorded");
        node.close();

        log.failForces(false); // the disk mended, the process started again in the same boot
        final ClusterConfig cluster = ClusterConfig.ofSize(5, 1);
        final Sequencer restarted = Sequencer.launch(context(cluster, 0, InMemoryNetwork.immediate(cluster.memberIds()),
            false).log(log).store(store), new AccountLedger());
        closeables.add(restarted);
        restarted.agent().onStart();
        assertEquals(forced, log.have(), "what was not forced is cut, not trusted");
        assertEquals(-1, store.unrollIntent(), "and the intent is done");
        runUntilRunning(restarted, log);
        assertEquals(NodeMode.RUNNING, restarted.protocol().mode(), "and the member runs again, intact: " +
            restarted.protocol().isIntact());
        assertTrue(restarted.protocol().isIntact());
    }

    /** A member of a cluster of one under {@code batch} on {@code log} and {@code store}, started and running. */
    private Sequencer runningUnderBatch(final InMemoryEventLog log, final InMemoryNodeStore store)
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(5, 1);
        final InMemoryNetwork network = InMemoryNetwork.immediate(cluster.memberIds());
        final Sequencer.Context context = context(cluster, 0, network, false).log(log).store(store);
        context.protocol().durability(io.sequencer.core.Durability.BATCH);
        final Sequencer node = Sequencer.launch(context, new AccountLedger());
        closeables.add(node);
        node.agent().onStart();
        runUntilRunning(node, log);
        assertEquals(NodeMode.RUNNING, node.protocol().mode());
        return node;
    }

    /** Run {@code node}'s duty cycle, completing the forces it asks {@code log} for, until it runs or time is up. */
    private static void runUntilRunning(final Sequencer node, final InMemoryEventLog log)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (node.protocol().mode() != NodeMode.RUNNING && System.nanoTime() < deadline)
        {
            node.agent().doWork();
            log.completeRequestedForce();
        }
    }

    /** The force at close may be the first to fail: the member stops on it, records the cut, and says why. */
    @Test
    void underBatchAForceThatFailsFirstAtCloseStopsTheMemberAndRecordsTheCut()
    {
        final InMemoryEventLog log = new InMemoryEventLog().deferRequestedForces(true);
        final InMemoryNodeStore store = new InMemoryNodeStore();
        final Sequencer node = runningUnderBatch(log, store);
        final SequencerClient client = node.newClient();
        closeables.add(client);
        assertTrue(client.submit(event, 0, transfer(1, 2, 1)) > 0);
        for (int i = 0; i < 10; i++)
        {
            node.agent().doWork(); // appended, its force requested and never done
        }
        final long forced = log.forcedPosition();
        assertTrue(log.have() > forced);
        assertEquals(null, node.agent().stoppedBy());

        log.failForces(true);
        node.close(); // does not throw
        assertTrue(node.agent().stoppedBy() instanceof io.sequencer.core.LogUnwritableException,
            "the node exits non-zero on it: " + node.agent().stoppedBy());
        assertEquals(forced, store.unrollIntent(), "the cut back to the last forced entry, recorded");
    }

    @Test
    void anAcceptedEventWhoseOutcomeComesLateIsTimedOutNotBackPressured()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(5, 1);
        final InMemoryNetwork network = InMemoryNetwork.immediate(cluster.memberIds());
        final Sequencer node = Sequencer.launch(context(cluster, 0, network, false), new AccountLedger());
        closeables.add(node);
        final SequencerClient client = node.newClient();
        closeables.add(client);

        node.agent().onStart();
        awaitTrue(() ->
        {
            node.agent().doWork();
            return node.protocol().mode() == NodeMode.RUNNING;
        }, "the node running");

        // nobody runs the duty cycle now: the submit is taken into the ingress ring, its outcome cannot come
        final SequencerClient.Outcome outcome = client.submitAndWait(event, 0, transfer(1, 2, 5),
            TimeUnit.MILLISECONDS.toNanos(20), new SleepingMillisIdleStrategy(1));
        assertEquals(SubmitStatus.TIMED_OUT, outcome.status(), SubmitStatus.name(outcome.status()));
        assertTrue(outcome.correlationId() >= 0, "it was accepted: " + outcome);

        // the event is still ordered once the duty cycle runs again, and completes under the same correlation id
        final long[] completed = { -1 };
        awaitTrue(() ->
        {
            node.agent().doWork();
            client.poll(new CompletionListener()
            {
                public void onCompleted(final long correlationId, final long position, final int status,
                    final DirectBuffer result, final int offset, final int length)
                {
                    completed[0] = correlationId;
                }

                public void onRejected(final long correlationId, final int status)
                {
                    completed[0] = -2;
                }
            }, 16);
            return completed[0] != -1;
        }, "the late completion");
        assertEquals(outcome.correlationId(), completed[0]);
    }
}
