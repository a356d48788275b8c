package io.sequencer.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The last steps of a simulated run, kept in a ring, printed when an invariant fails.
 */
final class Trace
{
    private final String[] lines;
    private final long[] times;
    private long count;
    /** {@code -Dsequencer.sim.trace=true} prints every step as it happens, for debugging a seed. */
    private static final boolean ECHO = Boolean.getBoolean("sequencer.sim.trace");

    Trace(final int capacity)
    {
        lines = new String[Math.max(1, capacity)];
        times = new long[lines.length];
    }

    void add(final long timeNs, final String line)
    {
        final int i = (int)(count++ % lines.length);
        lines[i] = line;
        times[i] = timeNs;
        if (ECHO)
        {
            System.out.printf("%12.3f us  %s%n", timeNs / 1000.0, line);
        }
    }

    List<String> lastLines()
    {
        final List<String> out = new ArrayList<>();
        final long from = Math.max(0, count - lines.length);
        for (long i = from; i < count; i++)
        {
            final int k = (int)(i % lines.length);
            out.add(String.format("%12.3f us  %s", times[k] / 1000.0, lines[k]));
        }
        return out;
    }
}
