package io.sequencer.node;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EventLog;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.runtime.CompletionListener;
import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.sim.AccountLedger;
import io.sequencer.storage.DurableFiles;
import io.sequencer.transport.aeron.AeronTransportContext;
import io.sequencer.transport.aeron.Authentication;
import io.sequencer.transport.aeron.LoopbackPorts;
import io.aeron.driver.ThreadingMode;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code sequencer demo}: a cluster in one process over real Aeron (loopback multicast, embedded drivers) with
 * Chronicle Queue logs in a temporary directory, an account ledger under load, latency from the intended send time
 * to the durable acknowledgement (kept as an HdrHistogram log and a plot), and a final check that every log is
 * identical.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Start a 1-3 member cluster in this process over Aeron on loopback multicast with Chronicle Queue logs in a "
            + "temporary directory, submit account-ledger transfers at a fixed rate, and report throughput and the "
            + "latency from the intended send time (a fixed-rate schedule: coordinated omission corrected) to the "
            + "durable acknowledgement, kept as an HdrHistogram log and a plot; finally check that all logs are "
            + "identical.",
        "The members share one duty-cycle thread (a CompositeAgent), the way to run three members on two cores.",
        "Every frame is authenticated (HMAC-SHA256) with a key generated in memory for this run." },
    footer = { "", "The last line is: logs identical on <n> nodes: <entries> entries, chk <hex>" })
