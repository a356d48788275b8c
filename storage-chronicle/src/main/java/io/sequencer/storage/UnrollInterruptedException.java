package io.sequencer.storage;

import java.nio.file.Path;

/**
 * A read-only open found an interrupted unroll ({@link ChronicleEventLog#openReadOnly}): until the unroll is
 * finished the log's content is ambiguous (uncut, or cut part way), and finishing it writes, which a read-only open
 * must not. The writing open ({@code sequencer log repair}) finishes it.
 */
public final class UnrollInterruptedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    UnrollInterruptedException(final Path directory, final long position)
    {
        super("event log " + directory + ": an unroll to entry " + position + " was interrupted, so what the log " +
            "holds is ambiguous until it is finished, which a read-only open does not do: run 'sequencer log repair " +
            "--dir " + directory + "' on the stopped member first");
    }
}
