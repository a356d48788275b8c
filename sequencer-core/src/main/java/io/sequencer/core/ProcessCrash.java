package io.sequencer.core;

/**
 * Thrown by a storage implementation that models the process dying at that very point (the simulator's crash traps):
 * nothing in the protocol handles it, so that it ends the process as a real crash would. Every other exception from
 * storage or from the state machine is a failure the protocol may count, report and survive.
 */
public class ProcessCrash extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ProcessCrash(final String where)
    {
        super(where, null, false, false);
    }

    /** Rethrow {@code ex} if it is a crash: called first in a handler that catches every {@link RuntimeException}. */
    public static void rethrowIfCrash(final RuntimeException ex)
    {
        if (ex instanceof ProcessCrash)
        {
            throw ex;
        }
    }
}
