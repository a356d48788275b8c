package io.sequencer.core;

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
     * @return the position right below the first entry this log holds: entries {@code base()+1..have()} can be read,
     *         those at and below it were discarded by retention or replaced by an installed snapshot
     *         (docs/protocol.md §13). 0 for a log that holds everything from position 1.
     */
    long base();

    /**
     * @return the epoch of the newest {@link EntryType#EPOCH_START} at or below {@link #base()}: what
     *         {@link #lastEpochStartPosition()} cannot show once that entry is discarded. 0 when there is none.
     */
    long baseEpoch();

    /**
     * @param position {@link #base()}..{@link #have()}.
     * @return the chained checksum at {@code position}; {@link Checksum#EMPTY} at 0.
     * @throws IllegalArgumentException outside base..have.
     */
    long chkAt(long position);

    /**
     * Append an entry at {@code have() + 1}: the header and payload of {@code entry} (see {@link LogEntry#header}). On
     * return {@code entry}'s {@link LogEntry#position()} and {@link LogEntry#chk()} are those of the appended entry;
     * its payload stays the caller's.
     *
     * @return the position of the new entry.
     */
    long append(LogEntry entry);

    /**
     * {@link #append} an entry whose chained checksum the caller has computed already, over {@code chkAt(have())} and
     * the entry (a catch-up checks every fetched entry so before it appends it): a log may take {@code chk} instead
     * of hashing the entry a second time. This default appends and checks.
     *
     * @throws IllegalStateException when {@code chk} is not the entry's chained checksum (the entry stays appended:
     *                               the caller broke this method's contract).
     */
    default long appendChained(final LogEntry entry, final long chk)
    {
        final long position = append(entry);
        if (entry.chk() != chk)
        {
            throw new IllegalStateException("entry " + position + " was appended with chk " + Long.toHexString(chk) +
                ", but its chained checksum is " + Long.toHexString(entry.chk()));
        }
        return position;
    }

    /**
     * Read the entry at {@code position} into {@code entry}.
     *
     * @return false, leaving {@code entry} untouched, when {@code position} is outside base+1..have.
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
     * @throws IllegalArgumentException when {@code position} is below {@code floor} or outside base..have; nothing is
     *                                  cut.
     * @throws LogUnwritableException   when a step of the cut cannot be written (a full disk): uncut, or cut by the
     *                                  next open.
     */
    void unrollTo(long position, long floor);

    /**
     * Retention (docs/protocol.md §13): the entries at and below {@code position} are no longer needed and may be
     * discarded. An implementation discards what its layout allows (a whole file at a time), never above
     * {@code position} nor {@link #have()}; {@link #base()} says where it got to. Crash-safe: after a crash inside
     * it the log holds its old or its new range, each whole.
     *
     * @throws IllegalArgumentException when {@code position} is negative.
     */
    void discardUpTo(long position);

    /**
     * Snapshot install (docs/protocol.md §13): become an empty log whose {@link #base()} and {@link #have()} are
     * {@code base}, with {@code chk} there and {@code baseEpoch} as the epoch of the newest {@code EpochStart} at or
     * below it. Appends then continue at {@code base + 1}. Atomic: after a crash inside it the log is the old one or
     * the new, never a mix. The identity ({@link #logId()}) is kept.
     *
     * @throws IllegalArgumentException when this log cannot start at {@code base} (its layout needs a file boundary
     *                                  there); nothing changes.
     */
    void resetTo(long base, long chk, long baseEpoch);

    /**
     * @return whether {@link #resetTo} can start this log at {@code base}.
     */
    boolean canResetTo(long base);

    /**
     * @return the position of the newest {@link EntryType#EPOCH_START} entry in the log above {@link #base()}; 0
     *         when there is none (then {@link #baseEpoch()} names the newest epoch).
     */
    long lastEpochStartPosition();

    /**
     * @return true when opening this log found damage beyond a torn last write (entries lost or corrupted), so
     *         the node must not count as intact (docs/protocol.md §10.1, "Knowing what was lost").
     */
    boolean damagedAtOpen();

    /** Make everything appended so far survive power loss (durability {@code batch}), and return once it does. */
    void force();

    /**
     * Ask that everything appended so far be made to survive power loss, without waiting: {@link #forcedPosition()}
     * moves on once it does (the duty cycle's way under {@code batch}, so that it never waits for the disk). A log
     * that has no thread to force on forces here, as {@link #force()} does.
     */
    default void requestForce()
    {
        force();
    }

    /** @return the last position made durable by {@link #force()} or {@link #requestForce()}. */
    long forcedPosition();

    /** Release resources; the log stays on its medium. */
    void close();
}
