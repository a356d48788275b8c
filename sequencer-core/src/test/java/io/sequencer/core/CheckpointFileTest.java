package io.sequencer.core;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint layout's own checks: a chunk, or the end record, of another checkpoint at the same offset (what a
 * power loss may show in a file that was not forced: old blocks of one since deleted) fails the check.
 */
class CheckpointFileTest
{
    @Test
    void aChunkOfAnotherCheckpointAtTheSameOffsetFailsItsCheck()
    {
        final byte[] a = image(100, 0xA, (byte)1);
        final byte[] b = image(200, 0xB, (byte)1); // the same data, the same length: only the header differs
        assertEquals(a.length, b.length);
        assertEquals(3 * CheckpointFile.CHUNK_LENGTH + 1_000, verify(a, 100));

        final byte[] mixed = a.clone();
        final int secondChunk = CheckpointFile.HEADER_LENGTH + CheckpointFile.CHUNK_HEADER_LENGTH +
            CheckpointFile.CHUNK_LENGTH;
        System.arraycopy(b, secondChunk, mixed, secondChunk, CheckpointFile.CHUNK_HEADER_LENGTH +
            CheckpointFile.CHUNK_LENGTH);
        final IllegalStateException chunk = assertThrows(IllegalStateException.class, () -> verify(mixed, 100));
        assertTrue(chunk.getMessage().contains("chunk 1"), chunk.getMessage());

        final byte[] otherEnd = a.clone();
        System.arraycopy(b, b.length - CheckpointFile.END_LENGTH, otherEnd, a.length - CheckpointFile.END_LENGTH,
            CheckpointFile.END_LENGTH);
        assertThrows(IllegalStateException.class, () -> verify(otherEnd, 100));
    }

    private static long verify(final byte[] image, final long position)
    {
        return CheckpointFile.verify(Channels.newChannel(new ByteArrayInputStream(image)), position);
    }

    private static byte[] image(final long position, final long chk, final byte fill)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CheckpointFile.Writer writer = new CheckpointFile.Writer(Channels.newChannel(out), position, chk);
        final byte[] data = new byte[3 * CheckpointFile.CHUNK_LENGTH + 1_000];
        java.util.Arrays.fill(data, fill);
        writer.write(new UnsafeBuffer(data), 0, data.length);
        writer.finish();
        return out.toByteArray();
    }
}
