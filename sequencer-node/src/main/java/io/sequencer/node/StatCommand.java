package io.sequencer.node;

import io.sequencer.core.runtime.NodeStatFile;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sequencer stat}: a node's live counters, read from its memory-mapped file as AeronStat reads Aeron's.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = "Print a node's counters (epoch, mode, watermarks, frames, drops, ...) from its directory, "
        + "live while it runs.")
final class StatCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The node's directory.")
    File dir;

    @Option(names = "--watch", description = "Print again every --interval until interrupted.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
        description = "Milliseconds between prints with --watch (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        Arguments.existingDirectory(spec, "--dir", dir);
        Arguments.atLeast(spec, "--interval", intervalMs, 1);
        try (NodeStatFile file = NodeStatFile.open(dir))
        {
            final CountersReader reader = new CountersReader(file.metaDataBuffer(), file.valuesBuffer());
            do
            {
                print(out, file, reader);
                out.flush();
                if (watch)
                {
                    LockSupport.parkNanos(intervalMs * 1_000_000L);
                }
            }
            while (watch && !Thread.currentThread().isInterrupted());
        }
        catch (final IllegalStateException ex)
        {
            spec.commandLine().getErr().println("stat: " + ex.getMessage());
            return 1;
        }
        return 0;
    }

    /**
     * Whether the process that started the node is still there: a live process of that pid that began before the node
     * did (a pid the system has since given to a later process is not the node's). Only this machine's processes are
     * seen: a directory on a shared volume read from another machine reads as not alive.
     */
    static boolean isAlive(final long pid, final long nodeStartTimeMs)
    {
        return ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .map(process -> process.info().startInstant()
                .map(started -> started.toEpochMilli() <= nodeStartTimeMs + 1_000) // clocks: a second's slack
                .orElse(true))
            .orElse(false);
    }

    static void print(final PrintWriter out, final NodeStatFile file, final CountersReader reader)
    {
        final long closed = file.closedTimeMs();
        out.printf("member %d, pid %d, started %s, %s%n", file.memberId(), file.pid(),
            Instant.ofEpochMilli(file.startTimeMs()),
            closed != 0 ? "closed " + Instant.ofEpochMilli(closed) :
            isAlive(file.pid(), file.startTimeMs()) ? "running" : "died without closing (no process " + file.pid() +
            " started then: killed, crashed or the machine stopped; the counters are its last values)");
        reader.forEach((counterId, typeId, keyBuffer, label) ->
            out.printf("%3d: %,20d - %s%n", counterId, reader.getCounterValue(counterId), label));
    }
}
