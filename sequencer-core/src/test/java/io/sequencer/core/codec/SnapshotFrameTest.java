package io.sequencer.core.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The {@code Snapshot} frame and the {@code Fetch} kinds of snapshot transfer (docs/protocol.md §13): what they carry
 * comes back, and the validator refuses every field a sound frame cannot have.
 */
class SnapshotFrameTest
{
    private static final int OFFSET = 8;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final FrameValidator validator = new FrameValidator(1024);

    @Test
    void carriesAPartOfACheckpointFile()
    {
        final int length = encode(100, 90, 1000, 200, 50);
        final SnapshotFrame frame = new SnapshotFrame();
        frame.wrap(buffer, OFFSET, length);

        assertEquals(FrameValidator.VALID, validator.validate(buffer, OFFSET, length));
        assertEquals(MessageType.SNAPSHOT, FrameHeader.type(buffer, OFFSET));
        assertEquals(3, frame.senderId());
        assertEquals(2, frame.target());
        assertEquals(100, frame.position());
        assertEquals(0x100L, frame.chk());
        assertEquals(90, frame.base());
        assertEquals(0x90L, frame.baseChk());
        assertEquals(7, frame.baseEpoch());
        assertEquals(1000, frame.fileLength());
        assertEquals(200, frame.fileOffset());
        assertEquals(50, frame.dataLength());
        for (int i = 0; i < 50; i++)
        {
            assertEquals((byte)i, frame.buffer().getByte(frame.dataOffset() + i));
        }
    }

    @Test
    void refusesWhatASoundFrameCannotHold()
    {
        encode(100, 90, 1000, 0, 10);
        assertEquals(DropReason.TRUNCATED.ordinal(), validator.validate(buffer, OFFSET, SnapshotFrame.DATA_OFFSET - 1));
        final int length = encode(100, 90, 1000, 0, 10);
        assertEquals(DropReason.BAD_LENGTH.ordinal(), validator.validate(buffer, OFFSET, length - 1), "data short");
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET, encode(90, 100, 1000, 0, 10)),
            "a checkpoint below the sender's base");
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET, encode(100, 90, 1000, 995, 10)),
            "past the end of the file");
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET, encode(100, 90, 0, 0, 0)),
            "an empty file");
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET, encode(0, 0, 1000, 0, 10)),
            "position 0");
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET, encode(100, 90, 1000, -1, 10)),
            "a negative offset");
    }

    @Test
    void fetchKindsAreChecked()
    {
        final FetchFrame fetch = new FetchFrame();
        assertEquals(FrameValidator.VALID, validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, FetchFrame.SNAPSHOT, 0, 0).encodedLength()), "the newest, from 0");
        assertEquals(FrameValidator.VALID, validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, FetchFrame.SNAPSHOT, 100, 65_536).encodedLength()));
        assertEquals(FrameValidator.VALID, validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, FetchFrame.SNAPSHOT_DAMAGED, 100, 0).encodedLength()));
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, FetchFrame.SNAPSHOT, -1, 0).encodedLength()));
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, FetchFrame.SNAPSHOT_DAMAGED, 0, 0).encodedLength()));
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, 4, 1, 2).encodedLength()), "an unknown kind");
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, FetchFrame.ENTRIES, 0, 2).encodedLength()), "entries from 0");
        assertEquals(FrameValidator.VALID, validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, FetchFrame.ENTRIES_OF_EPOCH, 1, 2).encodedLength()));
        assertEquals(DropReason.BAD_FIELD.ordinal(), validator.validate(buffer, OFFSET,
            fetch.encode(buffer, OFFSET, 1, 5, 3, 2, FetchFrame.ENTRIES_OF_EPOCH, 3, 2).encodedLength()),
            "entries of the epoch from above to");
        assertEquals(true, MessageType.isPointToPoint(MessageType.SNAPSHOT));
        assertEquals("Snapshot", MessageType.name(MessageType.SNAPSHOT));
    }

    private int encode(final long position, final long base, final long fileLength, final long fileOffset,
        final int dataLength)
    {
        final SnapshotFrame frame = new SnapshotFrame();
        for (int i = 0; i < Math.max(0, dataLength); i++)
        {
            buffer.putByte(OFFSET + SnapshotFrame.DATA_OFFSET + i, (byte)i);
        }
        return frame.encode(buffer, OFFSET, 3, 5, 1, 2, position, 0x100L * position / 100, base, 0x90L * base / 90, 7,
            fileLength, fileOffset, dataLength).encodedLength();
    }
}
