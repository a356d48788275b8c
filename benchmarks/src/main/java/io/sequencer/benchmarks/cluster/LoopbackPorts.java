package io.sequencer.benchmarks.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;

/**
 * Consecutive UDP ports on loopback that nothing is bound to now, below Linux's ephemeral range (where the kernel
 * picks other programs' ports), chosen at random so that runs at the same time (another benchmark, a demo) rarely
 * try the same ones. The same rule as the demo's ({@code io.sequencer.node.LoopbackPorts}, package-private there).
 */
final class LoopbackPorts
{
    private static final int LOWEST = 20_000;
    private static final int HIGHEST = 32_000;

    private LoopbackPorts()
    {
    }

    /**
     * The first of {@code count} consecutive UDP ports free on loopback now.
     *
     * @throws IllegalStateException when 1000 random tries found none.
     */
    static int freeConsecutive(final int count, final SplittableRandom random)
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
        throw new IllegalStateException(
            "no " + count + " free consecutive UDP ports on loopback in " + LOWEST + "-" + HIGHEST);
    }

    private static boolean isFree(final int port)
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
