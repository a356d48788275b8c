package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;

import java.io.File;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Addresses, ports, stream ids and driver directories for tests, chosen so that test runs in parallel on one machine
 * (other engineers, CI) do not collide: a random multicast group per cluster, UDP ports below the ephemeral range
 * that are checked free by binding them, and a directory per node with this JVM's pid in it. The choices come from
 * one seed per run, printed, and fixed with {@code -Dsequencer.test.seed=N}.
 */
final class TestNetwork
{
    static final long SEED = Long.getLong("sequencer.test.seed", System.nanoTime());
    private static final SplittableRandom RANDOM = new SplittableRandom(SEED);
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    static
    {
        System.out.println("TestNetwork: -Dsequencer.test.seed=" + SEED);
    }

    private TestNetwork()
    {
    }

    /** A UDP port on 127.0.0.1 that nothing is bound to now and that this JVM has not handed out before. */
    static synchronized int freeUdpPort()
    {
        return freeUdpPorts(1);
    }

    /** The first of {@code count} consecutive such ports. */
    private static int freeUdpPorts(final int count)
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            final int port = 20_000 + RANDOM.nextInt(12_000 - count); // below Linux's ephemeral range (32768..)
            boolean free = true;
            for (int i = 0; i < count && free; i++)
            {
                free = !HANDED_OUT.contains(port + i) && LoopbackPorts.isFree(port + i);
            }
            if (free)
            {
                for (int i = 0; i < count; i++)
                {
                    HANDED_OUT.add(port + i);
                }
                return port;
            }
        }
        throw new IllegalStateException("no " + count + " free consecutive UDP ports found");
    }

    /**
     * A loopback multicast channel on a random group (odd last octet, as Aeron needs) and free ports: its own and
     * one more for each further member, on which they publish.
     */
    static synchronized String multicastChannel()
    {
        final int group3 = 1 + RANDOM.nextInt(254);
        final int group4 = 1 + 2 * RANDOM.nextInt(126);
        return "aeron:udp?endpoint=239.255." + group3 + "." + group4 + ":" +
            freeUdpPorts(ClusterConfig.MAX_MEMBERS) + "|interface=127.0.0.1|fc=min|ttl=0";
    }

    static synchronized int streamId()
    {
        return 10_000 + RANDOM.nextInt(1_000_000);
    }

    static synchronized int clusterId()
    {
        return 1 + RANDOM.nextInt(1_000_000);
    }

    /** A media driver directory of its own under /dev/shm (or the temp dir). */
    static synchronized String driverDirectory(final String name)
    {
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        return base + File.separator + "sequencer-test-" + name + "-" + ProcessHandle.current().pid() + "-" +
            Integer.toHexString(RANDOM.nextInt());
    }

    static synchronized long nextLong()
    {
        return RANDOM.nextLong();
    }
}
