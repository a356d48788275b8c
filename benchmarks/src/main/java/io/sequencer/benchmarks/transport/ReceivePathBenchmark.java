package io.sequencer.benchmarks.transport;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EntryType;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.transport.aeron.Authentication;
import io.sequencer.transport.aeron.ChannelAdapter;
import io.sequencer.transport.aeron.FrameAuthenticator;
import io.sequencer.transport.aeron.TransportCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The transport's receive path ({@link ChannelAdapter#onFrame}: tag check, session rules, hand-off) for one frame
 * of a bound session, under each {@link Authentication} mode: a {@code MySerializeCounter} (a control frame, tagged
 * under {@code CONTROL} and {@code ALL}) and a {@code NewEvent} with a 32-byte event (tagged only under {@code ALL}).
 * The frame is handed to a {@link Blackhole} instead of the protocol. 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReceivePathBenchmark
{
    private static final byte[] SECRET = "benchmark secret of 32 bytes!!!!".getBytes(StandardCharsets.US_ASCII);
    private static final int SESSION = 0x1234_5678;
    private static final int CLUSTER = 42;

    @Param({"NONE", "CONTROL", "ALL"})
    public Authentication authentication;

    private final UnsafeBuffer report = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final UnsafeBuffer event = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private int reportLength;
    private int eventLength;
    private ChannelAdapter adapter;

    @Setup
    public void setUp(final Blackhole blackhole)
    {
        final FrameAuthenticator authenticator = new FrameAuthenticator(SECRET);
        reportLength = new MySerializeCounterFrame().encode(report, 0, 1, CLUSTER, 7, 100, 100, 99, 7, true, 100)
            .encodedLength();
        eventLength = new NewEventFrame().encode(event, 0, 1, CLUSTER, 7, 3, 1, 1, EntryType.EVENT, 1, report, 0, 32)
            .encodedLength();
        if (authentication.covers(MessageType.MY_SERIALIZE_COUNTER, false))
        {
            authenticator.sign(report, 0, reportLength, SESSION, report, reportLength);
            reportLength += FrameAuthenticator.TAG_LENGTH;
        }
        if (authentication.covers(MessageType.NEW_EVENT, false))
        {
            authenticator.sign(event, 0, eventLength, SESSION, event, eventLength);
            eventLength += FrameAuthenticator.TAG_LENGTH;
        }
        adapter = new ChannelAdapter(ClusterConfig.ofSize(CLUSTER, 3), 0, ProtocolContext.DEFAULT_MAX_EVENT_LENGTH,
            authentication, new FrameAuthenticator(SECRET), new TransportCounters());
        adapter.handler((buffer, offset, length) -> blackhole.consume(length));
        adapter.ownSharedSession(SESSION + 1);
        adapter.onFrame(false, SESSION, report, 0, reportLength); // binds the session to member 1
    }

    @Benchmark
    public void report()
    {
        adapter.onFrame(false, SESSION, report, 0, reportLength);
    }

    @Benchmark
    public void newEvent()
    {
        adapter.onFrame(false, SESSION, event, 0, eventLength);
    }
}
