package io.sequencer.benchmarks;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.memory.InMemoryNetwork;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.runtime.CompletionListener;
import io.sequencer.core.runtime.Sequencer;
import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.storage.ChronicleLogContext;
import io.sequencer.storage.CommittedLogReader;
import io.sequencer.storage.NodeStorage;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 12's latency target, measured as a caller sees it: a one-member node (Chronicle log, in-memory transport)
 * whose state machine holds {@code --state-mb} of state ({@link CellsStateMachine}), offered events at a fixed
 * {@code --rate}, latency from each event's intended send time (coordinated omission) to its durable acknowledgement,
 * with checkpoints every {@code --interval} positions written by the snapshot thread ("on") and with none ("off"),
 * alternated in one run for {@code --pairs} pairs. Prints each run and the median of each percentile over the pairs,
 * with the ratio on/off.
 * <pre>
 * java $(cat sequencer-node/target/jvm-flags.txt) -cp benchmarks/target/benchmarks.jar \
 *     io.sequencer.benchmarks.SnapshotLatencyRun --rate 20000 --seconds 20 --pairs 3
 * </pre>
 */
public final class SnapshotLatencyRun
{
    private static final int EVENT_LENGTH = 64;
    private static final int SLOTS = 1 << 16;
    private static final long PARK_THRESHOLD_NS = 200_000;

    private final int rate;
    private final int seconds;
    private final int warmupSeconds;
    private final int stateMegabytes;
    private final long interval;

    private SnapshotLatencyRun(final int rate, final int seconds, final int warmupSeconds, final int stateMegabytes,
        final long interval)
    {
        this.rate = rate;
        this.seconds = seconds;
        this.warmupSeconds = warmupSeconds;
        this.stateMegabytes = stateMegabytes;
        this.interval = interval;
    }

