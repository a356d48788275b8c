package io.sequencer.node;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.File;

/**
 * Checks of command-line values that picocli's types cannot express. A failed check is a usage error: one line on
 * stderr and exit code 2 ({@link SequencerCli}), never a stack trace or a command that runs on a nonsense value.
 */
final class Arguments
{
    private Arguments()
    {
    }

    /** {@code dir}, which must be an existing directory. */
    static File existingDirectory(final CommandSpec spec, final String option, final File dir)
    {
        if (!dir.isDirectory())
        {
            throw new ParameterException(spec.commandLine(), option + ": " + dir +
                (dir.exists() ? " is not a directory" : ": no such directory"));
        }
        return dir;
    }

    /** {@code value}, which must be at least {@code min}. */
    static long atLeast(final CommandSpec spec, final String option, final long value, final long min)
    {
        if (value < min)
        {
            throw new ParameterException(spec.commandLine(), option + ": expected >= " + min + ", got " + value);
        }
        return value;
    }
}