final class DemoCommand implements Callable<Integer>
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int PENDING_SLOTS = 1 << 14;

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "1|2|3", defaultValue = "3",
        description = "Members (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--events", paramLabel = "N", defaultValue = "100000",
        description = "Events to submit (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "5000",
        description = "Events per second offered (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20000",
        description = "Events submitted first, at the same rate, and not measured: the JIT compiles the hot path; "
            + "then one collection, so that the measured window counts only its own garbage "
            + "(default: ${DEFAULT-VALUE}).")
    int warmupEvents;

    @Option(names = "--keep", description = "Keep the temporary directory (logs, counters) and print its path.")
    boolean keep;

    @Option(names = "--results", paramLabel = "DIR",
        description = "Where the latency histogram goes: " + LatencyReport.LOG_FILE + " (HdrHistogram's log), " +
            LatencyReport.PERCENTILES_FILE + " (percentiles in us) and " + LatencyReport.PLOT_FILE + " (a plot) " +
            "(default: a new directory sequencer-demo-results-* in the temporary directory).")
    Path results;

    private long acknowledged;
    private long refused;
    private final long[] refusedByStatus = new long[8];
    private int retryHead;
    private int retryTail;
    /**
     * The load's bookkeeping, allocated once before the warm-up for the larger phase: allocated at the start of the
     * measured phase, its 7 MB (at 600,000 events) brought a young collection into the window it measures.
     */
    private long[] submittedAtNs;
    private int[] retry;
    private int[][] pendingEvent;
    private final StringBuilder progressLine = new StringBuilder(128);
    private char[] progressChars = new char[128];

    public Integer call() throws Exception
    {
        if (nodes < 1 || nodes > 3)
        {
            throw new ParameterException(spec.commandLine(), "--nodes: expected 1, 2 or 3, got " + nodes);
        }
        if (events < 1)
        {
            throw new ParameterException(spec.commandLine(), "--events: expected >= 1, got " + events);
        }
        if (rate < 1)
        {
            throw new ParameterException(spec.commandLine(), "--rate: expected >= 1 per second, got " + rate);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final Path root = Files.createTempDirectory("sequencer-demo-");
        final SplittableRandom random = new SplittableRandom(System.nanoTime());
        final int clusterId = 1 + random.nextInt(1 << 20);
        final int port = LoopbackPorts.forCluster(nodes, random);
        final ClusterConfig cluster = ClusterConfig.ofSize(clusterId, nodes);
        out.printf("demo: %d node%s over Aeron (loopback multicast port %d, embedded drivers), Chronicle logs in %s%n",
            nodes, nodes == 1 ? "" : "s", port, root);
        out.flush();

        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key); // this run's cluster key: never written anywhere
        final DurableMember[] members = new DurableMember[nodes];
        final SequencerClient[] clients = new SequencerClient[nodes];
        AgentRunner runner = null;
        try
        {
            for (int i = 0; i < nodes; i++)
            {
                final ProtocolContext protocol = new ProtocolContext()
                    .cluster(cluster)
                    .memberId(i)
                    .bootstrap(true)
                    .maxResultLength(AccountLedger.RESULT_LENGTH)
                    .checkpointInterval(50_000);
                final AeronTransportContext transport = transportContext(cluster, i, port, key);
                members[i] = DurableMember.launch(
                    protocol, root.resolve("member-" + i), transport, new AccountLedger(), new AccountLedger(),
                    new BackoffIdleStrategy(), false, -1,
                    io.sequencer.storage.WriteFailureMarker.defaultDirectory());
            }
            runner = DurableMember.startTogether(members);
            for (int i = 0; i < nodes; i++)
            {
                clients[i] = members[i].sequencer().newClient();
            }

            final UnsafeBuffer event = new UnsafeBuffer(new byte[64]);
            warmUp(clients, event, out);
            final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final int phaseEvents = Math.max(events, warmupEvents) + 1;
            submittedAtNs = new long[phaseEvents];
            retry = new int[phaseEvents];
            // Indexed by correlation id modulo a power of two above a client's in-flight limit (1024 by default).
            pendingEvent = new int[nodes][PENDING_SLOTS];
            if (warmupEvents > 0)
            {
                load(clients, event, latency, random, out, warmupEvents, "warm-up");
                latency.reset();
            }
            // What the start left (class loading, the JIT, three members' set-up: about 25 MB) is collected now, as
            // JMH's -gc does between iterations, so that the window below counts only what its own load allocates.
            System.gc();
            final long startMs = System.currentTimeMillis();
            final long messagesBefore = channelMessages(members);
            final long framesBefore = channelFrames(members);
            final long[] gcBefore = collections();
            final org.agrona.collections.Long2LongHashMap allocatedBefore = allocatedByThread();
            final long elapsedNs = load(clients, event, latency, random, out, events, "measured");
            final long[] gc = collections();
            final org.agrona.collections.Long2LongHashMap allocatedAfter = allocatedByThread();
            final long messages = channelMessages(members) - messagesBefore;
            final long frames = channelFrames(members) - framesBefore;
            final Path resultsDirectory = results != null ? results :
                Files.createTempDirectory("sequencer-demo-results-");
            LatencyReport.write(resultsDirectory, latency, startMs, System.currentTimeMillis(),
                String.format("sequencer demo: %d nodes, %,d events at %,d/s", nodes, events, rate));

            out.printf("throughput: %,d events/s (%,d events acknowledged in %.1f s; refused and retried: %,d " +
                "back-pressured, %,d during an epoch change)%n",
                (long)(acknowledged * 1e9 / elapsedNs), acknowledged, elapsedNs / 1e9,
                refusedByStatus[-SubmitStatus.BACK_PRESSURED], refusedByStatus[-SubmitStatus.NOT_RUNNING]);
            for (final DurableMember m : members)
            {
                final io.sequencer.core.protocol.ProtocolCounters c = m.sequencer().protocol().counters();
                out.printf("member %d: epoch %d (%d epoch changes, %d suspicions, %d boot timeouts), %,d entries%n",
                    m.sequencer().protocol().memberId(), m.sequencer().protocol().currentEpoch(), c.epochChanges(),
                    c.suspicions(), c.bootTimeouts(), m.sequencer().protocol().log().have());
            }
            out.printf("frames per acknowledged event: %.2f messages on the channel, summed over the members " +
                "(%.2f protocol frames in them: events, promises, reports)%n",
                (double)messages / acknowledged, (double)frames / acknowledged);
            out.printf("garbage collections while measured: %d (%d ms in all, every collector of this JVM: the " +
                "members and the load); %s%n", gc[0] - gcBefore[0], gc[1] - gcBefore[1],
                allocatedBetween(allocatedBefore, allocatedAfter, elapsedNs));
            out.printf("latency intended send -> durable ack (us): p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, " +
                "max %.1f%n",
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(90) / 1e3,
                latency.getValueAtPercentile(99) / 1e3, latency.getValueAtPercentile(99.9) / 1e3,
                latency.getMaxValue() / 1e3);
            out.printf("histogram: %s (HdrHistogram log), %s (percentiles), %s (plot)%n",
                resultsDirectory.resolve(LatencyReport.LOG_FILE), LatencyReport.PERCENTILES_FILE,
                LatencyReport.PLOT_FILE);
            out.flush();

            awaitSameLength(members);
            CloseHelper.close(runner);
            runner = null;
            return verifyIdentical(members, out);
        }
        finally
        {
            CloseHelper.quietClose(runner);
            CloseHelper.quietCloseAll(clients);
            CloseHelper.quietCloseAll(members);
            if (keep)
            {
                out.println("kept " + root);
            }
            else
            {
                DurableFiles.deleteTree(root);
            }
            out.flush();
        }
    }

    /**
     * Member {@code memberId}'s transport: loopback multicast on {@code port} (member i publishes on port + i),
     * catch-up on the ports above those, the embedded driver on the duty-cycle thread, every frame tagged with
     * {@code key}.
     */
    static AeronTransportContext transportContext(
        final ClusterConfig cluster, final int memberId, final int port, final byte[] key)
    {
        return new AeronTransportContext()
            .cluster(cluster)
            .memberId(memberId)
            .loopback("239.255.0.1", port)
            .threadingMode(ThreadingMode.INVOKER)
            .authentication(Authentication.ALL)
            .secret(key);
    }

    /** The first event of each member waits for the cluster's first epoch to run. */
    private static void warmUp(final SequencerClient[] clients, final UnsafeBuffer event, final PrintWriter out)
    {
        for (final SequencerClient client : clients)
        {
            final int length = AccountLedger.encodeTransfer(event, 0, 0, 1, 1, 0);
            final SequencerClient.Outcome outcome = client.submitAndWait(
                event, 0, length, TIMEOUT_NS, new YieldingIdleStrategy());
            if (!outcome.completed())
            {
                throw new IllegalStateException("the cluster did not start within 60 s: " + outcome);
            }
        }
        out.println("cluster running; load starts");
        out.flush();
    }

    private long load(
        final SequencerClient[] clients, final UnsafeBuffer event, final Histogram latency,
        final SplittableRandom random, final PrintWriter out, final int events, final String phase)
    {
        acknowledged = 0;
        retryHead = 0;
        retryTail = 0;
        java.util.Arrays.fill(refusedByStatus, 0);
        final long intervalNs = 1_000_000_000L / rate;
        final long startNs = System.nanoTime();
        long nextSendNs = startNs;
        long nextProgressNs = startNs + TimeUnit.SECONDS.toNanos(1);
        final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(Math.max(60, 3L * events / rate));
        int sent = 0;
        final int[] currentClient = new int[1];
        final CompletionListener listener = new CompletionListener()
        {
            public void onCompleted(final long correlationId, final long position, final int status,
                final DirectBuffer result, final int offset, final int length)
            {
                final int e = pendingEvent[currentClient[0]][(int)(correlationId & (PENDING_SLOTS - 1))];
                latency.recordValue(Math.min(latency.getHighestTrackableValue(), System.nanoTime() - submittedAtNs[e]));
                acknowledged++;
            }

            public void onRejected(final long correlationId, final int status)
            {
                // The node refused it (the channel back-pressured, or an epoch change is under way): offer the
                // same event again; its latency keeps counting from the first attempt.
                refused++;
                refusedByStatus[-status]++;
                final int e = pendingEvent[currentClient[0]][(int)(correlationId & (PENDING_SLOTS - 1))];
                retry[retryTail++ % retry.length] = e;
            }
        };
        while (acknowledged < events && System.nanoTime() < deadlineNs)
        {
            final long now = System.nanoTime();
            final boolean retrying = retryHead < retryTail;
            if ((retrying || sent < events) && now >= nextSendNs)
            {
                final int e = retrying ? retry[retryHead % retry.length] : sent;
                final int c = e % clients.length;
                final int length = AccountLedger.encodeTransfer(
                    event, 0, e % AccountLedger.ACCOUNTS, (e / 7 + 1 + e) % AccountLedger.ACCOUNTS,
                    1 + random.nextInt(100), 0);
                if (!retrying)
                {
                    // The intended send time, not the actual one: a submit that waited behind a slow one counts
                    // its wait (coordinated omission; it under-reported p99 by 1.2-1.7x, issue 11).
                    submittedAtNs[e] = nextSendNs;
                }
                final long id = clients[c].submit(event, 0, length);
                if (id > 0)
                {
                    pendingEvent[c][(int)(id & (PENDING_SLOTS - 1))] = e;
                    if (retrying)
                    {
                        retryHead++;
                    }
                    else
                    {
                        sent++;
                    }
                    nextSendNs += intervalNs;
                }
                else if (id != SubmitStatus.BACK_PRESSURED)
                {
                    throw new IllegalStateException("submit refused: " + SubmitStatus.name((int)id));
                }
            }
            for (int c = 0; c < clients.length; c++)
            {
                currentClient[0] = c;
                clients[c].poll(listener, 64);
            }
            if (now >= nextProgressNs)
            {
                printProgress(out, phase, events, latency.getValueAtPercentile(50));
                nextProgressNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
        if (acknowledged < events)
        {
            throw new IllegalStateException("only " + acknowledged + " of " + events + " acknowledged in time");
        }
        return System.nanoTime() - startNs;
    }

    /**
     * "progress (phase): 1,234 of 5,000 acknowledged, p50 so far 123.4 us", written through buffers kept from line to
     * line: printf's number formats allocate, and this runs in the window whose collections the demo counts.
     */
    private void printProgress(final PrintWriter out, final String phase, final int events, final long p50Ns)
    {
        final StringBuilder line = progressLine;
        line.setLength(0);
        line.append("progress (").append(phase).append("): ");
        appendGrouped(line, acknowledged);
        line.append(" of ");
        appendGrouped(line, events);
        final long tenthsOfUs = (p50Ns + 50) / 100;
        line.append(" acknowledged, p50 so far ").append(tenthsOfUs / 10).append('.').append(tenthsOfUs % 10)
            .append(" us").append(System.lineSeparator());
        if (progressChars.length < line.length())
        {
            progressChars = new char[2 * line.length()];
        }
        line.getChars(0, line.length(), progressChars, 0);
        out.write(progressChars, 0, line.length());
        out.flush();
    }

    /** {@code value}, not negative, with a comma every three digits, as {@code %,d} writes it. */
    static void appendGrouped(final StringBuilder to, final long value)
    {
        if (value >= 1000)
        {
            appendGrouped(to, value / 1000);
            final long group = value % 1000;
            to.append(',').append(group < 100 ? (group < 10 ? "00" : "0") : "").append(group);
            return;
        }
        to.append(value);
    }

    /** Collections so far and the milliseconds they took, summed over this JVM's collectors. */
    private static long[] collections()
    {
        final long[] total = new long[2];
        for (final java.lang.management.GarbageCollectorMXBean gc :
            java.lang.management.ManagementFactory.getGarbageCollectorMXBeans())
        {
            total[0] += Math.max(0, gc.getCollectionCount());
            total[1] += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /**
     * Bytes each live thread has allocated so far, by thread id; null where the JVM cannot tell. The members' threads
     * live through the whole run; a thread that ends inside the window is not counted.
     */
    private static org.agrona.collections.Long2LongHashMap allocatedByThread()
    {
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!(threads instanceof com.sun.management.ThreadMXBean) ||
            !((com.sun.management.ThreadMXBean)threads).isThreadAllocatedMemoryEnabled())
        {
            return null;
        }
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = ((com.sun.management.ThreadMXBean)threads).getThreadAllocatedBytes(ids);
        final org.agrona.collections.Long2LongHashMap byThread = new org.agrona.collections.Long2LongHashMap(-1);
        for (int i = 0; i < ids.length; i++)
        {
            if (bytes[i] >= 0)
            {
                byThread.put(ids[i], bytes[i]);
            }
        }
        return byThread;
    }

    /** What the threads alive at {@code after} allocated since {@code before} (0 before for a thread new since). */
    private static String allocatedBetween(
        final org.agrona.collections.Long2LongHashMap before, final org.agrona.collections.Long2LongHashMap after,
        final long elapsedNs)
    {
        if (before == null || after == null)
        {
            return "allocation not measured (this JVM cannot tell)";
        }
        final long[] total = new long[1];
        after.forEachLong((thread, bytes) ->
        {
            final long then = before.get(thread);
            total[0] += bytes - (then < 0 ? 0 : then);
        });
        return String.format("%.1f MB allocated by its threads, %.0f kB/s", total[0] / 1e6,
            total[0] / 1e3 / (elapsedNs / 1e9));
    }

    /** Messages the members sent on the shared channel (a batch of frames or one frame alone each). */
    private static long channelMessages(final DurableMember[] members)
    {
        long messages = 0;
        for (final DurableMember member : members)
        {
            messages += member.transportCounters().messages();
        }
        return messages;
    }

    /** Protocol frames the members sent on the shared channel (the catch-up stream's left out). */
    private static long channelFrames(final DurableMember[] members)
    {
        long frames = 0;
        for (final DurableMember member : members)
        {
            final io.sequencer.core.protocol.ProtocolCounters counters = member.sequencer().protocol().counters();
            for (int type = 1; type < io.sequencer.core.codec.MessageType.COUNT; type++)
            {
                if (!io.sequencer.core.codec.MessageType.isPointToPoint(type))
                {
                    frames += counters.framesOut(type);
                }
            }
        }
        return frames;
    }

    /** Every member serializes every event; the last acknowledgement may precede a member's last append. */
    private static void awaitSameLength(final DurableMember[] members)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            final long first = members[0].sequencer().protocol().log().have();
            boolean same = true;
            for (final DurableMember member : members)
            {
                same &= member.sequencer().protocol().log().have() == first;
            }
            if (same)
            {
                return;
            }
            Thread.yield();
        }
    }

    private static int verifyIdentical(final DurableMember[] members, final PrintWriter out)
    {
        final EventLog first = members[0].sequencer().protocol().log();
        final long have = first.have();
        final long chk = first.chkAt(have);
        for (int i = 1; i < members.length; i++)
        {
            final EventLog log = members[i].sequencer().protocol().log();
            if (log.have() != have || log.chkAt(log.have()) != chk)
            {
                out.printf("logs differ: member 0 has %d entries, chk %016x; member %d has %d, chk %016x%n",
                    have, chk, i, log.have(), log.chkAt(log.have()));
                return 1;
            }
        }
        out.printf("logs identical on %d nodes: %d entries, chk %016x%n", members.length, have, chk);
        return 0;
    }
}
