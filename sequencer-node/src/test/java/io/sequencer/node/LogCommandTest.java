package io.sequencer.node;

import io.sequencer.core.LogEntry;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EntryType;
import io.sequencer.core.MemberSet;
import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.ChronicleLogContext;
import io.sequencer.storage.DirectorySnapshot;
import io.sequencer.storage.MemberDirectoryLock;
import io.sequencer.storage.NodeStorage;
import io.sequencer.storage.QueueFiles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sequencer log}: dump, verify and check-acks never write, whatever the log holds; repair is the one that
 * does, says what it did in one line, and refuses to cut damage. Each runs in this process on a member directory
 * written here.
 */
class LogCommandTest
{
    private static final int CLUSTER_ID = 7;
    /** Events after the first entry, an EpochStart. */
    private static final int EVENTS = 200;

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        out = new StringWriter();
        err = new StringWriter();
        return SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private Path member()
    {
        return dir.resolve("member-0");
    }

    private Path log()
    {
        return member().resolve(NodeStorage.LOG_DIRECTORY);
    }

    private NodeStorage openMember()
    {
        // small mapped blocks keep the test's cycle file small; the tools' open reads it whatever its block size
        return NodeStorage.open(member(), new ChronicleLogContext().clusterId(CLUSTER_ID).blockSize(256 * 1024));
    }

    /**
     * A stopped member whose log holds an EpochStart of members 0, 1, 2 (0 and 1 active) and {@link #EVENTS}
     * events: event {@code e} has a payload of {@code e % 40} bytes counting up from {@code e}.
     *
     * @return the chk of the last entry.
     */
    private long writeMember()
    {
        try (NodeStorage storage = openMember())
        {
            final ChronicleEventLog log = storage.log();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            log.append(new LogEntry().header(EntryType.EPOCH_START, 1, 0, 0, 0, 0, 0)
                    .payload(payload, 0, MemberSet.encode(payload, 0, ClusterConfig.ofSize(CLUSTER_ID, 3), 0b011)));
            for (int e = 1; e <= EVENTS; e++)
            {
                final int length = e % 40;
                for (int i = 0; i < length; i++)
                {
                    payload.putByte(i, (byte)(e + i));
                }
                log.append(new LogEntry().header(
                        EntryType.EVENT, 1, e, 2, 9, e, 1_800_000_000_000_000_000L + e * 1_000_000L)
                        .payload(payload, 0, length));
            }
            return log.chkAt(log.have());
        }
    }

    /**
     * The member directory as the log tools must leave it. A tool writes the lock file only (its pid while it
     * holds the directory, emptied when it lets go): its time is left out, its size is kept.
     */
    private Map<String, String> snapshot() throws IOException
    {
        final Map<String, String> state = DirectorySnapshot.of(member());
        final String lock = state.get(MemberDirectoryLock.LOCK_FILE);
        state.put(MemberDirectoryLock.LOCK_FILE, lock.substring(lock.indexOf(' ')));
        return state;
    }

    private List<String> lines(final StringWriter writer)
    {
        return writer.toString().lines().toList();
    }

    @Test
    void dumpPrintsEveryPayloadInHexAndChangesNothing() throws IOException
    {
        writeMember();
        final Map<String, String> before = snapshot();

        assertEquals(0, run("log", "dump", "--dir", member().toString()), err.toString());
        final List<String> dumped = lines(out);
        assertEquals(1 + EVENTS, dumped.size());
        assertTrue(dumped.get(0).contains("EpochStart C=[0,1,2] A=[0,1]"), dumped.get(0));
        assertFalse(dumped.get(0).contains("payload"), "an EpochStart shows its member set: " + dumped.get(0));
        assertTrue(dumped.get(1).matches(
            " +2  E1     key \\(1,1,2\\)  id 2/9/1  at 2027-01-15T08:00:00.001Z  size    1  chk [0-9a-f]{16}" +
            "  payload 01"), "the origin's time in UTC: " + dumped.get(1));
        assertTrue(dumped.get(3).endsWith("  size    3  chk " + chk(dumped.get(3)) + "  payload 030405"),
            dumped.get(3));
        assertTrue(dumped.get(39).endsWith("  payload " + hexFrom(39, 39)), dumped.get(39));
        assertTrue(dumped.get(40).endsWith("  size    0  chk " + chk(dumped.get(40)) + "  payload -"),
            "event 40 is empty: " + dumped.get(40));
        assertEquals("", err.toString());

        assertEquals(0, run("log", "dump", "--dir", member().toString(), "--from", "2", "--to", "3",
            "--no-payload"), err.toString());
        assertEquals(2, lines(out).size(), out.toString());
        assertEquals(dumped.get(1).substring(0, dumped.get(1).indexOf("  payload ")), lines(out).get(0));
        assertTrue(lines(out).stream().noneMatch(line -> line.contains("payload")), out.toString());

        assertEquals(0, run("log", "verify", "--dir", member().toString()), err.toString());
        assertTrue(out.toString().startsWith("log verified: " + (1 + EVENTS) + " entries"), out.toString());
        assertEquals(before, snapshot(), "dump and verify changed the member directory");
        assertEquals(0, Files.size(member().resolve(MemberDirectoryLock.LOCK_FILE)), "the lock file is empty again");
    }

    /** @return the chk of a dump line. */
    private static String chk(final String line)
    {
        return line.substring(line.indexOf("  chk ") + 6, line.indexOf("  chk ") + 22);
    }

