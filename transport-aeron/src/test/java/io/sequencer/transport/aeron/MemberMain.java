package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One member as a process, for {@link MultiProcessClusterTest} (test sources only: the real node is issue 6's).
 * Runs a {@link TestNode} on the main thread; random submits while the load is on. Commands arrive on stdin, one a
 * line: {@code load on}, {@code load off}, {@code exit}. Every 50 ms, and at exit, it prints a line
 * <pre>
 * STATUS member=1 mode=RUNNING epoch=3 have=1234 chk=9f.. g=1234 submitted=600 completed=600 digest=..
 * </pre>
 * Arguments: {@code clusterId memberId channel streamId port0,port1,port2 driverDirectory bootstrap seed}.
 */
public final class MemberMain
{
    private MemberMain()
    {
    }

    public static void main(final String[] args)
    {
        final int clusterId = Integer.parseInt(args[0]);
        final int memberId = Integer.parseInt(args[1]);
        final String channel = args[2];
        final int streamId = Integer.parseInt(args[3]);
        final String[] portText = args[4].split(",");
        final int[] ports = new int[portText.length];
        for (int i = 0; i < ports.length; i++)
        {
            ports[i] = Integer.parseInt(portText[i]);
        }
        final String driverDirectory = args[5];
        final boolean bootstrap = Boolean.parseBoolean(args[6]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[7]));

        final ClusterConfig cluster = ClusterConfig.ofSize(clusterId, ports.length);
        final ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    commands.add(line.trim());
                }
            }
            catch (final java.io.IOException ignore)
            {
                // the parent went away: exit below
            }
            commands.add("exit");
        }, "stdin");
        reader.setDaemon(true);
        reader.start();

        try (TestNode node = new TestNode(
            TestNode.transportContext(cluster, memberId, channel, streamId, ports).aeronDirectoryName(driverDirectory),
            TestNode.protocolContext(cluster, memberId).bootstrap(bootstrap)))
        {
            final IdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
            node.start();
            boolean load = false;
            long nextStatusNs = 0;
            while (true)
            {
                final String command = commands.poll();
                if ("exit".equals(command))
                {
                    break;
                }
                load = "load on".equals(command) || (load && !"load off".equals(command));

                int work = 0;
                if (load && node.isRunning() && node.inFlight() < 16 && node.submitRandom(random))
                {
                    work++;
                }
                final long nowNs = System.nanoTime();
                work += node.doWork(nowNs);
                if (nowNs >= nextStatusNs)
                {
                    printStatus(node);
                    nextStatusNs = nowNs + 50_000_000L;
                }
                idle.idle(work);
            }
            printStatus(node);
        }
        System.out.println("EXITED member=" + memberId);
        System.out.flush();
    }

    private static void printStatus(final TestNode node)
    {
        System.out.println("STATUS member=" + node.memberId + " mode=" + node.protocol.mode() +
            " epoch=" + node.protocol.currentEpoch() + " have=" + node.log.have() +
            " chk=" + Long.toHexString(node.log.chkAt(node.log.have())) + " g=" + node.protocol.guaranteed() +
            " submitted=" + node.submitted + " completed=" + node.completed +
            " digest=" + Long.toHexString(node.ledger.digest()) +
            " fetched=" + node.protocol.counters().fetchedEntries() +
            " unavailable=" + node.transport.counters().memberUnavailableSignals() +
            " available=" + node.transport.counters().memberAvailableSignals());
        System.out.flush();
    }
}
