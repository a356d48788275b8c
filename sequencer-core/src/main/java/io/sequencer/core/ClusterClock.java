package io.sequencer.core;

/**
 * The deterministic time and timers of the replicated state (docs/protocol.md §12, "Cluster time and timers"), given
 * to a {@link StateMachine} by {@link StateMachine#onStart}. Every member sees the same time and fires the same
 * timers at the same log positions, because both are taken from the log, never from a local clock.
 * <p>
 * Use it only from {@link StateMachine#apply} and {@link StateMachine#onTimer}: anywhere else the time is not that of
 * an entry and scheduling would not be replicated, so those calls throw {@link IllegalStateException}.
 */
public interface ClusterClock
{
    /**
     * @return the cluster time of the entry being applied, in nanoseconds since 1970: the largest time any entry up to
     *         it was given by its origin. Monotonic along the log; 0 before the first entry with a time.
     */
    long time();

    /**
     * Schedule the timer {@code timerId} to fire once the cluster time reaches {@code deadlineNs}, replacing the
     * timer of that id if one is scheduled. It fires at the first entry whose time is at or past the deadline, before
     * that entry is applied, and never at the entry that scheduled it: a deadline already passed fires at the next
     * entry. Ticks (entries with no payload) move the time when nothing else does, so a due timer fires within about
     * a tick interval of its deadline on a live cluster.
     *
     * @param timerId    any id the state machine chooses; timers due together fire in order of deadline, then id.
     * @param deadlineNs cluster time, ns since 1970.
     */
    void scheduleTimer(long timerId, long deadlineNs);

    /** @return whether a timer of that id was scheduled (and is now cancelled). */
    boolean cancelTimer(long timerId);
}
