package io.sequencer.benchmarks.cluster;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.sequencer.benchmarks.transport.AeronPingPongBenchmark;
import io.sequencer.transport.aeron.AeronTransportContext;
import io.sequencer.transport.aeron.LoopbackPorts;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The floor: one raw Aeron UDP round trip at the same message size and rate, no protocol, measured the same way
 * (intended send time to the pong). The channel has the project's settings (loopback multicast, {@code fc=min}, the
 * transport's term length), as in {@code transport.AeronPingPongBenchmark}; two embedded drivers in {@code INVOKER}
 * mode, one run by the load thread (ping), one by a pong thread that echoes each message, idling as the project's
 * duty cycle does instead of spinning. Many pings may be in flight at once: a fixed-rate echo, not a closed loop.
 */
final class UdpPingPong implements SystemUnderTest
{
    private static final int PING_STREAM = 3001;
    private static final int PONG_STREAM = 3002;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    private final int size;
    private final BufferClaim claim = new BufferClaim();
    private final long[] driverSums = new long[DriverCounters.COUNT];
    private final FragmentHandler onPong = (buffer, offset, length, header) ->
        replies().onReply(buffer.getLong(offset, LITTLE_ENDIAN));
    private MediaDriver pingDriver;
    private MediaDriver pongDriver;
    private Aeron pingClient;
    private Aeron pongClient;
    private DriverCounters pingCounters;
    private DriverCounters pongCounters;
    private AgentInvoker pingDriverInvoker;
    private AgentInvoker pingClientInvoker;
    private ExclusivePublication ping;
    private Subscription pongs;
    private Thread ponger;
    private volatile boolean running = true;
    private long sequence;
    private SystemUnderTest.Replies replies;

    private UdpPingPong(final int size)
    {
        this.size = size;
    }

    static UdpPingPong start(final int size, final SplittableRandom random)
    {
        final UdpPingPong pingPong = new UdpPingPong(size);
        try
        {
            pingPong.launch(random);
            return pingPong;
        }
        catch (final RuntimeException | Error ex)
        {
            pingPong.close();
            throw ex;
        }
    }

    private void launch(final SplittableRandom random)
    {
        final int port = LoopbackPorts.freeConsecutive(1, random);
        final String channel = "aeron:udp?endpoint=239.255.91." + (1 + 2 * random.nextInt(127)) + ":" + port +
            "|interface=127.0.0.1|fc=min|ttl=0|term-length=" + AeronTransportContext.DEFAULT_TERM_LENGTH;
        final String tag = Integer.toString(random.nextInt(1 << 20));
        pingDriver = AeronPingPongBenchmark.launchDriver("udp-bench-" + tag + "-ping");
        pongDriver = AeronPingPongBenchmark.launchDriver("udp-bench-" + tag + "-pong");
        pingCounters = DriverCounters.of(pingDriver.aeronDirectoryName());
        pongCounters = DriverCounters.of(pongDriver.aeronDirectoryName());
        pingClient = AeronPingPongBenchmark.connect(pingDriver);
        pongClient = AeronPingPongBenchmark.connect(pongDriver);
        pingDriverInvoker = pingDriver.sharedAgentInvoker();
        pingClientInvoker = pingClient.conductorAgentInvoker();
        ping = pingClient.addExclusivePublication(channel, PING_STREAM);
        pongs = pingClient.addSubscription(channel, PONG_STREAM);
        final ExclusivePublication pong = pongClient.addExclusivePublication(channel, PONG_STREAM);
        final Subscription pings = pongClient.addSubscription(channel, PING_STREAM);
        ponger = new Thread(() -> pong(pong, pings), "udp-pong");
        ponger.setDaemon(true);
        ponger.start();

        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!ping.isConnected() || !pongs.isConnected())
        {
            pingDriverInvoker.invoke();
            pingClientInvoker.invoke();
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("ping and pong did not connect over " + channel);
            }
            LockSupport.parkNanos(50_000);
        }
    }

    private void pong(final ExclusivePublication pong, final Subscription pings)
    {
        final AgentInvoker driver = pongDriver.sharedAgentInvoker();
        final AgentInvoker client = pongClient.conductorAgentInvoker();
        final IdleStrategy idle = io.sequencer.node.DurableMember.shortParks();
        final BufferClaim pongClaim = new BufferClaim();
        final FragmentHandler echo = new FragmentAssembler((buffer, offset, length, header) ->
        {
            while (pong.tryClaim(length, pongClaim) <= 0)
            {
                if (!running)
                {
                    return;
                }
                driver.invoke();
            }
            pongClaim.buffer().putBytes(pongClaim.offset(), buffer, offset, length);
            pongClaim.commit();
        });
        while (running)
        {
            int work = driver.invoke();
            work += client.invoke();
            work += pings.poll(echo, 16);
            idle.idle(work);
        }
    }

    private SystemUnderTest.Replies replies()
    {
        return replies;
    }

    public String name()
    {
        return "aeron-udp";
    }

    public boolean offer(final long intendedNs)
    {
        if (ping.tryClaim(size, claim) <= 0)
        {
            return false;
        }
        claim.buffer().putLong(claim.offset(), intendedNs, LITTLE_ENDIAN);
        if (size >= 2 * Long.BYTES)
        {
            claim.buffer().putLong(claim.offset() + Long.BYTES, sequence, LITTLE_ENDIAN);
        }
        claim.commit();
        sequence++;
        return true;
    }

    public int poll(final SystemUnderTest.Replies replies)
    {
        this.replies = replies;
        int work = pingDriverInvoker.invoke();
        work += pingClientInvoker.invoke();
        return work + pongs.poll(onPong, 16);
    }

    public long refused()
    {
        return 0;
    }

    public Traffic traffic()
    {
        java.util.Arrays.fill(driverSums, 0);
        pingCounters.addTo(driverSums);
        pongCounters.addTo(driverSums);
        return Traffic.ofDrivers(-1, -1, driverSums, -1);
    }

    public void close()
    {
        running = false;
        if (ponger != null)
        {
            try
            {
                ponger.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.quietCloseAll(pingCounters, pongCounters, pingClient, pongClient, pingDriver, pongDriver);
    }
}
