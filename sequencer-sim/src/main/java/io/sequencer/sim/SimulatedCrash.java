package io.sequencer.sim;

/**
 * Thrown by a simulated disk whose crash trap fires: the process dies at that exact point, inside whatever the
 * protocol was doing (an append, an unroll, a catch-up).
 */
final class SimulatedCrash extends io.sequencer.core.ProcessCrash
{
    private static final long serialVersionUID = 1L;

    SimulatedCrash(final String where)
    {
        super(where);
    }
}
