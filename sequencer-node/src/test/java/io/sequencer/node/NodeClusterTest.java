package io.sequencer.node;

import io.sequencer.core.runtime.NodeStatFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code node} processes from one configuration file (with the default authentication: every frame tagged with
 * the cluster's key from {@code sequencer keygen}) form a cluster on loopback; one is killed with SIGKILL under load
 * and restarted; it catches up; {@code log verify} gives the same final chk on all three, and every line
 * of every {@code --ack-log} is in every log at its position.
 */
class NodeClusterTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll()
    {
        processes.forEach(Process::destroyForcibly);
    }

    private Process node(final int id, final String... extra) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        for (final String flag : System.getProperty("sequencer.jvm.flags", "").trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                command.add(flag);
            }
        }
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
            SequencerCli.class.getName(), "node", "--config", dir.resolve("cluster.properties").toString(),
            "--id", String.valueOf(id), "--ack-log", dir.resolve("ack-" + id + ".log").toString()));
        command.addAll(List.of(extra));
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out-" + id + ".txt").toFile()))
            .start();
        processes.add(process);
        return process;
    }

    private long counter(final int id, final String label)
    {
        try (NodeStatFile file = NodeStatFile.open(dir.resolve("data").resolve("member-" + id).toFile()))
        {
            return file.counterValue(label);
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            return -1; // not started yet, or its counters not yet registered
        }
    }

    private void await(final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "\n" + outputs());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // polling another process's counters
        }
    }

    private String outputs()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            try
            {
                sb.append("--- member ").append(i).append('\n')
                    .append(Files.readString(dir.resolve("out-" + i + ".txt")));
                final StringWriter stat = new StringWriter();
                SequencerCli.execute(new PrintWriter(stat, true), new PrintWriter(stat, true),
                    "stat", "--dir", dir.resolve("data").resolve("member-" + i).toString());
                sb.append(stat);
            }
            catch (final IOException ex)
            {
                sb.append("(no output)\n");
            }
        }
        return sb.toString();
    }

    private String run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertEquals(0, exit, String.join(" ", args) + ": " + out + err);
        return out.toString().trim();
    }

    /**
     * A random multicast group (odd last octet) and four consecutive UDP ports below the ephemeral range that are free
     * now, so that parallel runs on one machine do not collide: the channel's port, then each member's endpoint.
     */
    private static String[] groupAndPorts()
    {
        final SplittableRandom random = new SplittableRandom(System.nanoTime());
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            final int port = 20_000 + random.nextInt(12_000 - 4);
            boolean free = true;
            for (int i = 0; i < 4 && free; i++)
            {
                try (DatagramSocket socket = new DatagramSocket(null))
                {
                    socket.setReuseAddress(false);
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port + i));
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                final String group = "239.255." + (1 + random.nextInt(254)) + "." + (1 + 2 * random.nextInt(126));
                return new String[] {group, Integer.toString(port)};
            }
        }
        throw new IllegalStateException("no four free consecutive UDP ports");
    }

    @Test
    void killedMemberCatchesUpAndNothingAcknowledgedIsLost() throws Exception
    {
        final String[] groupAndPorts = groupAndPorts();
        final int port = Integer.parseInt(groupAndPorts[1]);
        // The cluster's key, created once and shared by the three members (one configuration file here).
        assertEquals(0, SequencerCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
            "keygen", "--file", dir.resolve("cluster.key").toString()));
        Files.writeString(dir.resolve("cluster.properties"), String.join("\n",
            "cluster.id = " + port,
            "cluster.members = 0,1,2",
            "authentication.key.file = cluster.key",
            "channel = aeron:udp?endpoint=" + groupAndPorts[0] + ":" + port + "|interface=127.0.0.1|fc=min|ttl=0",
            "member.0.endpoint = 127.0.0.1:" + (port + 1),
            "member.1.endpoint = 127.0.0.1:" + (port + 2),
            "member.2.endpoint = 127.0.0.1:" + (port + 3),
            "data.dir = " + dir.resolve("data"),
            "idle.strategy = sleep",
            // Three JVMs on a small machine shared with other builds stall for hundreds of milliseconds at times:
            // timeouts well above that keep the test about durability rather than false suspicions.
            "heartbeat.ms = 10",
            "failure.timeout.ms = 1000",
            "boot.timeout.ms = 1000",
            ""));

        for (int id = 0; id < 3; id++)
        {
            // Long enough a load for a member that starts seconds late (a busy machine) to catch up, then for the
            // kill and the survivors' next acknowledgements to fall inside it.
            node(id, "--bootstrap", "--load", "200", "--load-for", "20");
        }
        await(() -> counter(0, "completed") > 100 && counter(1, "completed") > 100 && counter(2, "completed") > 100,
            "all three acknowledging");

        processes.get(2).destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL under load
        final long beforeRestart = counter(0, "completed");
        await(() -> counter(0, "completed") > beforeRestart + 50, "the survivors acknowledging again");

        final Process restarted = node(2, "--load", "200", "--load-for", "2");
        processes.set(2, restarted);
        await(() -> counter(2, "mode (0 init, 1 boot, 2 running, 3 stopped)") == 2 && counter(2, "completed") > 20,
            "member 2 back, caught up and acknowledging");

        // Loads end; once every member holds the same number of entries, stop them all.
        final long[] lastSubmitted = new long[3];
        final long[] quietSinceNs = { System.nanoTime() };
        await(() ->
        {
            boolean changed = false;
            for (int id = 0; id < 3; id++)
            {
                final long submitted = counter(id, "submitted");
                changed |= submitted != lastSubmitted[id];
                lastSubmitted[id] = submitted;
            }
            if (changed)
            {
                quietSinceNs[0] = System.nanoTime();
            }
            final long have = counter(0, "have");
            return System.nanoTime() - quietSinceNs[0] > TimeUnit.SECONDS.toNanos(1) && have > 0 &&
                counter(1, "have") == have && counter(2, "have") == have &&
                counter(0, "own events in flight") == 0 && counter(1, "own events in flight") == 0 &&
                counter(2, "own events in flight") == 0;
        }, "the loads to end and the logs to agree");
        for (final Process process : processes)
        {
            process.destroy(); // SIGTERM: a clean close
        }
        for (final Process process : processes)
        {
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "closed on SIGTERM");
        }

        final String verified = run("log", "verify", "--dir", dir.resolve("data/member-0").toString());
        assertTrue(verified.startsWith("log verified: "), verified);
        for (int id = 1; id < 3; id++)
        {
            assertEquals(verified, run("log", "verify", "--dir", dir.resolve("data/member-" + id).toString()),
                "same entries and final chk on member " + id);
        }
        for (int log = 0; log < 3; log++)
        {
            for (int acks = 0; acks < 3; acks++)
            {
                final String checked = run("log", "check-acks", "--dir", dir.resolve("data/member-" + log).toString(),
                    "--ack-log", dir.resolve("ack-" + acks + ".log").toString());
                assertTrue(checked.startsWith("all ") && !checked.startsWith("all 0 "), checked);
            }
        }
    }
}
