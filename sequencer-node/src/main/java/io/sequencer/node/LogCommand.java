package io.sequencer.node;

import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.MemberSet;
import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.CommittedLogReader;
import io.sequencer.storage.MemberDirectoryLockedException;
import io.sequencer.storage.NodeStorage;
import io.sequencer.storage.UnrollInterruptedException;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sequencer log dump|verify|check-acks|repair}: a stopped node's event log, opened under the member
 * directory's lock: refused, changing nothing, while the member runs, and the member cannot start while a tool has
 * its log open. {@code dump}, {@code verify} and {@code check-acks} open it read-only
 * ({@link NodeStorage#openExistingLogReadOnly}) and never write: a torn last write or damage is reported and left on
 * disk, reads stop at the last entry that verifies, and an interrupted unroll is refused. {@code repair} is the
 * explicit writing open ({@link NodeStorage#openExistingLog}). {@code tail} is the exception to the lock: it follows
 * a running member's committed entries ({@link CommittedLogReader}), beside it.
 */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Inspect a stopped node's event log (refused while the member runs). dump, verify and check-acks "
        + "never write: a torn last write or damage is reported, not cut, and reads stop at the last entry that "
        + "verifies; a log whose unroll was interrupted is refused until 'log repair' finishes it. repair is the "
        + "one that writes. tail reads a running member's committed entries beside it.",
    subcommands = { LogCommand.Dump.class, LogCommand.Tail.class, LogCommand.Verify.class, LogCommand.CheckAcks.class,
        LogCommand.Repair.class })
final class LogCommand
{
    /** Exit code when the member directory is in use: bad usage, as for any other refused command line. */
    static final int IN_USE = 2;

    /** Lowercase, no separators: a payload is one word of a dump line. */
    private static final HexFormat HEX = HexFormat.of();

    /** slf4j-simple's level for the storage's loggers: read as each logger is made, a system property first. */
    static final String STORAGE_LOG_LEVEL = "org.slf4j.simpleLogger.log.io.sequencer.storage";

    /**
     * What every log command has, and how it ends: its directory, and one line on stderr with exit code 2 while the
     * member runs, or 1 for a log that cannot be read as it is (no log, an interrupted unroll, damage met by a read).
     */
    abstract static class LogSubcommand implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR",
            description = "The node's directory (or its log directory).")
        File dir;

        /** @return the exit code. An open that is refused throws: {@link #call()} says why in one line. */
        abstract int run() throws IOException;

        public final Integer call() throws IOException
        {
            quietStorageLogging();
            final String command = command();
            final PrintWriter err = spec.commandLine().getErr();
            try
            {
                return run();
            }
            catch (final MemberDirectoryLockedException ex)
            {
                err.println(command + ": " + ex.getMessage());
                return IN_USE;
            }
            catch (final IllegalStateException ex)
            {
                err.println(command + ": " + ex.getMessage());
                return 1;
            }
            finally
            {
                err.flush();
            }
        }

        /** @return "log dump" and so on: what this command's lines start with. */
        String command()
        {
            final String name = spec.qualifiedName(); // "sequencer log dump"
            return name.substring(name.indexOf(' ') + 1);
        }

        /**
         * Open the log of a member directory, or of a log directory, read-only under the member's lock, and say on
         * stderr what the open found and left: damage, or a torn last write.
         */
        ChronicleEventLog openLog()
        {
            return openLog(false);
        }

        /** @param verifyWholeLog walk every cycle file at open, the seals of full cycles ignored (§10.1). */
        ChronicleEventLog openLog(final boolean verifyWholeLog)
        {
            Arguments.existingDirectory(spec, "--dir", dir);
            final String command = command();
            final PrintWriter err = spec.commandLine().getErr();
            final ChronicleEventLog log = NodeStorage.openExistingLogReadOnly(dir.toPath(), verifyWholeLog);
            if (log.damagedAtOpen())
            {
                err.println(command + ": " + log.damageReport());
            }
            else if (log.tornWriteAtOpen())
            {
                err.println(command + ": " + (log.droppedAtOpen() > 0 ?
                    "entry " + (log.have() + 1) + " is a torn last write: read up to entry " + log.have() +
                        ", not cut ('sequencer log repair' cuts it)" :
                    "an unfinished write after entry " + log.have() + " holds no entry: nothing lost"));
            }
            err.flush();
            return log;
        }
    }

    /**
     * The log commands say in their own lines what an open found; the storage's log lines would say it again on
     * stderr (twice for a repair, which opens the log twice). Quieted before its first logger is made, unless the
     * command line set the level (-D{@value #STORAGE_LOG_LEVEL}=warn in SEQUENCER_JAVA_OPTS).
     */
    static void quietStorageLogging()
    {
        if (System.getProperty(STORAGE_LOG_LEVEL) == null)
        {
            System.setProperty(STORAGE_LOG_LEVEL, "off");
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print entries, one a line: position, epoch, key (epoch, counter, origin), event id, size, chk "
            + "and the payload in lowercase hex ('-' when empty; an EpochStart shows its member set instead). "
            + "Never writes.")
    static final class Dump extends LogSubcommand
    {
        @Option(names = "--from", paramLabel = "P", defaultValue = "1", description = "First position (default: 1).")
        long from;

        @Option(names = "--to", paramLabel = "P", description = "Last position (default: the last entry).")
        Long to;

        @Option(names = "--no-payload", description = "Leave the payload out: an event of 4 KiB is 8,192 hex digits.")
        boolean noPayload;

        int run()
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (ChronicleEventLog log = openLog())
            {
                final long last = to == null ? log.have() : Math.min(to, log.have());
                final LogEntry entry = new LogEntry();
                byte[] payload = new byte[0];
                for (long p = Math.max(log.base() + 1, from); p <= last; p++) // retention discarded those below
                {
                    log.read(p, entry);
                    payload = print(out, entry, !noPayload, payload);
                }
                out.flush();
            }
            return 0;
        }
    }

    /**
     * One entry as {@code dump} prints it: position, epoch, key, event id, the time its origin gave it (UTC, to the
     * microsecond), size, chk and the payload in hex (an EpochStart shows its member set instead, a tick its time).
     *
     * @param scratch a buffer for the payload's bytes, reused; the one to pass next time is returned.
     */
    static byte[] print(final PrintWriter out, final LogEntry entry, final boolean withPayload, final byte[] scratch)
    {
        if (entry.type() == EntryType.EPOCH_START)
        {
            out.printf("%10d  E%-5d EpochStart %-28s size %4d  chk %016x%n", entry.position(), entry.epoch(),
                MemberSet.toString(entry.payload(), entry.payloadOffset(), entry.payloadLength()),
                entry.payloadLength(), entry.chk());
            return scratch;
        }
        if (entry.type() == EntryType.TICK)
        {
            out.printf("%10d  E%-5d key (%d,%d,%d)  tick  at %s  chk %016x%n", entry.position(), entry.epoch(),
                entry.epoch(), entry.counter(), entry.originId(), time(entry.timestamp()), entry.chk());
            return scratch;
        }
        out.printf("%10d  E%-5d key (%d,%d,%d)  id %d/%d/%d  at %s  size %4d  chk %016x", entry.position(),
            entry.epoch(), entry.epoch(), entry.counter(), entry.originId(), entry.originId(), entry.incarnation(),
            entry.localSeq(), time(entry.timestamp()), entry.payloadLength(), entry.chk());
        byte[] payload = scratch;
        if (withPayload)
        {
            payload = payloadBytes(entry, scratch);
            out.print("  payload ");
            out.print(entry.payloadLength() == 0 ? "-" : HEX.formatHex(payload, 0, entry.payloadLength()));
        }
        out.println();
        return payload;
    }

    /** An entry's time as UTC to the microsecond ({@code 2026-12-05T17:31:33.968447Z}). */
    private static String time(final long epochNs)
    {
        return java.time.Instant.ofEpochSecond(0, epochNs).truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
    }

    /** One entry as a JSON object on one line (for {@code tail --json}). */
    static byte[] printJson(
        final PrintWriter out, final LogEntry entry, final boolean withPayload, final byte[] scratch)
    {
        final boolean epochStart = entry.type() == EntryType.EPOCH_START;
        out.printf("{\"position\":%d,\"epoch\":%d,\"type\":\"%s\"", entry.position(), entry.epoch(),
            epochStart ? "epoch-start" : entry.type() == EntryType.TICK ? "tick" : "event");
        if (epochStart)
        {
            out.printf(",\"members\":\"%s\"",
                MemberSet.toString(entry.payload(), entry.payloadOffset(), entry.payloadLength()));
        }
        else
        {
            out.printf(",\"counter\":%d,\"origin\":%d,\"incarnation\":%d,\"localSeq\":%d,\"timeNs\":%d",
                entry.counter(), entry.originId(), entry.incarnation(), entry.localSeq(), entry.timestamp());
        }
        out.printf(",\"size\":%d,\"chk\":\"%016x\"", entry.payloadLength(), entry.chk());
        byte[] payload = scratch;
        if (withPayload && !epochStart)
        {
            payload = payloadBytes(entry, scratch);
            out.print(",\"payload\":\"");
            out.print(HEX.formatHex(payload, 0, entry.payloadLength()));
            out.print('"');
        }
        out.println('}');
        return payload;
    }

    private static byte[] payloadBytes(final LogEntry entry, final byte[] scratch)
    {
        final int length = entry.payloadLength();
        final byte[] payload = scratch.length < length ? new byte[length] : scratch;
        entry.payload().getBytes(entry.payloadOffset(), payload, 0, length);
        return payload;
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the entries a member has committed (at or below its durable watermark g, which no epoch "
            + "change cuts), one a line as dump prints them or as JSON, and with --follow go on as it commits more, "
            + "until SIGTERM or Ctrl-C (exit 0). Reads beside a running member: takes no lock, never writes, and "
            + "follows it across restarts.")
    static final class Tail extends LogSubcommand
    {
        /** Without --follow: how long to wait for committed entries this member's log does not hold yet. */
        private static final long SETTLE_NS = TimeUnit.SECONDS.toNanos(1);

        @Option(names = "--from", paramLabel = "P", defaultValue = "1", description = "First position (default: 1).")
        long from;

        @Option(names = "--follow", description = "Go on printing entries as they are committed, until stopped.")
        boolean follow;

        @Option(names = "--json", description = "One JSON object a line (payload in hex).")
        boolean json;

        @Option(names = "--no-payload", description = "Leave the payload out.")
        boolean noPayload;

        private volatile boolean stopping;

        int run()
        {
            Arguments.atLeast(spec, "--from", from, 1);
            if (!follow)
            {
                Arguments.existingDirectory(spec, "--dir", dir); // with --follow, a member not started is waited for
            }
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            if (follow)
            {
                NodeCommand.stopOnSignal("TERM", () -> stopping = true, err, command());
                NodeCommand.stopOnSignal("INT", () -> stopping = true, err, command());
            }
            final byte[][] payload = { new byte[0] };
            final io.sequencer.core.CommittedEntries.Handler handler = entry -> payload[0] = json ?
                printJson(out, entry, !noPayload, payload[0]) : print(out, entry, !noPayload, payload[0]);
            final IdleStrategy idle = new SleepingMillisIdleStrategy(1);
            try (CommittedLogReader reader = openReader(err))
            {
                if (reader == null)
                {
                    return 0; // stopped while waiting for the member
                }
                long target = -1;
                long lastProgressNs = System.nanoTime();
                while (!stopping)
                {
                    final int read = reader.poll(handler, 256);
                    if (target < 0)
                    {
                        target = reader.committed(); // without --follow: what was committed when it started
                    }
                    if (!follow && reader.nextPosition() > target)
                    {
                        break;
                    }
                    if (read > 0)
                    {
                        lastProgressNs = System.nanoTime();
                        out.flush();
                    }
                    else if (!follow && System.nanoTime() - lastProgressNs >= SETTLE_NS)
                    {
                        err.println(command() + ": entries " + reader.nextPosition() + ".." + target + " are " +
                            "committed but not in this member's log yet (it is behind): printed up to " +
                            (reader.nextPosition() - 1));
                        break;
                    }
                    idle.idle(read);
                }
            }
            out.flush();
            return 0;
        }

        /**
         * The reader; with --follow, a member that has not started yet (no log or counters) is waited for, saying
         * so once. Null when stopped while waiting.
         */
        private CommittedLogReader openReader(final PrintWriter err)
        {
            boolean said = false;
            while (true)
            {
                try
                {
                    return CommittedLogReader.open(dir.toPath(), from);
                }
                catch (final IllegalStateException ex)
                {
                    if (!follow)
                    {
                        throw ex;
                    }
                    if (!said)
                    {
                        err.println(command() + ": waiting for the member to start (" + ex.getMessage() + ")");
                        err.flush();
                        said = true;
                    }
                }
                if (stopping)
                {
                    return null;
                }
                LockSupport.parkNanos(CommittedLogReader.RECHECK_INTERVAL_NS);
            }
        }
    }

    @Command(name = "check-acks", mixinStandardHelpOptions = true,
        description = "Check that every line '<eventId> <position> ...' of an --ack-log names an event this log holds "
            + "at that position (the event id is in the payload, bytes 16..23): nothing acknowledged was lost. "
            + "Never writes.")
    static final class CheckAcks extends LogSubcommand
    {
        @Option(names = "--ack-log", required = true, paramLabel = "FILE", description = "A node's --ack-log.")
        Path ackLog;

        int run() throws IOException
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (ChronicleEventLog log = openLog())
            {
                final LogEntry entry = new LogEntry();
                long checked = 0;
                long discarded = 0;
                // read a line at a time: a member's ack log of months is far larger than a heap; the last line has
                // no newline when the node was killed while writing it, and is not checked
                final boolean lastLineWhole = endsWithNewline(ackLog);
                try (java.io.BufferedReader reader = Files.newBufferedReader(ackLog))
                {
                    String line = reader.readLine();
                    while (line != null)
                    {
                        final String next = reader.readLine();
                        if (next == null && !lastLineWhole)
                        {
                            break;
                        }
                        final String[] parts = line.trim().split(" "); // columns after the first two are not checked
                        line = next;
                        if (parts.length < 2)
                        {
                            continue;
                        }
                        final long eventId = Long.parseLong(parts[0]);
                        final long position = Long.parseLong(parts[1]);
                        if (position <= log.base())
                        {
                            discarded++; // retention discarded it: a checkpoint covers it (§13)
                            continue;
                        }
                        if (!log.read(position, entry) || entry.type() != EntryType.EVENT ||
                            entry.payloadLength() < 24 ||
                            entry.payload().getLong(entry.payloadOffset() + 16, ByteOrder.LITTLE_ENDIAN) != eventId)
                        {
                            out.printf("acknowledged event %d is not at position %d%n", eventId, position);
                            return 1;
                        }
                        checked++;
                    }
                }
                out.printf("all %d acknowledged events are in the log at their positions%s%n", checked,
                    discarded > 0 ? " (" + discarded + " more at or below " + log.base() + ", discarded by " +
                    "retention, not checked)" : "");
            }
            return 0;
        }
    }

    private static boolean endsWithNewline(final Path file) throws IOException
    {
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "r"))
        {
            if (raf.length() == 0)
            {
                return true;
            }
            raf.seek(raf.length() - 1);
            return raf.read() == '\n';
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the whole checksum chain; print the entry count and the final chk. Never writes: a torn "
            + "last write is reported and not counted; damage exits 1.")
    static final class Verify extends LogSubcommand
    {
        int run()
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (ChronicleEventLog log = openLog(true))
            {
                if (log.damagedAtOpen())
                {
                    out.printf("log damaged: %d entries verify, at least %d written after them are lost%n",
                        log.have(), log.droppedAtOpen());
                    out.flush();
                    return 1;
                }
                final LogEntry entry = new LogEntry();
                long previous = log.chkAt(log.base()); // the chain starts at the base retention left (§13)
                for (long p = log.base() + 1; p <= log.have(); p++)
                {
                    log.read(p, entry);
                    if (entry.expectedChk(previous) != entry.chk())
                    {
                        out.printf("chain broken at %d: chk %016x, expected %016x%n", p, entry.chk(),
                            entry.expectedChk(previous));
                        return 1;
                    }
                    previous = entry.chk();
                }
                out.printf("log verified: %d entries%s, chk %016x%n", log.have(),
                    log.base() > 0 ? " (from " + (log.base() + 1) + ": those below were discarded by retention)" : "",
                    previous);
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "repair", mixinStandardHelpOptions = true,
        description = "The log command that writes, for a stopped member: finish an interrupted unroll and cut a torn "
            + "last write, then print one line saying what it did. Damage (an entry that does not verify, with "
            + "entries written after it) is not cut: cutting would hide entries the member once held, so it prints "
            + "where the log is damaged and how many entries would be lost, changes nothing and exits 1; wipe the "
            + "member's directory and restart it to fetch the log from its peers.")
    static final class Repair extends LogSubcommand
    {
        int run()
        {
            Arguments.existingDirectory(spec, "--dir", dir);
            // damage is looked for read-only first: a log that must not be cut is left exactly as it was
            try (ChronicleEventLog log = NodeStorage.openExistingLogReadOnly(dir.toPath(), true))
            {
                if (log.damagedAtOpen())
                {
                    return damaged(log, "");
                }
            }
            catch (final UnrollInterruptedException ex)
            {
                // the writing open below finishes it, then looks for damage again
            }
            try (ChronicleEventLog log = NodeStorage.openExistingLog(dir.toPath()))
            {
                final String unroll = log.unrollRedoneAtOpen() ?
                    "finished an interrupted unroll to position " + log.have() : null;
                if (log.damagedAtOpen())
                {
                    return damaged(log, unroll == null ? "" : unroll + ", but ");
                }
                final String torn = !log.tornWriteAtOpen() ? null : log.droppedAtOpen() > 0 ?
                    "cut a torn last write at position " + (log.have() + 1) :
                    "nothing to cut: an unfinished write after position " + log.have() + " holds no entry";
                final PrintWriter out = spec.commandLine().getOut();
                out.println(command() + ": " + (unroll == null && torn == null ? "nothing to repair" :
                    unroll == null ? torn : torn == null ? unroll : unroll + "; " + torn) + ", " +
                    log.have() + " entries");
                out.flush();
            }
            return 0;
        }

        private int damaged(final ChronicleEventLog log, final String done)
        {
            final PrintWriter err = spec.commandLine().getErr();
            err.println(command() + ": " + done + "the log is damaged at position " + (log.have() + 1) + ": at least " +
                log.droppedAtOpen() + " entries written from there on would be lost by cutting it, so it was not " +
                "cut; wipe this member's directory and restart it to fetch the log from its peers ('log verify' " +
                "says what is damaged)");
            err.flush();
            return 1;
        }
    }
}
