package io.sequencer.node;

import io.sequencer.core.runtime.NodeStatFile;
import org.agrona.concurrent.errors.ErrorLogReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code sequencer errors}: a node's distinct error log.
 */
@Command(
    name = "errors",
    mixinStandardHelpOptions = true,
    description = "Print a node's distinct errors (each with how often and when it was first and last seen).")
final class ErrorsCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The node's directory.")
    File dir;

    @Option(names = "--previous", description = "The errors of the node's previous run (kept by its latest start: " +
        "a crashed run's included).")
    boolean previous;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        Arguments.existingDirectory(spec, "--dir", dir);
        try (NodeStatFile file = previous ? NodeStatFile.openPrevious(dir) : NodeStatFile.open(dir))
        {
            final int distinct = ErrorLogReader.read(file.errorLogBuffer(), (count, first, last, text) ->
                out.printf("%d observations from %s to %s:%n%s%n", count, Instant.ofEpochMilli(first),
                    Instant.ofEpochMilli(last), text));
            out.printf("%d distinct errors%n", distinct);
        }
        catch (final IllegalStateException ex)
        {
            spec.commandLine().getErr().println("errors: " + ex.getMessage());
            return 1;
        }
        return 0;
    }
}
