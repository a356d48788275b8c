package io.sequencer.storage;

import io.sequencer.core.Checksum;
import io.sequencer.core.LogEntry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a real process with SIGKILL ({@link Process#destroyForcibly()} on Linux) while it appends, forces and
 * unrolls a {@link ChronicleEventLog} ({@link CrashChild}), at seeded random moments — half of the rounds aim at the
 * inside of {@code unrollTo}. After every kill the log is opened here and must be a clean prefix of what the child
 * wrote: the chain verifies with at most one torn write dropped and no damage reported, every entry is the one the
 * child wrote at its position, generations never decrease along the log, and a kill inside {@code unrollTo} leaves
 * either the uncut log or the cut one. The next round's child starts on the same directory.
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class CrashTest
{
    private static final long SEED = 0x5EC0_0004L;
    private static final int ROUNDS = 16;
    private static final long LINE_DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path root;

    private int killsInsideUnroll;
    private int killsElsewhere;
    private int redoneAtOpen;
    private int tornWritesDropped;

    @Test
    void sigkillAtRandomMomentsLeavesACleanPrefix() throws Exception
    {
        final Path directory = root.resolve("log");
        final SplittableRandom random = new SplittableRandom(SEED);
        final long start = System.nanoTime();

        for (int round = 0; round < ROUNDS; round++)
        {
            try
            {
                runRound(directory, random, round);
            }
            catch (final AssertionError | Exception ex)
            {
                keepForInspection(root, round);
                throw ex;
            }
        }

        final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        System.out.println("crash test: " + ROUNDS + " SIGKILLs in " + seconds + " s, " + killsInsideUnroll +
            " inside unrollTo, " + killsElsewhere + " elsewhere; " + redoneAtOpen + " unrolls redone at open, " +
            tornWritesDropped + " torn writes dropped");
        assertTrue(killsInsideUnroll >= 1, "no SIGKILL landed inside unrollTo in " + ROUNDS + " rounds");
        assertTrue(killsElsewhere >= 1, "no SIGKILL landed outside unrollTo in " + ROUNDS + " rounds");
    }

    private void runRound(final Path directory, final SplittableRandom random, final int round) throws Exception
    {
        final Path output =
            Files.createDirectories(directory.resolveSibling("stdout")).resolve("child-" + round + ".txt");
        final Process child = startChild(directory, random.nextLong(), round, output);
        final ChildOutput lines = new ChildOutput(output);
        try
        {
            final String open = nextLine(lines, child);
            assertTrue(open.startsWith("OPEN "), "the child's first line: " + open);

            final boolean aimAtUnroll = random.nextBoolean();
            final int opsBeforeKill = random.nextInt(60);
            // an unroll takes milliseconds, a batch of appends tens of microseconds: aim each kill at one or the other
            final long delayNs = aimAtUnroll ? random.nextLong(TimeUnit.MILLISECONDS.toNanos(3)) :
                random.nextLong(TimeUnit.MICROSECONDS.toNanos(200));
            final ChildState state = new ChildState(Long.parseLong(open.split(" ")[1]));
            int ops = 0;
            while (true)
            {
                final String line = nextLine(lines, child);
                state.apply(line);
                ops++;
                if (ops >= opsBeforeKill && line.startsWith(aimAtUnroll ? "UNROLL-BEGIN" : "HAVE"))
                {
                    break;
                }
            }
            // the kill moment itself is what is random here: no condition is being waited for
            LockSupport.parkNanos(delayNs);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed child did not exit");

            // everything the child printed before it died (a file keeps it all): the last unroll marker says where
            // the kill landed
            String line;
            while ((line = lines.poll()) != null)
            {
                state.apply(line);
            }
            verify(directory, round, state);
        }
        finally
        {
            child.destroyForcibly();
        }
    }

    /**
     * A kill inside an append leaves the entry's bytes without their document header word (Chronicle writes it
     * last): a torn last write, which the open must not take for damage, however much of the entry got written.
     * <p>
     * A kill at a random moment lands inside an append now and then only, so the child (appending large entries, so
     * that it spends its time copying them into the mapping) is stopped at random moments with SIGSTOP instead, the
     * stopped log is looked at, and the child is SIGKILLed, still stopped, at the first moment an append was in
     * progress: what the open then finds is exactly what a kill at that moment leaves.
     */
    @Test
    void sigkillInsideAnAppendLeavesATornWriteThatIsNotDamage() throws Exception
    {
        final Path directory = root.resolve("torn");
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        final Path output = Files.createDirectories(directory.resolveSibling("stdout")).resolve("torn.txt");
        final Process child = startChild(directory, random.nextLong(), 0, output, "large");
        final ChildOutput lines = new ChildOutput(output);
        int stops = 0;
        try
        {
            assertTrue(nextLine(lines, child).startsWith("OPEN "), "the child's first line");
            assertTrue(nextLine(lines, child).startsWith("HAVE "), "the child's second line");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true)
            {
                // the moment is what is random here: no condition is being waited for
                LockSupport.parkNanos(random.nextLong(TimeUnit.MICROSECONDS.toNanos(500)));
                signal(child, "STOP");
                awaitStopped(child);
                stops++;
                if (appendInProgress(directory))
                {
                    child.destroyForcibly();
                    break;
                }
                signal(child, "CONT");
                assertTrue(System.nanoTime() - deadline < 0, "none of " + stops + " stops landed inside an append");
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed child did not exit");
        }
        finally
        {
            child.destroyForcibly();
        }

        final String where = "killed inside an append (after " + stops + " stops): ";
        // first as the log tools open it: a writer that died without closing leaves nothing a read-only open needs
        final Map<String, String> before = DirectorySnapshot.of(directory);
        final long have;
        try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(directory))
        {
            assertFalse(log.damagedAtOpen(), where + log.damageReport());
            assertTrue(log.tornWriteAtOpen(), where + "the torn write is seen read-only");
            have = log.have();
            assertCleanPrefix(log, where, true);
        }
        assertEquals(before, DirectorySnapshot.of(directory), where + "the read-only open changed the directory");
        try (ChronicleEventLog log = ChronicleEventLog.open(CrashChild.context(directory)))
        {
            assertFalse(log.damagedAtOpen(), where + log.damageReport());
            assertTrue(log.tornWriteAtOpen(), where + "the torn write is seen");
            assertEquals(0, log.droppedAtOpen(), where + "an append that never completed loses nothing written");
            assertEquals(have, log.have(), where + "the same entries as read-only");
            assertCleanPrefix(log, where, true);
        }
        System.out.println("crash test: SIGKILL inside an append after " + stops + " SIGSTOPs");
    }

    /** @return true when the (stopped) child's log ends with the bytes of an append that has not completed. */
    private static boolean appendInProgress(final Path directory) throws IOException
    {
        final Path queue = directory.resolve(ChronicleEventLog.QUEUE_DIRECTORY);
        final int[] cycles;
        try (Stream<Path> files = Files.list(queue))
        {
            cycles = files.mapToInt(f -> ChronicleEventLog.cycleOfFileName(f.getFileName().toString()))
                .filter(c -> c >= 0).sorted().toArray();
        }
        final ChronicleLogContext context = CrashChild.context(directory).conclude();
        final LogScan scan = new LogScan(queue, context.entriesPerCycle(), context.maxPayloadLength());
        scan.run(cycles);
        assertFalse(scan.damaged(), "a live log, stopped: " + scan.breakReason + "; " + scan.damagedBytes);
        return scan.unfinishedAt >= 0;
    }

    private static void signal(final Process child, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid()))
            .redirectErrorStream(true).start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill -" + signal);
        assertEquals(0, kill.exitValue(), "kill -" + signal + ": " +
            new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Poll {@code /proc} until every thread of the child is stopped: only then is its log still. */
    private static void awaitStopped(final Process child) throws IOException
    {
        final Path tasks = Path.of("/proc", Long.toString(child.pid()), "task");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            boolean allStopped = true;
            try (Stream<Path> threads = Files.list(tasks))
            {
                for (final Path thread : (Iterable<Path>)threads::iterator)
                {
                    final String stat;
                    try
                    {
                        stat = Files.readString(thread.resolve("stat"));
                    }
                    catch (final java.nio.file.NoSuchFileException exited)
                    {
                        continue;
                    }
                    // the state follows the command name, which is in parentheses and may hold spaces
                    final char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    allStopped &= state == 'T' || state == 't';
                }
            }
            if (allStopped)
            {
                return;
            }
            assertTrue(System.nanoTime() - deadline < 0, "the child did not stop");
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    private void verify(final Path directory, final int round, final ChildState state)
    {
        final long unrollTarget = state.unrollTarget;
        final long unrollFrom = state.unrollFrom;
        final long reportedHave = state.reportedHave;
        try (ChronicleEventLog log = ChronicleEventLog.open(CrashChild.context(directory)))
        {
            final String where = "round " + round + " (the child said " +
                state.transcript.subList(Math.max(0, state.transcript.size() - 12), state.transcript.size()) + "): ";
            assertFalse(log.damagedAtOpen(), where + "a SIGKILL tears at most the write in progress");
            assertTrue(log.droppedAtOpen() <= 1, where + "dropped " + log.droppedAtOpen());
            tornWritesDropped += (int)log.droppedAtOpen();
            redoneAtOpen += log.unrollRedoneAtOpen() ? 1 : 0;
            if (unrollTarget >= 0)
            {
                killsInsideUnroll++;
                assertTrue(log.have() == unrollTarget || log.have() == unrollFrom,
                    where + "killed inside unrollTo(" + unrollTarget + ") of a log of " + unrollFrom +
                    ": the log has " + log.have() + ", neither uncut nor cut");
                if (log.unrollRedoneAtOpen())
                {
                    assertEquals(unrollTarget, log.have(), where + "a redone unroll ends cut");
                }
            }
            else
            {
                killsElsewhere++;
                assertTrue(log.have() >= reportedHave && log.have() <= reportedHave + CrashChild.MAX_BATCH,
                    where + "the log has " + log.have() + " entries; the child had reported " + reportedHave);
            }
            assertCleanPrefix(log, where);
        }
    }

    private static void assertCleanPrefix(final ChronicleEventLog log, final String where)
    {
        assertCleanPrefix(log, where, false);
    }

    private static void assertCleanPrefix(final ChronicleEventLog log, final String where, final boolean large)
    {
        final LogEntry entry = new LogEntry();
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[CrashChild.LARGE_PAYLOAD_CAPACITY]);
        long previousChk = Checksum.EMPTY;
        long generation = 0;
        for (long p = 1; p <= log.have(); p++)
        {
            assertTrue(log.read(p, entry), where + "entry " + p);
            assertEquals(entry.expectedChk(previousChk), entry.chk(), where + "chain at " + p);
            assertTrue(entry.epoch() >= generation, where + "generation falls at " + p);
            generation = entry.epoch();
            assertEquals(p, entry.counter(), where + "entry " + p + " was written for position " + entry.counter());
            final int length = large ? CrashChild.fillLarge(expected, p, entry.epoch()) :
                CrashChild.fill(expected, p, entry.epoch());
            final byte[] want = new byte[length];
            expected.getBytes(0, want);
            final byte[] got = new byte[entry.payloadLength()];
            entry.payload().getBytes(entry.payloadOffset(), got);
            assertArrayEquals(want, got, where + "payload at " + p);
            previousChk = entry.chk();
        }
        assertEquals(previousChk, log.chkAt(log.have()));
    }

    /** A failed round's log and the children's stderr, copied to target/ where a developer can look at them. */
    private static void keepForInspection(final Path root, final int round) throws IOException
    {
        final Path kept = Path.of("target", "crash-test-failure-round-" + round).toAbsolutePath();
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final Path copy = kept.resolve(root.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(copy);
                }
                else
                {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        System.err.println("crash test: the failed round's directory was copied to " + kept);
    }

    private static Process startChild(final Path directory, final long seed, final int round, final Path output)
        throws IOException
    {
        return startChild(directory, seed, round, output, "mixed");
    }

    private static Process startChild(
        final Path directory, final long seed, final int round, final Path output, final String mode)
        throws IOException
    {
        final String flags = System.getProperty("sequencer.jvm.flags");
        assertNotNull(flags, "the Chronicle JVM flags come from the parent POM through Surefire");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(flags.trim().split("\\s+")));
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        if (!mode.equals("large"))
        {
            command.add("-XX:TieredStopAtLevel=1"); // the child lives for a second or two: start fast
        }
        // else the optimising compiler makes the checksums of a large entry cheap beside its copy into the mapping,
        // which is where the kill should land
        command.add("-XX:-UsePerfData");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashChild.class.getName());
        command.add(directory.toString());
        command.add(Long.toString(seed));
        command.add(mode);
        return new ProcessBuilder(command)
            .redirectOutput(output.toFile())
            .redirectError(Files.createDirectories(directory.resolveSibling("stderr"))
                .resolve("child-" + round + ".log").toFile())
            .start();
    }

    private static String nextLine(final ChildOutput lines, final Process child)
    {
        final long deadline = System.nanoTime() + LINE_DEADLINE_NS;
        while (true)
        {
            final String line = lines.poll();
            if (line != null)
            {
                return line;
            }
            if (!child.isAlive())
            {
                final String last = lines.poll();
                if (last != null)
                {
                    return last;
                }
                fail("the child exited with " + child.exitValue() + " before it was killed (see its stderr log)");
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("no line from the child within " + TimeUnit.NANOSECONDS.toSeconds(LINE_DEADLINE_NS) + " s; its " +
                    "threads:\n" + threadDump(child));
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    private static String threadDump(final Process child)
    {
        try
        {
            final Process jcmd = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(child.pid()),
                "Thread.print").redirectErrorStream(true).start();
            final String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return dump;
        }
        catch (final IOException | InterruptedException ex)
        {
            return "(no thread dump: " + ex + ")";
        }
    }

    /**
     * The child's stdout, written to a file rather than a pipe: a pipe's unread tail is at the mercy of the reader when
     * the writer is killed, a file keeps every line the child wrote before it died.
     */
    private static final class ChildOutput
    {
        private final Path file;
        private final StringBuilder pending = new StringBuilder();
        private long offset;

        ChildOutput(final Path file)
        {
            this.file = file;
        }

        /** @return the next complete line, or null when the child has not written one yet. */
        String poll()
        {
            final int newline = pending.indexOf("\n");
            if (newline >= 0)
            {
                final String line = pending.substring(0, newline);
                pending.delete(0, newline + 1);
                return line;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                final int read = channel.read(buffer, offset);
                if (read <= 0)
                {
                    return null;
                }
                offset += read;
                pending.append(new String(buffer.array(), 0, read, StandardCharsets.UTF_8));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            final int next = pending.indexOf("\n");
            if (next < 0)
            {
                return null;
            }
            final String line = pending.substring(0, next);
            pending.delete(0, next + 1);
            return line;
        }
    }

    /** What the child's lines say the log holds. */
    private static final class ChildState
    {
        final List<String> transcript = new ArrayList<>();
        long reportedHave;
        long unrollTarget = -1;
        long unrollFrom = -1;

        ChildState(final long have)
        {
            reportedHave = have;
        }

        void apply(final String line)
        {
            transcript.add(line);
            if (line.startsWith("HAVE "))
            {
                reportedHave = Long.parseLong(line.substring(5));
            }
            else if (line.startsWith("UNROLL-BEGIN "))
            {
                final String[] parts = line.split(" ");
                unrollTarget = Long.parseLong(parts[1]);
                unrollFrom = Long.parseLong(parts[2]);
            }
            else if (line.equals("UNROLL-END"))
            {
                reportedHave = unrollTarget;
                unrollTarget = -1;
            }
        }
    }
}
