package io.sequencer.transport.aeron;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;

/**
 * UDP ports on loopback for a cluster that lives only as long as this process (the demo, the class-data training
 * run, the end-to-end benchmark, the tests): consecutive ports below Linux's ephemeral range (32768 and up, where the
 * kernel picks the ports of other programs' sockets) that nothing is bound to now. Random, so that runs at the same
 * time rarely try the same ones.
 */
public final class LoopbackPorts
{
    static final int LOWEST = 20_000;
    static final int HIGHEST = 32_000;

    private LoopbackPorts()
    {
    }

    /**
     * The first of {@code count} consecutive UDP ports that are free on loopback now.
     *
     * @throws IllegalStateException when 1000 random tries found none.
     */
    public static int freeConsecutive(final int count, final SplittableRandom random)
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            final int port = LOWEST + random.nextInt(HIGHEST - LOWEST - count);
            boolean free = true;
            for (int i = 0; i < count && free; i++)
            {
                free = isFree(port + i);
            }
            if (free)
            {
                return port;
            }
        }
        throw new IllegalStateException("no " + count + " free consecutive UDP ports on loopback in " + LOWEST + "-" +
            HIGHEST);
    }

    /**
     * The first of the ports a loopback cluster of {@code members} takes ({@link AeronTransportContext#loopback}): one
     * per member for the shared channel, then one per member for catch-up.
     */
    public static int forCluster(final int members, final SplittableRandom random)
    {
        return freeConsecutive(2 * members, random);
    }

    /** Whether nothing is bound to UDP {@code port} on loopback now. */
    public static boolean isFree(final int port)
    {
        try (DatagramSocket socket = new DatagramSocket(null))
        {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
