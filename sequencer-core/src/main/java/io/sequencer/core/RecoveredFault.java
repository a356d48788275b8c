package io.sequencer.core;

/**
 * An error the protocol records and has already recovered from: the consequence of a fault it is built to survive
 * (a damaged checkpoint skipped, a decision built on a stale report refused). Recorded for the operator; it needs no
 * action and does not stop the node.
 */
public final class RecoveredFault extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public RecoveredFault(final String message)
    {
        super(message);
    }
}
