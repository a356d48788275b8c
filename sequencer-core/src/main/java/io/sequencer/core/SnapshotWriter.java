package io.sequencer.core;

import org.agrona.DirectBuffer;

/**
 * Where a {@link StateMachine} writes its snapshot: a stream of any length, cut into checksummed chunks on its way
 * to the checkpoint file (docs/protocol.md §5). Values are little-endian. Valid only during
 * {@link StateMachine#snapshot}.
 */
public interface SnapshotWriter
{
    void write(DirectBuffer source, int offset, int length);

    void writeLong(long value);

    void writeInt(int value);

    void writeByte(byte value);
}
