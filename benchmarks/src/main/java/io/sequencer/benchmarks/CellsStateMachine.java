package io.sequencer.benchmarks;

import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/** A state of many cells, one of which each event adds to: a checkpoint writes them all. */
public final class CellsStateMachine implements StateMachine
{
    private final UnsafeBuffer cells;
    private final int count;

    public CellsStateMachine(final int megabytes)
    {
        cells = new UnsafeBuffer(new byte[megabytes << 20]);
        count = cells.capacity() / Long.BYTES;
    }

    public int apply(final long position, final DirectBuffer event, final int offset, final int length,
        final MutableDirectBuffer result, final int resultOffset)
    {
        final int at = (int)((position * 0x9E3779B97F4A7C15L >>> 33) % count) * Long.BYTES;
        cells.putLong(at, cells.getLong(at, ByteOrder.LITTLE_ENDIAN) + event.getLong(offset, ByteOrder.LITTLE_ENDIAN),
            ByteOrder.LITTLE_ENDIAN);
        result.putLong(resultOffset, position, ByteOrder.LITTLE_ENDIAN);
        return Long.BYTES;
    }

    public void reset()
    {
        cells.setMemory(0, cells.capacity(), (byte)0);
    }

    public void snapshot(final SnapshotWriter out)
    {
        out.write(cells, 0, cells.capacity());
    }

    public void restore(final SnapshotReader in)
    {
        if (in.remaining() != cells.capacity())
        {
            throw new IllegalArgumentException("a snapshot of " + in.remaining() + " bytes; expected " +
                cells.capacity());
        }
        in.read(cells, 0, cells.capacity());
    }
}
