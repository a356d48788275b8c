package io.sequencer.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Test harness: a UDP relay standing in front of a member's point-to-point endpoint, so that one peer's catch-up path
 * to it can be cut while the shared channel still carries everything else (the fault B5's source switch is for).
 * Datagrams from anyone but the endpoint go to the endpoint; the endpoint's (Aeron's status messages) go back to the
 * last sender. While {@link #cut} is set, both directions are dropped and counted.
 */
final class UdpRelay implements AutoCloseable
{
    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final Thread thread;
    private volatile boolean cut;
    private volatile boolean running = true;
    private volatile long dropped;
    private SocketAddress client;

    UdpRelay(final int port, final InetSocketAddress target) throws IOException
    {
        this.target = target;
        channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", port));
        channel.configureBlocking(false);
        thread = new Thread(this::relay, "udp-relay-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    void cut(final boolean cut)
    {
        this.cut = cut;
    }

    long dropped()
    {
        return dropped;
    }

    private void relay()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
        try
        {
            while (running)
            {
                buffer.clear();
                final SocketAddress from = channel.receive(buffer);
                if (from == null)
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                    continue;
                }
                buffer.flip();
                if (cut)
                {
                    dropped++;
                }
                else if (from.equals(target))
                {
                    if (client != null)
                    {
                        channel.send(buffer, client);
                    }
                }
                else
                {
                    client = from;
                    channel.send(buffer, target);
                }
            }
        }
        catch (final IOException ex)
        {
            if (running)
            {
                ex.printStackTrace();
            }
        }
    }

    public void close() throws IOException
    {
        running = false;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            channel.close();
        }
    }
}
