package io.sequencer.benchmarks.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.sequencer.transport.aeron.AeronTransportContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The baseline for end-to-end figures: raw Aeron round trips over the shared channel's configuration (loopback
 * multicast, {@code fc=min}, the transport's term length), with no protocol. Two embedded media drivers, as two
 * nodes have; each runs in {@code INVOKER} mode on the thread that uses it (the benchmark thread pings, one thread
 * pongs), so the machine's two cores carry exactly two spinning threads. A ping is a {@code tryClaim} of
 * {@code messageLength} bytes on stream A; the pong echoes it with {@code tryClaim} on stream B of the same
 * multicast group; one round trip per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AeronPingPongBenchmark
{
    private static final int PING_STREAM = 3001;
    private static final int PONG_STREAM = 3002;

    /** 60 bytes: a {@code MySerializeCounter}; 76: a {@code NewEvent} with a 32-byte event. */
    @Param({"60", "76"})
    public int messageLength;

    private MediaDriver pingDriver;
    private MediaDriver pongDriver;
    private Aeron pingClient;
    private Aeron pongClient;
    private AgentInvoker pingInvoker;
    private ExclusivePublication ping;
    private Subscription pingReplies;
    private final BufferClaim claim = new BufferClaim();
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private boolean replied;
    private final FragmentHandler onReply = (buffer, offset, length, header) -> replied = true;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread ponger;

    @Setup(Level.Trial)
    public void setUp()
    {
        final int group = 1 + 2 * ThreadLocalRandom.current().nextInt(126);
        final int port = 20_000 + ThreadLocalRandom.current().nextInt(10_000);
        final String channel = "aeron:udp?endpoint=239.255.77." + group + ":" + port +
            "|interface=127.0.0.1|fc=min|ttl=0|term-length=" + AeronTransportContext.DEFAULT_TERM_LENGTH;

        pingDriver = launchDriver("ping");
        pongDriver = launchDriver("pong");
        pingClient = connect(pingDriver);
        pongClient = connect(pongDriver);
        pingInvoker = pingClient.conductorAgentInvoker();

        ping = pingClient.addExclusivePublication(channel, PING_STREAM);
        pingReplies = pingClient.addSubscription(channel, PONG_STREAM);
        final ExclusivePublication pong = pongClient.addExclusivePublication(channel, PONG_STREAM);
        final Subscription pongRequests = pongClient.addSubscription(channel, PING_STREAM);

        final AgentInvoker pongDriverInvoker = pongDriver.sharedAgentInvoker();
        final AgentInvoker pongClientInvoker = pongClient.conductorAgentInvoker();
        final BufferClaim pongClaim = new BufferClaim();
        final FragmentHandler echo = new FragmentAssembler((buffer, offset, length, header) ->
        {
            while (pong.tryClaim(length, pongClaim) <= 0)
            {
                pongDriverInvoker.invoke();
            }
            pongClaim.buffer().putBytes(pongClaim.offset(), buffer, offset, length);
            pongClaim.commit();
        });
        ponger = new Thread(() ->
        {
            while (running.get())
            {
                pongDriverInvoker.invoke();
                pongClientInvoker.invoke();
                pongRequests.poll(echo, 16);
            }
        }, "pong");
        ponger.setDaemon(true);
        ponger.start();

        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!ping.isConnected() || !pingReplies.isConnected())
        {
            pingDriver.sharedAgentInvoker().invoke();
            pingInvoker.invoke();
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("ping and pong did not connect over " + channel);
            }
        }
    }

    /**
     * An embedded driver whose agents the caller runs ({@code INVOKER}), in a directory of its own: the ping's and
     * the pong's, here and in the end-to-end benchmark's UDP floor.
     */
    public static MediaDriver launchDriver(final String name)
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(io.sequencer.benchmarks.cluster.AeronDirectories.newName("sequencer-bench-" + name))
            .threadingMode(ThreadingMode.INVOKER)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }

    /** A client of {@code driver} that runs its conductor and the driver's agents on the caller's thread. */
    public static Aeron connect(final MediaDriver driver)
    {
        return Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .driverAgentInvoker(driver.sharedAgentInvoker())
            .useConductorAgentInvoker(true));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        running.set(false);
        ponger.join(5_000);
        CloseHelper.closeAll(pingClient, pongClient, pingDriver, pongDriver);
    }

    /**
     * One round trip: claim and send a ping, spin (servicing this side's driver) until its pong is back. The client
     * conductor runs once per round trip: its keepalives stop the driver from timing the client out.
     */
    @Benchmark
    public boolean roundTrip()
    {
        final AgentInvoker driver = pingDriver.sharedAgentInvoker();
        pingInvoker.invoke();
        while (ping.tryClaim(messageLength, claim) <= 0)
        {
            driver.invoke();
        }
        claim.buffer().putBytes(claim.offset(), message, 0, messageLength);
        claim.commit();
        replied = false;
        do
        {
            driver.invoke();
            pingReplies.poll(onReply, 1);
        }
        while (!replied);
        return replied;
    }
}
