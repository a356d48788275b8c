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

    @Option(names = "--watch", description = "Print again every --interval until interrupted, with each counter's "
        + "rise per second since the last print.")
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
            Rates rates = null;
            do
            {
                rates = print(out, file, reader, rates);
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
        print(out, file, reader, null);
    }

    /** The values of one print, to show the next one's rises per second (--watch: entries, frames, drops a second). */
    record Rates(long[] values, long atNs)
    {
    }

    /**
     * Print the counters, each with its rise per second since {@code previous} when there is one and it rose.
     *
     * @return this print's values, for the next.
     */
    static Rates print(final PrintWriter out, final NodeStatFile file, final CountersReader reader,
        final Rates previous)
    {
        final long nowNs = System.nanoTime();
        final long[] values = new long[reader.maxCounterId() + 1];
        final long closed = file.closedTimeMs();
        out.printf("member %d, pid %d, started %s, %s%n", file.memberId(), file.pid(),
            Instant.ofEpochMilli(file.startTimeMs()),
            closed != 0 ? "closed " + Instant.ofEpochMilli(closed) :
            isAlive(file.pid(), file.startTimeMs()) ? "running" : "died without closing (no process " + file.pid() +
            " started then: killed, crashed or the machine stopped; the counters are its last values)");
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final long value = reader.getCounterValue(counterId);
            values[counterId] = value;
            if (previous == null)
            {
                out.printf("%3d: %,20d - %s%n", counterId, value, label);
            }
            else
            {
                out.printf("%3d: %,20d %14s - %s%n", counterId, value,
                    rise(value, counterId < previous.values().length ? previous.values()[counterId] : value,
                    nowNs - previous.atNs()), label);
            }
        });
        return new Rates(values, nowNs);
    }

    /** {@code +N/s} when the value rose over {@code elapsedNs}, else blank: gauges that fall show nothing. */
    static String rise(final long value, final long before, final long elapsedNs)
    {
        return value > before && elapsedNs > 0 ?
            String.format("+%,.0f/s", (value - before) * 1e9 / elapsedNs) : "";
    }
}
