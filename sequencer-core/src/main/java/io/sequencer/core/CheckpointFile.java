package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.zip.CRC32C;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The one byte layout of a checkpoint, on disk and on the heap alike (docs/protocol.md §5): a header, then the
 * snapshot as a stream of chunks, each checksummed, then an end record. A checkpoint of any size is written and
 * read a chunk at a time; a torn, truncated, reordered or damaged file fails {@link #verify}, and so does one that
 * mixes in chunks of another checkpoint (old blocks a power loss may show in a file not forced: every chunk's CRC
 * starts from its own header's).
 * <pre>
 * header  40 bytes: magic "SQCK", format version, position, the log's chk there, chunk size, 0, CRC32C of the 32 before
 * chunk   16 bytes + data: length (1..chunk size), sequence (0, 1, ...), CRC32C of the header's CRC, the sequence and
 *         the data; data
 * end     24 bytes: -1, the number of chunks, the total data length, CRC32C of the header's CRC and the 16 before
 * </pre>
 * What the protocol writes into the stream is its own section (the dedup index, the timers) and then the state
 * machine's snapshot ({@link Replica}).
 */
public final class CheckpointFile
{
    /** The layout this build writes and reads. */
    public static final int FORMAT_VERSION = 2;
    public static final int MAGIC = 0x4B435153; // "SQCK"
    public static final int HEADER_LENGTH = 40;
    public static final int CHUNK_HEADER_LENGTH = 16;
    public static final int END_LENGTH = 24;
    /** The data a chunk holds at most. */
    public static final int CHUNK_LENGTH = 64 * 1024;

    private CheckpointFile()
    {
    }

    /** Writes one checkpoint into a channel; {@link #finish()} writes the end record. Not thread-safe. */
    public static final class Writer implements SnapshotWriter
    {
        private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_HEADER_LENGTH + CHUNK_LENGTH).order(LITTLE_ENDIAN);
        private final UnsafeBuffer chunkView = new UnsafeBuffer(chunk.array());
        private final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(LITTLE_ENDIAN);
        private final ByteBuffer end = ByteBuffer.allocate(END_LENGTH).order(LITTLE_ENDIAN);
        private final byte[] headerCrc = new byte[HEADER_LENGTH - 32];
        private final CRC32C crc = new CRC32C();
        private WritableByteChannel channel;
        private int fill;
        private int sequence;
        private long total;

        /** A writer for {@link #begin} to start checkpoints with, one after another: its 64 KiB chunk is reused. */
        public Writer()
        {
        }

        public Writer(final WritableByteChannel channel, final long position, final long chk)
        {
            begin(channel, position, chk);
        }

        /** Start a checkpoint of the state at {@code position} on {@code channel}: write its header. */
        public Writer begin(final WritableByteChannel channel, final long position, final long chk)
        {
            this.channel = channel;
            fill = 0;
            sequence = 0;
            total = 0;
            header.clear();
            header.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(position).putLong(chk).putInt(CHUNK_LENGTH).putInt(0);
            header.putLong(crc(crc, header.array(), 0, 32));
            System.arraycopy(header.array(), 32, headerCrc, 0, headerCrc.length);
            header.flip();
            writeFully(header);
            return this;
        }

        public void write(final DirectBuffer source, final int offset, final int length)
        {
            int done = 0;
            while (done < length)
            {
                if (fill == CHUNK_LENGTH)
                {
                    flush();
                }
                final int n = Math.min(length - done, CHUNK_LENGTH - fill);
                source.getBytes(offset + done, chunkView, CHUNK_HEADER_LENGTH + fill, n);
                fill += n;
                done += n;
            }
        }

        public void writeLong(final long value)
        {
            room(Long.BYTES);
            chunkView.putLong(CHUNK_HEADER_LENGTH + fill, value, LITTLE_ENDIAN);
            fill += Long.BYTES;
        }

        public void writeInt(final int value)
        {
            room(Integer.BYTES);
            chunkView.putInt(CHUNK_HEADER_LENGTH + fill, value, LITTLE_ENDIAN);
            fill += Integer.BYTES;
        }

        public void writeByte(final byte value)
        {
            room(1);
            chunkView.putByte(CHUNK_HEADER_LENGTH + fill, value);
            fill++;
        }

        /** Write the last chunk and the end record. @return the length of the data. */
        public long finish()
        {
            flush();
            end.clear();
            end.putInt(-1).putInt(sequence).putLong(total);
            end.putLong(endCrc(crc, headerCrc, end.array()));
            end.flip();
            writeFully(end);
            return total;
        }

        private void room(final int bytes)
        {
            if (CHUNK_LENGTH - fill < bytes)
            {
                flush();
            }
        }

        private void flush()
        {
            if (fill == 0)
            {
                return;
            }
            chunkView.putInt(0, fill, LITTLE_ENDIAN);
            chunkView.putInt(4, sequence, LITTLE_ENDIAN);
            chunkView.putLong(8, chunkCrc(crc, headerCrc, chunk.array(), fill), LITTLE_ENDIAN);
            chunk.clear().limit(CHUNK_HEADER_LENGTH + fill);
            writeFully(chunk);
            total += fill;
            sequence++;
            fill = 0;
        }

        private void writeFully(final ByteBuffer buffer)
        {
            try
            {
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write a checkpoint: " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Reads a checkpoint written by {@link Writer}, a chunk at a time, checking each: a failed check, a missing end or
     * a read past the end throws {@link IllegalStateException}.
     */
    public static final class Reader implements SnapshotReader, AutoCloseable
    {
        private final ReadableByteChannel channel;
        private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_HEADER_LENGTH + CHUNK_LENGTH).order(LITTLE_ENDIAN);
        private final UnsafeBuffer chunkView = new UnsafeBuffer(chunk.array());
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[Long.BYTES]);
        private final CRC32C crc = new CRC32C();
        private final byte[] headerCrc;
        private final long position;
        private final long chk;
        private int at;
        private int fill;
        private int sequence;
        private long read;
        /** The data of the chunks loaded so far. */
        private long seen;
        private long total = -1;

        /** Read and check the header. */
        public Reader(final ReadableByteChannel channel)
        {
            this.channel = channel;
            final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(LITTLE_ENDIAN);
            readFully(header, HEADER_LENGTH, "header");
            if (header.getLong(32) != crc(crc, header.array(), 0, 32))
            {
                throw new IllegalStateException("the checkpoint header fails its checksum");
            }
            if (header.getInt(0) != MAGIC || header.getInt(4) != FORMAT_VERSION)
            {
                throw new IllegalStateException("not a checkpoint of format version " + FORMAT_VERSION);
            }
            if (header.getInt(24) < 1 || header.getInt(24) > CHUNK_LENGTH)
            {
                throw new IllegalStateException("a chunk size of " + header.getInt(24) + " bytes");
            }
            position = header.getLong(8);
            chk = header.getLong(16);
            headerCrc = java.util.Arrays.copyOfRange(header.array(), 32, HEADER_LENGTH);
        }

        public long position()
        {
            return position;
        }

        public long chk()
        {
            return chk;
        }

        /** Close the channel read from. */
        public void close()
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot close a checkpoint: " + ex.getMessage(), ex);
            }
        }

        /** Give the data length, known from a {@link #verify} of the same file, to {@link #remaining()}. */
        public Reader expect(final long totalLength)
        {
            total = totalLength;
            return this;
        }

        public long remaining()
        {
            if (total < 0)
            {
                throw new IllegalStateException("the length of an unverified checkpoint is not known");
            }
            return total - read;
        }

        public void read(final MutableDirectBuffer destination, final int offset, final int length)
        {
            int done = 0;
            while (done < length)
            {
                if (at == fill && !nextChunk())
                {
                    throw new IllegalStateException("the snapshot ends after " + read + " bytes; " +
                        (length - done) + " more were asked for");
                }
                final int n = Math.min(length - done, fill - at);
                destination.putBytes(offset + done, chunkView, CHUNK_HEADER_LENGTH + at, n);
                at += n;
                done += n;
                read += n;
            }
        }

        public long readLong()
        {
            if (fill - at >= Long.BYTES)
            {
                final long value = chunkView.getLong(CHUNK_HEADER_LENGTH + at, LITTLE_ENDIAN);
                at += Long.BYTES;
                read += Long.BYTES;
                return value;
            }
            read(scratch, 0, Long.BYTES);
            return scratch.getLong(0, LITTLE_ENDIAN);
        }

        public int readInt()
        {
            read(scratch, 0, Integer.BYTES);
            return scratch.getInt(0, LITTLE_ENDIAN);
        }

        public byte readByte()
        {
            read(scratch, 0, 1);
            return scratch.getByte(0);
        }

        /**
         * Read the rest to the end record, checking every chunk.
         *
         * @return the data length, from the end record.
         */
        public long readToEnd()
        {
            if (fill > 0)
            {
                read += fill - at;
                at = fill;
            }
            while (nextChunk())
            {
                read += fill;
                at = fill;
            }
            return seen;
        }

        /** @return false at the end record (checked); throws on anything else that is not a sound next chunk. */
        private boolean nextChunk()
        {
            if (fill < 0)
            {
                return false;
            }
            chunk.clear();
            readFully(chunk, CHUNK_HEADER_LENGTH, "chunk " + sequence);
            final int length = chunk.getInt(0);
            if (length == -1)
            {
                chunk.limit(END_LENGTH);
                readFully(chunk, END_LENGTH, "end record");
                if (chunk.getLong(16) != endCrc(crc, headerCrc, chunk.array()) || chunk.getInt(4) != sequence ||
                    chunk.getLong(8) != seen)
                {
                    throw new IllegalStateException("the checkpoint's end record does not match its " + sequence +
                        " chunks of " + seen + " bytes");
                }
                fill = -1;
                at = -1;
                return false;
            }
            if (length < 1 || length > CHUNK_LENGTH || chunk.getInt(4) != sequence)
            {
                throw new IllegalStateException("chunk " + sequence + " is not where it should be (length " + length +
                    ", sequence " + chunk.getInt(4) + ")");
            }
            chunk.limit(CHUNK_HEADER_LENGTH + length);
            readFully(chunk, CHUNK_HEADER_LENGTH + length, "chunk " + sequence);
            if (chunk.getLong(8) != chunkCrc(crc, headerCrc, chunk.array(), length))
            {
                throw new IllegalStateException("chunk " + sequence + " fails its checksum");
            }
            sequence++;
            seen += length;
            fill = length;
            at = 0;
            return true;
        }

        private void readFully(final ByteBuffer buffer, final int upTo, final String what)
        {
            buffer.limit(upTo);
            try
            {
                while (buffer.hasRemaining())
                {
                    if (channel.read(buffer) < 0)
                    {
                        throw new IllegalStateException("the checkpoint is truncated in its " + what);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read a checkpoint: " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Read a whole checkpoint and check everything: header, every chunk, the end record, and that it is the one at
     * {@code position}.
     *
     * @return its data length.
     * @throws IllegalStateException saying what is wrong with it.
     */
    public static long verify(final ReadableByteChannel channel, final long position)
    {
        final Reader reader = new Reader(channel);
        if (reader.position() != position)
        {
            throw new IllegalStateException("it holds position " + reader.position() + ", not " + position);
        }
        final long total = reader.readToEnd();
        try
        {
            if (channel.read(ByteBuffer.allocate(1)) > 0)
            {
                throw new IllegalStateException("bytes follow its end record");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read a checkpoint: " + ex.getMessage(), ex);
        }
        return total;
    }

    /** Opens the bytes of one checkpoint, anew at each call. */
    @FunctionalInterface
    public interface Source
    {
        ReadableByteChannel open() throws IOException;
    }

    /**
     * Check the whole checkpoint at {@code position} ({@link #verify}), then open it again for reading: a checkpoint
     * is never loaded before all of it has passed, and one of any size is never held in memory to do so.
     *
     * @return a reader the caller closes, knowing the data length.
     * @throws IllegalStateException saying what is wrong with it; IOException when it cannot be read.
     */
    public static Reader openChecked(final Source source, final long position) throws IOException
    {
        final long total;
        try (ReadableByteChannel channel = source.open())
        {
            total = verify(channel, position);
        }
        final ReadableByteChannel channel = source.open();
        try
        {
            return new Reader(channel).expect(total);
        }
        catch (final RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * A state machine's snapshot as a checkpoint image on the heap, written the way a checkpoint is: for tests of a
     * state machine's {@link StateMachine#snapshot} and {@link StateMachine#restore} ({@link #restore}).
     */
    public static byte[] snapshotOf(final StateMachine stateMachine)
    {
        final java.io.ByteArrayOutputStream image = new java.io.ByteArrayOutputStream();
        final Writer writer = new Writer(java.nio.channels.Channels.newChannel(image), 1, 0);
        stateMachine.snapshot(writer);
        writer.finish();
        return image.toByteArray();
    }

    /** Restore {@code stateMachine} from an image {@link #snapshotOf} made, read the way a checkpoint is. */
    public static void restore(final StateMachine stateMachine, final byte[] image)
    {
        try (Reader reader = openChecked(
            () -> java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(image)), 1))
        {
            stateMachine.restore(reader);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // a heap image: cannot happen
        }
    }

    private static long chunkCrc(final CRC32C crc, final byte[] headerCrc, final byte[] chunk, final int length)
    {
        crc.reset();
        crc.update(headerCrc, 0, headerCrc.length); // this checkpoint's chunk, not another's at the same offset
        crc.update(chunk, 4, 4); // the sequence: a chunk moved elsewhere in the file fails
        crc.update(chunk, CHUNK_HEADER_LENGTH, length);
        return crc.getValue();
    }

    private static long endCrc(final CRC32C crc, final byte[] headerCrc, final byte[] end)
    {
        crc.reset();
        crc.update(headerCrc, 0, headerCrc.length);
        crc.update(end, 0, 16);
        return crc.getValue();
    }

    private static long crc(final CRC32C crc, final byte[] bytes, final int offset, final int length)
    {
        crc.reset();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
