package io.sequencer.node;

import io.sequencer.core.runtime.NodeStatFile;
import io.sequencer.core.runtime.SnapshotAgent;
import io.sequencer.storage.NodeStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sequencer snapshot}: ask a running member for a checkpoint now (docs/protocol.md §5). The member's snapshot
 * thread writes it at its next committed entry, or at once when it has applied every committed one; the duty cycle
 * never waits for it. The request is a file in the member's directory, which the member removes once the checkpoint
 * is durable.
 */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = "Ask a running member for a checkpoint now, written by its snapshot thread while it keeps " +
        "ordering; waits until it is durable and prints its position.")
final class SnapshotCommand implements Callable<Integer>
{
    private static final String TAKEN = "checkpoints taken";

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The member's directory.")
    File dir;

    @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "60",
        description = "How long to wait for the checkpoint (default ${DEFAULT-VALUE} s); the request is withdrawn " +
            "after it.")
    long timeoutS;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        Arguments.existingDirectory(spec, "--dir", dir);
        if (timeoutS < 1)
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--timeout-s: expected >= 1");
        }
        final Path request = dir.toPath().resolve(SnapshotAgent.REQUEST_FILE);
        try (NodeStatFile stat = NodeStatFile.open(dir))
        {
            final String notRunning = notRunning(stat);
            if (notRunning != null)
            {
                err.println("snapshot: " + notRunning + "; a running member writes a checkpoint every " +
                    "checkpoint.interval positions, and when asked");
                return 1;
            }
            if (stat.counterId(TAKEN) < 0)
            {
                err.println("snapshot: the member in " + dir + " runs without a snapshot thread (an application " +
                    "launched it without Sequencer.Context.snapshots): it takes no checkpoints");
                return 1;
            }
            final String token = java.util.UUID.randomUUID().toString();
            final long startNs = System.nanoTime();
            final Path temporary = dir.toPath().resolve(SnapshotAgent.REQUEST_FILE + ".tmp");
            Files.writeString(temporary, token + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, request, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            final Path done = dir.toPath().resolve(SnapshotAgent.DONE_FILE);
            final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(timeoutS);
            String answer;
            while ((answer = answerTo(done, token)) == null)
            {
                final String stopped = notRunning(stat);
                if (System.nanoTime() - deadlineNs > 0 || stopped != null)
                {
                    if (token.equals(SnapshotAgent.read(request)))
                    {
                        Files.deleteIfExists(request);
                    }
                    err.println("snapshot: no checkpoint within " + timeoutS + " s" +
                        (stopped != null ? ": " + stopped : " (is the member running in an " +
                        "epoch? nothing is committed before it does)") + "; the request is withdrawn (a snapshot " +
                        "thread that took it already still writes its checkpoint)");
                    return 1;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            final long position = Long.parseLong(answer);
            final Path file = dir.toPath().resolve(NodeStorage.CHECKPOINT_DIRECTORY)
                .resolve(String.format("checkpoint-%020d.ckpt", position));
            out.printf("member %d: checkpoint at position %d written in %.1f ms: %s (%d bytes)%n", stat.memberId(),
                position, (System.nanoTime() - startNs) / 1e6, file,
                Files.exists(file) ? Files.size(file) : -1);
            return 0;
        }
        catch (final IllegalStateException ex)
        {
            err.println("snapshot: " + ex.getMessage());
            return 1;
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            err.println("snapshot: cannot write or read " + request + ": " + ex.getMessage());
            return 1;
        }
    }

    /** @return the position the member answered {@code token} with, or null when it has not answered it yet. */
    private static String answerTo(final Path done, final String token)
    {
        final String line = SnapshotAgent.read(done);
        return line != null && line.startsWith(token + " ") ? line.substring(token.length() + 1).trim() : null;
    }

    /** @return why the member whose counters these are is not running, or null when it is. */
    private String notRunning(final NodeStatFile stat)
    {
        if (stat.closedTimeMs() != 0)
        {
            return "the member in " + dir + " is not running (it stopped at " +
                Instant.ofEpochMilli(stat.closedTimeMs()) + ")";
        }
        if (ProcessHandle.of(stat.pid()).map(ProcessHandle::isAlive).orElse(false))
        {
            return null;
        }
        return "the member in " + dir + " is not running (its process " + stat.pid() + " is gone)";
    }
}
