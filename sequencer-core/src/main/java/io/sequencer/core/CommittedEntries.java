package io.sequencer.core;

/**
 * A member's committed entries — those at or below its durable watermark {@code g}, which no epoch change cuts
 * (docs/protocol.md §6) — handed on in position order, each once, from a start position. The {@link Snapshotter}
 * reads the log through one, on its own thread.
 */
public interface CommittedEntries extends AutoCloseable
{
    /** Receives the entries. */
    @FunctionalInterface
    interface Handler
    {
        /** @param entry valid only during the call. */
        void onEntry(LogEntry entry);
    }

    /**
     * Hand on committed entries not yet handed on, at most {@code limit}.
     *
     * @return how many; 0 when none is committed yet.
     * @throws IllegalStateException when the log no longer holds what was handed on, or an entry fails its checks.
     */
    int poll(Handler handler, int limit);

    void close();
}
