package io.sequencer.node;

import io.sequencer.core.Checksum;
import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.MemberSet;
import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.MemberDirectoryLockedException;
import io.sequencer.storage.NodeStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code sequencer log dump|verify|check-acks}: read a stopped node's event log. The log is opened under the member
 * directory's lock ({@link NodeStorage#openExistingLog}): refused, changing nothing, while the member runs, and the
 * member cannot start while a tool has its log open.
 */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Inspect a node's event log. Run it on a stopped node (it is refused while the member runs): "
        + "opening a log finishes an interrupted unroll and cuts a torn last write; damage is reported, not cut.",
    subcommands = { LogCommand.Dump.class, LogCommand.Verify.class, LogCommand.CheckAcks.class })
final class LogCommand
{
    /** Exit code when the member directory is in use: bad usage, as for any other refused command line. */
    static final int IN_USE = 2;

    /** Open the log of a member directory, or of a log directory, under the member's lock. */
    static ChronicleEventLog openLog(final CommandSpec spec, final File dir, final String command)
    {
        Arguments.existingDirectory(spec, "--dir", dir);
        final PrintWriter err = spec.commandLine().getErr();
        final ChronicleEventLog log = NodeStorage.openExistingLog(dir.toPath());
        if (log.damagedAtOpen())
        {
            err.println(command + ": " + log.damageReport());
            err.flush();
        }
        return log;
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print entries: position, epoch, key (epoch, counter, origin), event id, size, chk.")
    static final class Dump implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The node's directory.")
        File dir;

        @Option(names = "--from", paramLabel = "P", defaultValue = "1", description = "First position (default: 1).")
        long from;

        @Option(names = "--to", paramLabel = "P", description = "Last position (default: the last entry).")
        Long to;

        public Integer call()
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (ChronicleEventLog log = openLog(spec, dir, "log dump"))
            {
                final long last = to == null ? log.have() : Math.min(to, log.have());
                final LogEntry entry = new LogEntry();
                for (long p = Math.max(1, from); p <= last; p++)
                {
                    log.read(p, entry);
                    if (entry.type() == EntryType.EPOCH_START)
                    {
                        out.printf("%10d  E%-5d EpochStart %-28s size %4d  chk %016x%n", p, entry.epoch(),
                            MemberSet.toString(entry.payload(), entry.payloadOffset(), entry.payloadLength()),
                            entry.payloadLength(), entry.chk());
                    }
                    else
                    {
                        out.printf("%10d  E%-5d key (%d,%d,%d)  id %d/%d/%d  size %4d  chk %016x%n", p, entry.epoch(),
                            entry.epoch(), entry.counter(), entry.originId(), entry.originId(), entry.incarnation(),
                            entry.localSeq(), entry.payloadLength(), entry.chk());
                    }
                }
                out.flush();
            }
            catch (final MemberDirectoryLockedException ex)
            {
                spec.commandLine().getErr().println("log dump: " + ex.getMessage());
                return IN_USE;
            }
            catch (final IllegalStateException ex)
            {
                spec.commandLine().getErr().println("log dump: " + ex.getMessage());
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "check-acks", mixinStandardHelpOptions = true,
        description = "Check that every line '<eventId> <position> ...' of an --ack-log names an event this log holds "
            + "at that position (the event id is in the payload, bytes 16..23): nothing acknowledged was lost.")
    static final class CheckAcks implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The node's directory.")
        File dir;

        @Option(names = "--ack-log", required = true, paramLabel = "FILE", description = "A node's --ack-log.")
        Path ackLog;

        public Integer call() throws java.io.IOException
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (ChronicleEventLog log = openLog(spec, dir, "log check-acks"))
            {
                final LogEntry entry = new LogEntry();
                long checked = 0;
                final String[] lines = java.nio.file.Files.readString(ackLog).split("\n", -1);
                for (int i = 0; i < lines.length - 1; i++) // the last piece has no newline: killed while writing it
                {
                    final String[] parts = lines[i].trim().split(" "); // columns after the first two are not checked
                    if (parts.length < 2)
                    {
                        continue;
                    }
                    final long eventId = Long.parseLong(parts[0]);
                    final long position = Long.parseLong(parts[1]);
                    if (!log.read(position, entry) || entry.type() != EntryType.EVENT ||
                        entry.payloadLength() < 24 ||
                        entry.payload().getLong(entry.payloadOffset() + 16, java.nio.ByteOrder.LITTLE_ENDIAN) != eventId)
                    {
                        out.printf("acknowledged event %d is not at position %d%n", eventId, position);
                        return 1;
                    }
                    checked++;
                }
                out.printf("all %d acknowledged events are in the log at their positions%n", checked);
            }
            catch (final MemberDirectoryLockedException ex)
            {
                spec.commandLine().getErr().println("log check-acks: " + ex.getMessage());
                return IN_USE;
            }
            catch (final IllegalStateException ex)
            {
                spec.commandLine().getErr().println("log check-acks: " + ex.getMessage());
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the whole checksum chain; print the entry count and the final chk.")
    static final class Verify implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The node's directory.")
        File dir;

        public Integer call()
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (ChronicleEventLog log = openLog(spec, dir, "log verify"))
            {
                if (log.damagedAtOpen())
                {
                    out.printf("log damaged: %d entries verify, at least %d written after them are lost%n",
                        log.have(), log.droppedAtOpen());
                    out.flush();
                    return 1;
                }
                if (log.droppedAtOpen() > 0)
                {
                    out.printf("cut %d torn entr%s from the tail when opening%n", log.droppedAtOpen(),
                        log.droppedAtOpen() == 1 ? "y" : "ies");
                }
                final LogEntry entry = new LogEntry();
                long previous = Checksum.EMPTY;
                for (long p = 1; p <= log.have(); p++)
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
                out.printf("log verified: %d entries, chk %016x%n", log.have(), previous);
                out.flush();
            }
            catch (final MemberDirectoryLockedException ex)
            {
                spec.commandLine().getErr().println("log verify: " + ex.getMessage());
                return IN_USE;
            }
            catch (final IllegalStateException ex)
            {
                spec.commandLine().getErr().println("log verify: " + ex.getMessage());
                return 1;
            }
            return 0;
        }
    }
}
