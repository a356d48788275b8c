package io.sequencer.node;

import org.agrona.ErrorHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * The error handler of what starts before the node's error log exists, the transport above all: a media driver
 * directory taken over from a killed driver is reported while the storage still opens. Each error goes at once to the
 * handler this one wraps, as before, and is kept (the first {@link #KEPT} of them) until {@link #recordInto} hands
 * them to the node's error log; every later one goes there too. Without it such reports reached stderr only, and
 * {@code sequencer errors} never showed them.
 * <p>
 * Errors are rare and may come from the driver's threads: a lock is fine here, off every steady-state path.
 */
final class ErrorsBeforeLaunch implements ErrorHandler
{
    /** Enough for any start; a start that fails more often than this has its first ones kept. */
    static final int KEPT = 64;

    private final ErrorHandler wrapped;
    private final List<Throwable> kept = new ArrayList<>();
    private ErrorHandler errorLog;
    private int dropped;

    ErrorsBeforeLaunch(final ErrorHandler wrapped)
    {
        this.wrapped = wrapped;
    }

    public void onError(final Throwable error)
    {
        final ErrorHandler log;
        synchronized (this)
        {
            log = errorLog;
            if (log == null)
            {
                if (kept.size() < KEPT)
                {
                    kept.add(error);
                }
                else
                {
                    dropped++;
                }
            }
        }
        if (log != null)
        {
            log.onError(error);
        }
        wrapped.onError(error);
    }

    /** From now on errors go to {@code log} as well; the ones kept so far go there first, in their order. */
    void recordInto(final ErrorHandler log)
    {
        final List<Throwable> earlier;
        final int lost;
        synchronized (this)
        {
            earlier = new ArrayList<>(kept);
            lost = dropped;
            kept.clear();
            errorLog = log;
        }
        earlier.forEach(log::onError);
        if (lost > 0)
        {
            log.onError(new IllegalStateException(lost + " more errors before the node's error log existed, not " +
                "kept for it (each went to the transport's own error handler, stderr unless an application set one)"));
        }
    }
}
