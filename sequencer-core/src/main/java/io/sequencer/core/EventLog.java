package io.sequencer.core;

import org.agrona.DirectBuffer;

/**
 * The ordered log of one node: dense, 1-based positions, each entry chained to its predecessor by
 * {@link Checksum#chain}. Implementations compute the checksum on append with that one function.
 * <p>
 * Used by the protocol from its duty-cycle thread only; implementations need not be thread-safe.
 */
public interface EventLog extends AutoCloseable
{
    /**
     * @return this log's identity: a random non-zero number chosen when the log was created and kept with it. A log
     *         that was lost and created anew has another, so the node state recorded beside the old one can tell
     *         (docs/protocol.md, "Knowing what was lost").
     */
    long logId();

    /** @return the last position in the log; 0 when empty. */
    long have();

    /**
     * @param position 0..{@link #have()}.
     * @return the chained checksum at {@code position}; {@link Checksum#EMPTY} at 0.
     * @throws IllegalArgumentException outside 0..have.
     */
    long chkAt(long position);

    /**
     * Append an entry at {@code have() + 1}.
     *
     * @param timestamp the time its origin gave the entry (ns since 1970; 0 for none), see {@link LogEntry#timestamp()}.
     * @return the position of the new entry.
     */
    long append(
        int type,
        long epoch,
        long counter,
        int originId,
        long incarnation,
        long localSeq,
        long timestamp,
        DirectBuffer payload,
        int payloadOffset,
        int payloadLength);

    /**
     * Read the entry at {@code position} into {@code entry}.
     *
     * @return false, leaving {@code entry} untouched, when {@code position} is outside 1..have.
     * @throws IllegalStateException when the entry is damaged (found after open: the medium failed). The duty cycle
     *                               records it; the node cannot go on trusting this log, so an operator restarts it
     *                               and the open cuts the damage and reports the node not intact.
     */
    boolean read(long position, LogEntry entry);

    /**
     * {@code unrollTo(n)}: cut the log so that {@code position} is its last entry (docs/protocol.md §5,
     * "Unroll and checkpoints"). Crash-safe in a persistent log: after a crash inside it the log is either uncut or
     * cut, never a mix.
     *
     * @param floor the lowest position the cut may reach (the protocol passes its watermark {@code g}: durable
     *              entries are never cut).
     * @throws IllegalArgumentException when {@code position} is below {@code floor} or outside 0..have; nothing is cut.
     */
    void unrollTo(long position, long floor);

    /** @return the position of the newest {@link EntryType#EPOCH_START} entry in the log; 0 when there is none. */
    long lastEpochStartPosition();

    /**
     * @return true when opening this log found damage beyond a torn last write (entries lost or corrupted), so
     *         the node must not count as intact (docs/protocol.md §10.1, "Knowing what was lost").
     */
    boolean damagedAtOpen();

    /** Make everything appended so far survive power loss (durability policy {@code batch}). */
    void force();

    /** @return the last position made durable by {@link #force()}. */
    long forcedPosition();

    /** Release resources; the log stays on its medium. */
    void close();
}
