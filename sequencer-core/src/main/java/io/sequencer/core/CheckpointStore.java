package io.sequencer.core;

import java.util.function.Consumer;

/**
 * Where a node keeps its checkpoints: snapshots of its state at a log position, each stored with the log's
 * {@code chk} at that position, in the layout of {@link CheckpointFile} (docs/protocol.md §5, "Unroll and
 * checkpoints"). A checkpoint is loaded only if that {@code chk} matches the log.
 * <p>
 * {@link #save} runs on the snapshot thread ({@link Snapshotter}), everything else on the duty cycle: an
 * implementation keeps its index safe for that (a checkpoint is visible once whole and durable, never before).
 */
public interface CheckpointStore extends AutoCloseable
{
    /**
     * Store a checkpoint of the state after applying {@code position}: {@code content} writes it, of any length; it
     * is durable and visible to {@link #latestAtOrBelow} when this returns, and not at all if this throws.
     */
    void save(long position, long chk, Consumer<SnapshotWriter> content);

    /** @return the position of the newest checkpoint at or below {@code position}; 0 when there is none. */
    long latestAtOrBelow(long position);

    /**
     * @return the log checksum recorded with the checkpoint at {@code position}.
     * @throws IllegalArgumentException when there is no checkpoint at {@code position}.
     */
    long chkAt(long position);

    /**
     * Whether a checkpoint at {@code position} is recorded with {@code chk}: false when there is none, including one
     * the snapshot thread deleted while the caller looked (retention runs beside the duty cycle).
     */
    boolean recordedWith(long position, long chk);

    /**
     * Open the checkpoint at {@code position} for reading, having checked the whole of it.
     *
     * @return a reader the caller closes, or null when it is missing or damaged (it must then be skipped, never
     *         loaded).
     */
    CheckpointFile.Reader open(long position);

    /**
     * Drop every checkpoint below {@code position} (retention: the snapshot thread keeps the newest few). A reader
     * the duty cycle holds on one of them may then fail; the checkpoint is skipped like a damaged one.
     */
    void retainFrom(long position);

    /** {@code unrollUntil(n)}: drop every checkpoint taken above {@code position}. */
    void unrollUntil(long position);

    /**
     * Snapshot transfer, the sending side (docs/protocol.md §13).
     *
     * @return the length in bytes of the checkpoint file at {@code position}; -1 when there is none.
     */
    long fileLength(long position);

    /**
     * Snapshot transfer, the sending side: copy bytes of the checkpoint file at {@code position} as they are stored
     * (the receiver checks them all).
     *
     * @return the bytes copied (up to {@code length}, fewer only at the end of the file); -1 when there is no such
     *         checkpoint any more.
     */
    int readFile(long position, long fileOffset, org.agrona.MutableDirectBuffer destination, int offset, int length);

    /**
     * Snapshot transfer, the receiving side: a checkpoint arriving from a peer, in order, invisible until
     * {@link Incoming#complete()} has checked all of it.
     */
    Incoming receive(long position, long chk);

    /** A checkpoint being received; closing one not completed discards what arrived. Duty cycle only. */
    interface Incoming extends AutoCloseable
    {
        /** @return the bytes received so far: the offset of the next. */
        long received();

        /** Append the next bytes of the file. */
        void write(org.agrona.DirectBuffer source, int offset, int length);

        /**
         * Check the whole file ({@link CheckpointFile#verify}, its position and its chk) and make it a checkpoint of
         * this store, durable as {@link #save} makes one.
         *
         * @throws IllegalStateException saying what is wrong with it; nothing becomes visible.
         */
        void complete();

        void close();

        /**
         * This file as a byte channel, for {@link CheckpointFile.Writer}: a checkpoint written locally into an
         * invisible file (the duty cycle's live checkpoint) rather than received. Each call returns a new view.
         */
        default java.nio.channels.WritableByteChannel asChannel()
        {
            final Incoming target = this;
            return new java.nio.channels.WritableByteChannel()
            {
                private final org.agrona.concurrent.UnsafeBuffer view = new org.agrona.concurrent.UnsafeBuffer(0, 0);

                public int write(final java.nio.ByteBuffer source)
                {
                    final int n = source.remaining();
                    view.wrap(source, source.position(), n);
                    target.write(view, 0, n);
                    source.position(source.limit());
                    return n;
                }

                public boolean isOpen()
                {
                    return true;
                }

                public void close()
                {
                }
            };
        }
    }

    void close();
}
