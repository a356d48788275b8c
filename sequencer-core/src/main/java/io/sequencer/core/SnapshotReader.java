package io.sequencer.core;

import org.agrona.MutableDirectBuffer;

/**
 * What {@link StateMachine#restore} reads a snapshot from: the bytes its {@link SnapshotWriter} was given, in order,
 * each chunk checked against its checksum as it is read. A read past the end, or of a chunk that fails its check,
 * throws {@link IllegalStateException}: the protocol then skips the checkpoint (docs/protocol.md §5). Values are
 * little-endian. Valid only during {@link StateMachine#restore}.
 */
public interface SnapshotReader
{
    /** The bytes not yet read. */
    long remaining();

    void read(MutableDirectBuffer destination, int offset, int length);

    long readLong();

    int readInt();

    byte readByte();
}
