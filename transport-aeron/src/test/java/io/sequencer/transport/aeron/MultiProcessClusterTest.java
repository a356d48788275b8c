package io.sequencer.transport.aeron;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three members as three JVMs over real UDP on loopback multicast. Under load, one is killed with SIGKILL: the
 * survivors move to a new epoch and keep acknowledging new events. The killed member restarts (its in-memory log is
 * gone with the process, so it catches up everything), and at the end all three logs are identical.
 */
class MultiProcessClusterTest
{
    private static final long STEP_TIMEOUT_MS = 60_000;
    /** Notified whenever any member prints a line: the test waits on it rather than sleeping. */
    private static final Object PROGRESS = new Object();

    private final List<Member> members = new ArrayList<>();

    @AfterEach
    void stopAll()
    {
        for (final Member member : members)
        {
            member.process.destroyForcibly();
        }
        for (final Member member : members)
        {
            try
            {
                member.process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            IoUtil.delete(new File(member.driverDirectory), true);
        }
    }

    @Test
    void survivorsCarryOnAfterSigkillAndTheRestartedMemberCatchesUp() throws Exception
    {
        final long startNs = System.nanoTime();
        final int clusterId = TestNetwork.clusterId();
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final String ports = TestNetwork.freeUdpPort() + "," + TestNetwork.freeUdpPort() + "," +
            TestNetwork.freeUdpPort();
        final String[] common = {Integer.toString(clusterId), null, channel, Integer.toString(streamId), ports};
        for (int id = 0; id < 3; id++)
        {
            members.add(Member.start(common, id, true));
        }
        awaitAll("all three running", s -> s.is("mode", "RUNNING"), members);

        members.forEach(m -> m.send("load on"));
        awaitAll("load acknowledged on all three", s -> s.number("completed") >= 200, members);

        final Member victim = members.get(2);
        final Status atKill = members.get(0).status();
        victim.process.destroyForcibly(); // SIGKILL, under load
        assertTrue(victim.process.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, victim.process.exitValue(), "killed by SIGKILL");
        final long killedAtNs = System.nanoTime();
        IoUtil.delete(new File(victim.driverDirectory), true); // a killed driver cannot clean up after itself

        final List<Member> survivors = List.of(members.get(0), members.get(1));
        final Map<Integer, Long> completedAtKill = new HashMap<>();
        for (final Member survivor : survivors)
        {
            completedAtKill.put(survivor.id, survivor.status().number("completed"));
        }
        awaitAll("the survivors acknowledging new events in a new epoch",
            s -> s.is("mode", "RUNNING") && s.number("epoch") > atKill.number("epoch") &&
            s.number("completed") >= completedAtKill.get((int)s.number("member")) + 200, survivors);
        System.out.printf("MultiProcessClusterTest: survivors acknowledging in epoch %d, %d ms after the SIGKILL%n",
            survivors.get(0).status().number("epoch"), (System.nanoTime() - killedAtNs) / 1_000_000);

        final Member restarted = Member.start(common, 2, false);
        members.add(restarted);
        awaitAll("the restarted member running again", s -> s.is("mode", "RUNNING"), List.of(restarted));
        restarted.send("load on");
        awaitAll("the restarted member acknowledging", s -> s.number("completed") >= 50, List.of(restarted));

        final List<Member> live = List.of(members.get(0), members.get(1), restarted);
        live.forEach(m -> m.send("load off"));
        awaitAll("every event acknowledged and the three logs identical",
            s -> s.number("submitted") == s.number("completed") && identical(live), live);

        final Status reference = members.get(0).status();
        for (final Member member : live)
        {
            final Status status = member.status();
            assertEquals(reference.text("chk"), status.text("chk"), status.line);
            assertEquals(reference.text("digest"), status.text("digest"), status.line);
        }
        assertTrue(restarted.status().number("fetched") > 0, "the restarted member caught up: " + restarted.status());
        assertTrue(survivors.get(0).status().number("available") >= 1, "the restart was signalled");

        live.forEach(m -> m.send("exit"));
        for (final Member member : live)
        {
            assertTrue(member.process.waitFor(20, TimeUnit.SECONDS), "member " + member.id + " exits");
            assertEquals(0, member.process.exitValue());
            assertTrue(member.sawLine("EXITED member=" + member.id));
            assertTrue(!new File(member.driverDirectory).exists(), "driver directory removed on close");
        }
        System.out.printf("MultiProcessClusterTest: %d events in the log, %d ms in all%n",
            reference.number("have"), (System.nanoTime() - startNs) / 1_000_000);
    }

    private static boolean identical(final List<Member> live)
    {
        final Status first = live.get(0).status();
        for (final Member member : live)
        {
            final Status status = member.status();
            if (first == null || status == null || status.number("have") != first.number("have") ||
                !status.text("chk").equals(first.text("chk")))
            {
                return false;
            }
        }
        return true;
    }

    private static void awaitAll(final String what, final Predicate<Status> condition, final List<Member> group)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS);
        while (true)
        {
            boolean all = true;
            for (final Member member : group)
            {
                final Status status = member.status();
                if (!member.process.isAlive() && !member.exitedNormally())
                {
                    fail("member " + member.id + " died while waiting for " + what + ":\n" + member.tail());
                }
                all &= status != null && condition.test(status);
            }
            if (all)
            {
                return;
            }
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                final StringBuilder text = new StringBuilder();
                for (final Member member : group)
                {
                    text.append("\n--- member ").append(member.id).append(":\n").append(member.tail());
                }
                fail("timed out waiting for " + what + text);
            }
            synchronized (PROGRESS)
            {
                // woken by the next line any member prints (each prints its status every 50 ms)
                TimeUnit.NANOSECONDS.timedWait(PROGRESS, Math.min(remainingNs, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    /** A member process, its stdin and the last status line it printed. */
    private static final class Member
    {
        final int id;
        final Process process;
        final String driverDirectory;
        final Writer stdin;
        private final Deque<String> lines = new ArrayDeque<>();
        private volatile Status status;

        private Member(final int id, final Process process, final String driverDirectory)
        {
            this.id = id;
            this.process = process;
            this.driverDirectory = driverDirectory;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            final Thread reader = new Thread(this::readOutput, "member-" + id + "-out");
            reader.setDaemon(true);
            reader.start();
        }

        static Member start(final String[] common, final int id, final boolean bootstrap) throws IOException
        {
            final String driverDirectory = TestNetwork.driverDirectory("proc" + id);
            final List<String> command = new ArrayList<>();
            command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
            final String flags = System.getProperty("sequencer.jvm.flags", "");
            if (!flags.isBlank())
            {
                command.addAll(Arrays.asList(flags.trim().split("\\s+")));
            }
            command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                MemberMain.class.getName()));
            final String[] args = common.clone();
            args[1] = Integer.toString(id);
            command.addAll(Arrays.asList(args));
            command.addAll(
                List.of(driverDirectory, Boolean.toString(bootstrap), Long.toString(TestNetwork.nextLong())));
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            return new Member(id, process, driverDirectory);
        }

        void send(final String command)
        {
            try
            {
                stdin.write(command + "\n");
                stdin.flush();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("member " + id + " does not take commands", ex);
            }
        }

        Status status()
        {
            return status;
        }

        boolean exitedNormally()
        {
            return sawLine("EXITED member=" + id);
        }

        synchronized boolean sawLine(final String line)
        {
            return lines.contains(line);
        }

        synchronized String tail()
        {
            return String.join("\n", lines);
        }

        private void readOutput()
        {
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    if (line.startsWith("STATUS "))
                    {
                        status = new Status(line);
                    }
                    synchronized (this)
                    {
                        lines.addLast(line);
                        while (lines.size() > 40)
                        {
                            lines.removeFirst();
                        }
                    }
                    synchronized (PROGRESS)
                    {
                        PROGRESS.notifyAll();
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
        }
    }

    /** One parsed STATUS line. */
    private static final class Status
    {
        final String line;
        private final Map<String, String> fields = new HashMap<>();

        Status(final String line)
        {
            this.line = line;
            for (final String part : line.substring("STATUS ".length()).split(" "))
            {
                final int eq = part.indexOf('=');
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }

        long number(final String key)
        {
            return Long.parseLong(fields.get(key));
        }

        String text(final String key)
        {
            return fields.get(key);
        }

        boolean is(final String key, final String value)
        {
            return value.equals(fields.get(key));
        }

        public String toString()
        {
            return line;
        }
    }
}
