package io.sequencer.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Forces a log's files on a thread of its own, so that under durability {@code batch} the appending thread (the duty
 * cycle) never waits for the disk: it asks for a position ({@link #request}) and goes on, and {@link #forced()} moves
 * on once everything up to that position is forced. Requests made while a force runs are forced together by the next
 * one (a group commit that grows with the disk's latency). With the three members of a small machine on one duty
 * cycle, their forces used to run one after the other on it, each a millisecond or more, with every member waiting.
 * <p>
 * One writer per field: the appending thread writes {@link #requested}; this thread writes {@link #forced}, except
 * while it is idle ({@link #await}), when the appending thread may set both back ({@link #restartAt}) and change the
 * files (a cut, a reset, a discard, a close). The thread reads {@code forced} before {@code requested}, and
 * {@code restartAt} writes them in the other order, so a restart never shows it work that is not there.
 * <p>
 * Under durability {@code none}, where nothing asks for a force after the open, the same thread runs a check at an
 * interval, between forces ({@link #watch}): that the log's file system still takes writes.
 */
final class LogForcer
{
    /** Forces what lies after {@code forcedBefore} up to {@code target}; run on the forcer's thread only. */
    @FunctionalInterface
    interface Action
    {
        void forceUpTo(long forcedBefore, long target) throws IOException;
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(LogForcer.class);
    /** How long a waiter parks before it looks again, should an unpark be missed: the forcer unparks it when done. */
    private static final long AWAIT_LOOK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Action action;
    private final String name;
    private volatile long requested;
    private volatile long forced;
    private volatile String failure;
    private volatile boolean stopping;
    /**
     * Set by the forcer before it parks, then {@link #requested} read again; {@link #request} writes
     * {@code requested}, then reads this: one of the two sees the other's write, so no request is missed, and the
     * appending thread unparks (a mutex inside the JVM) only a forcer that may be parked, not one busy forcing.
     */
    private volatile boolean idle;
    private volatile Thread waiter;
    private Thread thread;
    private volatile Runnable check;
    private long checkIntervalNs; // written before check

    LogForcer(final Action action, final String name)
    {
        this.action = action;
        this.name = name;
    }

    /** Appending thread: have everything up to {@code target} forced; returns at once. */
    void request(final long target)
    {
        if (target <= requested)
        {
            return;
        }
        requested = target;
        if (thread == null)
        {
            start();
        }
        else if (idle)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Appending thread, once: run {@code check} every {@code intervalNs} on this thread between forces, from now
     * until {@link #stop}. The check must not throw; it runs beside the appending thread's changes to the files, so
     * it may touch only what those never change.
     */
    void watch(final Runnable check, final long intervalNs)
    {
        assert this.check == null : "one check";
        this.checkIntervalNs = intervalNs;
        this.check = check;
        if (thread == null)
        {
            start();
        }
        else
        {
            LockSupport.unpark(thread); // it parks without a deadline until it sees the check
        }
    }

    private void start()
    {
        thread = new Thread(this::run, "sequencer-log-force");
        thread.setDaemon(true); // a close stops it; a process that never closes the log must still exit
        thread.start();
    }

    /** @return everything up to here is forced. */
    long forced()
    {
        return forced;
    }

    /** @return why a force failed (every later one is refused), or null. */
    String failure()
    {
        return failure;
    }

    /** Appending thread: wait until everything requested is forced, or a force failed. */
    void await()
    {
        if (thread == null)
        {
            return;
        }
        waiter = Thread.currentThread();
        try
        {
            while (forced < requested && failure == null)
            {
                LockSupport.parkNanos(this, AWAIT_LOOK_NS);
            }
        }
        finally
        {
            waiter = null;
        }
    }

    /** Appending thread: after {@link #await}, count everything up to {@code position} as forced, and no more. */
    void restartAt(final long position)
    {
        assert thread == null || forced >= requested || failure != null : "restarted while forcing";
        requested = position;
        forced = position;
    }

    /** Appending thread: wait for the forces asked for, then stop the thread. */
    void stop()
    {
        if (thread == null)
        {
            return;
        }
        await();
        stopping = true;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    private void run()
    {
        long nextCheckNs = System.nanoTime();
        while (!stopping)
        {
            final Runnable check = this.check;
            if (check != null && System.nanoTime() - nextCheckNs >= 0)
            {
                nextCheckNs = System.nanoTime() + checkIntervalNs;
                try
                {
                    check.run();
                }
                catch (final Throwable ex)
                {
                    LOGGER.error("{}: checking that its file system takes writes failed", name, ex); // runs on
                }
            }
            final long from = forced; // before requested: see the class comment
            final long target = requested;
            if (target <= from || failure != null)
            {
                idle = true;
                final long forcedNow = forced; // before requested, as above
                if (requested <= forcedNow || failure != null) // again, now that a request will unpark it
                {
                    if (check != null)
                    {
                        LockSupport.parkNanos(this, Math.max(1, nextCheckNs - System.nanoTime()));
                    }
                    else
                    {
                        LockSupport.park(this);
                    }
                }
                idle = false;
                continue;
            }
            try
            {
                action.forceUpTo(from, target);
                forced = target;
            }
            catch (final Throwable ex)
            {
                // the entries after forced may never reach the disk: nothing more is counted as forced, and the
                // appending thread throws at its next request (Linux reports a writeback error once). An Error too:
                // this thread must not die with a waiter left parked for ever
                failure = "forcing " + name + " up to entry " + target + " failed: " + ex;
                LOGGER.error("{}", failure, ex);
            }
            final Thread waiting = waiter;
            if (waiting != null)
            {
                LockSupport.unpark(waiting);
            }
        }
    }
}