    public static void main(final String[] args)
    {
        int rate = 20_000;
        int seconds = 20;
        int warmup = 5;
        int stateMegabytes = 16;
        long interval = 100_000;
        int pairs = 3;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            final String value = args[i + 1];
            switch (args[i])
            {
                case "--rate" -> rate = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup-seconds" -> warmup = Integer.parseInt(value);
                case "--state-mb" -> stateMegabytes = Integer.parseInt(value);
                case "--interval" -> interval = Long.parseLong(value);
                case "--pairs" -> pairs = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + ": expected --rate, " +
                    "--seconds, --warmup-seconds, --state-mb, --interval, --pairs");
            }
        }
        final SnapshotLatencyRun run = new SnapshotLatencyRun(rate, seconds, warmup, stateMegabytes, interval);
        System.out.printf("one member, %d MiB of state, %,d events/s for %d s (after %d s of warm-up) a run; " +
            "checkpoints every %,d positions (on) or none (off); latency from the intended send time%n",
            stateMegabytes, rate, seconds, warmup, interval);
        final double[] percentiles = { 50, 99, 99.9 };
        final List<double[]> off = new ArrayList<>();
        final List<double[]> on = new ArrayList<>();
        for (int pair = 0; pair < pairs; pair++)
        {
            for (int k = 0; k < 2; k++)
            {
                final boolean snapshots = (pair + k) % 2 == 1; // off first, then on first: drift hits both alike
                final Histogram histogram = run.once(snapshots);
                final double[] values = new double[percentiles.length];
                for (int p = 0; p < percentiles.length; p++)
                {
                    values[p] = histogram.getValueAtPercentile(percentiles[p]) / 1e3;
                }
                (snapshots ? on : off).add(values);
                System.out.printf("pair %d %-3s p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us  max %8.1f us  " +
                    "(%,d samples)%n", pair + 1, snapshots ? "on" : "off", values[0], values[1], values[2],
                    histogram.getMaxValue() / 1e3, histogram.getTotalCount());
            }
        }
        for (int p = 0; p < percentiles.length; p++)
        {
            final double offMedian = median(off, p);
            final double onMedian = median(on, p);
            System.out.printf("median p%s over %d pairs: off %.1f us, on %.1f us, on/off %.2f%n",
                percentiles[p] == 99.9 ? "99.9" : String.valueOf((int)percentiles[p]), pairs, offMedian, onMedian,
                onMedian / offMedian);
        }
    }

    private static double median(final List<double[]> runs, final int index)
    {
        final double[] values = runs.stream().mapToDouble(v -> v[index]).toArray();
        Arrays.sort(values);
        return values.length % 2 == 1 ? values[values.length / 2] :
            (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    private Histogram once(final boolean snapshots)
    {
        final Path directory = LogFixture.newDirectory("snapshot-latency");
        // as DurableMember opens a member under durability none: full cycles sealed without an fsync
        final NodeStorage storage = NodeStorage.open(directory,
            new ChronicleLogContext().clusterId(1).bootId(1).forceFullCycles(false));
        final Sequencer.Context context = new Sequencer.Context()
            .protocol(new ProtocolContext().cluster(ClusterConfig.ofSize(1, 1)).memberId(0).bootstrap(true)
                .maxResultLength(Long.BYTES).checkpointInterval(interval))
            .directory(directory.toFile())
            .log(storage.log()).checkpoints(storage.checkpoints()).store(storage.nodeStore())
            .transport(InMemoryNetwork.immediate(0).endpoint(0))
            .idleStrategy(new BackoffIdleStrategy());
        if (snapshots)
        {
            // as a node's: the snapshot thread hashes each entry itself
            context.snapshots(new CellsStateMachine(stateMegabytes),
                from -> CommittedLogReader.open(directory, from, false));
        }
        final Sequencer node = Sequencer.launch(context, new CellsStateMachine(stateMegabytes));
        final SequencerClient client = node.newClient();
        try
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[EVENT_LENGTH]);
            event.putLong(0, 1, ByteOrder.LITTLE_ENDIAN);
            if (!client.submitAndWait(event, 0, EVENT_LENGTH, TimeUnit.SECONDS.toNanos(30),
                new BackoffIdleStrategy()).completed())
            {
                throw new IllegalStateException("the node did not start");
            }
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final long[] intendedNs = new long[SLOTS];
            final long warmupEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            final CompletionListener listener = new CompletionListener()
            {
                public void onCompleted(final long correlationId, final long position, final int status,
                    final DirectBuffer result, final int offset, final int length)
                {
                    final long sentNs = intendedNs[(int)(correlationId & (SLOTS - 1))];
                    if (sentNs >= warmupEndNs)
                    {
                        histogram.recordValue(
                            Math.min(System.nanoTime() - sentNs, histogram.getHighestTrackableValue()));
                    }
                }

                public void onRejected(final long correlationId, final int status)
                {
                    throw new IllegalStateException("refused: " + status);
                }
            };
            final long gapNs = 1_000_000_000L / rate;
            final long startNs = System.nanoTime();
            final long total = (long)rate * (warmupSeconds + seconds);
            for (long i = 0; i < total; i++)
            {
                final long sendAtNs = startNs + i * gapNs;
                long nowNs;
                while ((nowNs = System.nanoTime()) < sendAtNs)
                {
                    if (client.poll(listener, 16) == 0)
                    {
                        if (sendAtNs - nowNs > PARK_THRESHOLD_NS)
                        {
                            LockSupport.parkNanos(1_000); // a park oversleeps by tens of us: only when far off
                        }
                        else
                        {
                            Thread.onSpinWait();
                        }
                    }
                }
                long id;
                while ((id = client.submit(event, 0, EVENT_LENGTH)) == SubmitStatus.BACK_PRESSURED)
                {
                    client.poll(listener, 16);
                }
                if (id < 0)
                {
                    throw new IllegalStateException("submit refused: " + id);
                }
                intendedNs[(int)(id & (SLOTS - 1))] = sendAtNs;
            }
            final long drainDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (histogram.getTotalCount() < (long)rate * seconds - 1 && System.nanoTime() < drainDeadlineNs)
            {
                client.poll(listener, 64);
            }
            if (snapshots && node.snapshotter().checkpointsTaken() == 0)
            {
                throw new IllegalStateException("no checkpoint was written: the run measured nothing");
            }
            return histogram;
        }
        finally
        {
            CloseHelper.closeAll(client, node);
            LogFixture.delete(directory);
        }
    }
}