    /** @return {@code length} bytes counting up from {@code first}, in lowercase hex. */
    private static String hexFrom(final int first, final int length)
    {
        final StringBuilder hex = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            hex.append(String.format("%02x", (first + i) & 0xFF));
        }
        return hex.toString();
    }

    @Test
    void repairCutsATornLastWriteInOneLineAndDumpShowsTheCutLog() throws IOException
    {
        final long lastChk = writeMember();
        final long last = 1 + EVENTS;
        // a byte of the last entry's epoch: its document is complete but fails its checks, as a torn write leaves it
        QueueFiles.flipByteAfter(QueueFiles.cycleFile(log(), 1), lastChk, 8);
        final Map<String, String> before = snapshot();

        assertEquals(0, run("log", "dump", "--dir", member().toString()), err.toString());
        assertEquals(last - 1, lines(out).size(), "reads stop at the last entry that verifies");
        assertEquals(List.of("log dump: entry " + last + " is a torn last write: read up to entry " + (last - 1) +
            ", not cut ('sequencer log repair' cuts it)"), lines(err));
        assertEquals(before, snapshot(), "dump left the torn write where it was");

        assertEquals(0, run("log", "repair", "--dir", member().toString()), err.toString());
        assertEquals(List.of("log repair: cut a torn last write at position " + last + ", " + (last - 1) + " entries"),
            lines(out));
        assertEquals("", err.toString());

        assertEquals(0, run("log", "dump", "--dir", member().toString()), err.toString());
        assertEquals(last - 1, lines(out).size());
        assertEquals("", err.toString(), "nothing torn left to report");
        assertEquals(0, run("log", "repair", "--dir", member().toString()), err.toString());
        assertEquals(List.of("log repair: nothing to repair, " + (last - 1) + " entries"), lines(out));
    }

    @Test
    void repairRefusesToCutDamageAndChangesNothing() throws IOException
    {
        writeMember();
        final Path file = QueueFiles.cycleFile(log(), 1);
        // over the header word of the entry at position 101 and into it, with 100 entries written after it
        QueueFiles.writeRandom(file, QueueFiles.dataDocuments(file)[100] + 2, 64, 0x5EED);
        final Map<String, String> before = snapshot();

        assertEquals(1, run("log", "repair", "--dir", member().toString()), out.toString());
        assertEquals("", out.toString());
        final List<String> said = lines(err);
        assertEquals(1, said.size(), err.toString());
        assertTrue(said.get(0).startsWith("log repair: the log is damaged at position 101: at least 101 entries " +
            "written from there on would be lost by cutting it, so it was not cut; wipe this member's directory"),
            said.get(0));
        assertEquals(before, snapshot(), "repair changed a damaged log");

        assertEquals(1, run("log", "verify", "--dir", member().toString()));
        assertEquals(List.of("log damaged: 100 entries verify, at least 101 written after them are lost"),
            lines(out));
        assertEquals(0, run("log", "dump", "--dir", member().toString()), err.toString());
        assertEquals(100, lines(out).size());
        assertTrue(err.toString().contains("nothing is cut, reads stop at entry 100"), err.toString());
        assertEquals(before, snapshot(), "verify and dump changed a damaged log");
    }

    @Test
    void anInterruptedUnrollIsRefusedByDumpAndFinishedByRepair() throws IOException
    {
        writeMember();
        QueueFiles.interruptUnroll(log(), 150);
        final Map<String, String> before = snapshot();

        assertEquals(1, run("log", "dump", "--dir", member().toString()));
        assertEquals("", out.toString());
        assertEquals(1, lines(err).size(), err.toString());
        assertTrue(err.toString().contains("an unroll to entry 150 was interrupted"), err.toString());
        assertTrue(err.toString().contains("run 'sequencer log repair --dir " + log() + "'"), err.toString());
        assertEquals(before, snapshot());

        assertEquals(0, run("log", "repair", "--dir", log().toString()), err.toString());
        assertEquals(List.of("log repair: finished an interrupted unroll to position 150, 150 entries"), lines(out));
        assertEquals(0, run("log", "verify", "--dir", member().toString()), err.toString());
        assertTrue(out.toString().startsWith("log verified: 150 entries"), out.toString());
    }

    @Test
    void aRunningMembersDirectoryIsRefusedInOneLineAndChangesNothing() throws IOException
    {
        writeMember();
        final Path acks = Files.writeString(dir.resolve("acks.txt"), "");
        try (NodeStorage running = openMember())
        {
            final Map<String, String> before = DirectorySnapshot.of(member()); // the lock file's time too
            final String[][] commands = {
                {"log", "dump", "--dir", member().toString()},
                {"log", "verify", "--dir", log().toString()},
                {"log", "check-acks", "--dir", member().toString(), "--ack-log", acks.toString()},
                {"log", "repair", "--dir", member().toString()},
                {"log", "repair", "--dir", log().toString()},
            };
            for (final String[] command : commands)
            {
                final String what = String.join(" ", command);
                assertEquals(LogCommand.IN_USE, run(command), what + ": " + out + err);
                assertEquals("", out.toString(), what);
                assertEquals(1, lines(err).size(), what + ": " + err);
                assertTrue(err.toString().startsWith("log " + command[1] + ": member directory " + member() +
                    " is in use by this process"), what + ": " + err);
            }
            assertEquals(before, DirectorySnapshot.of(member()), "the refused tools changed the running member's dir");
            assertEquals(1 + EVENTS, running.log().have());
        }
    }
}
