package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Where a node keeps its checkpoints: snapshots of its state at a log position, each stored with the log's
 * {@code chk} at that position (docs/protocol.md §5, "Unroll and checkpoints"). A checkpoint is loaded only if that
 * {@code chk} matches the log.
 */
public interface CheckpointStore extends AutoCloseable
{
    /** Store a checkpoint of the state after applying {@code position}. */
    void save(long position, long chk, DirectBuffer data, int offset, int length);

    /** @return the position of the newest checkpoint at or below {@code position}; 0 when there is none. */
    long latestAtOrBelow(long position);

    /**
     * @return the log checksum recorded with the checkpoint at {@code position}.
     * @throws IllegalArgumentException when there is no checkpoint at {@code position}.
     */
    long chkAt(long position);

    /**
     * Read the checkpoint at {@code position} into {@code into} from offset 0.
     *
     * @return its length, or -1 when it is missing or damaged (it must then be skipped, never loaded).
     */
    int read(long position, ExpandableArrayBuffer into);

    /** {@code unrollUntil(n)}: drop every checkpoint taken above {@code position}. */
    void unrollUntil(long position);

    void close();
}
