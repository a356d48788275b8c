package io.sequencer.core;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The event log cannot be written: the disk is full (or refuses the write). Thrown by {@link EventLog#append} before
 * anything of the entry is written, so the log is as it was; and by {@link EventLog#unrollTo} when a step of the cut
 * cannot be written, which leaves the log uncut or, once the cut's intent is recorded, to be cut by the next open.
 * The duty cycle stops the member on it (docs/protocol.md §10.7): a member that cannot write its log can neither
 * order nor catch up, and one that stayed in the epochs would hold every epoch it is admitted to. Its peers go on
 * without it, as after a crash; restarted once the disk has room, it catches up.
 */
public final class LogUnwritableException extends UncheckedIOException
{
    private static final long serialVersionUID = 1L;

    public LogUnwritableException(final String message, final IOException cause)
    {
        super(message, cause);
    }
}
