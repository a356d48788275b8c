package io.sequencer.core.runtime;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * The memory-mapped file in a node's directory that other processes read while the node runs, as {@code cnc.dat}
 * is for Aeron: the node's counters (an Agrona {@code CountersManager}'s metadata and values) and its distinct error
 * log.
 * <pre>
 *   0 int64 magic            0x315441545351455A (the bytes "ZEQSTAT1" in file order)
 *   8 int32 version
 *  12 int32 memberId
 *  16 int64 pid
 *  24 int64 startTimeMs
 *  32 int64 closedTimeMs     0 while the node runs; set (ordered) when it closes cleanly
 *  40 int32 metaDataLength
 *  44 int32 valuesLength
 *  48 int32 errorLogLength
 * 128 metadata | values | error log
 * </pre>
 */
public final class NodeStatFile implements AutoCloseable
{
    public static final String FILE_NAME = "node-stat.dat";
    /** The file of the node's previous run (its counters and errors, a crash's included), kept by the next start. */
    public static final String PREVIOUS_FILE_NAME = "node-stat.previous.dat";
    public static final long MAGIC = 0x315441545351455AL;
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 128;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int MEMBER_ID_OFFSET = 12;
    static final int PID_OFFSET = 16;
    static final int START_TIME_OFFSET = 24;
    static final int CLOSED_TIME_OFFSET = 32;
    static final int META_LENGTH_OFFSET = 40;
    static final int VALUES_LENGTH_OFFSET = 44;
    static final int ERROR_LOG_LENGTH_OFFSET = 48;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer metaData;
    private final UnsafeBuffer values;
    private final UnsafeBuffer errorLog;

    private NodeStatFile(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final int metaLength = header.getInt(META_LENGTH_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
        final int errorLength = header.getInt(ERROR_LOG_LENGTH_OFFSET);
        metaData = new UnsafeBuffer(mapped, HEADER_LENGTH, metaLength);
        values = new UnsafeBuffer(mapped, HEADER_LENGTH + metaLength, valuesLength);
        errorLog = new UnsafeBuffer(mapped, HEADER_LENGTH + metaLength + valuesLength, errorLength);
    }

    /**
     * Create the file for a starting node, replacing the previous run's (kept as {@link #PREVIOUS_FILE_NAME}). The new
     * file is written under another name and renamed into place, so a reader polling the directory sees either the
     * old file or the complete new one, and nothing a reader does can make the start fail.
     *
     * @param maxCounters how many counters it can hold.
     */
    public static NodeStatFile create(
        final File directory, final int memberId, final int maxCounters, final int errorLogLength,
        final long startTimeMs)
    {
        final int valuesLength = maxCounters * org.agrona.concurrent.status.CountersReader.COUNTER_LENGTH;
        final int metaLength = maxCounters * org.agrona.concurrent.status.CountersReader.METADATA_LENGTH;
        final File file = new File(directory, FILE_NAME);
        final File fresh = new File(directory, FILE_NAME + ".new");
        IoUtil.deleteIfExists(fresh);
        final MappedByteBuffer mapped = IoUtil.mapNewFile(
            fresh, HEADER_LENGTH + metaLength + valuesLength + errorLogLength, true);
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(MEMBER_ID_OFFSET, memberId);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_TIME_OFFSET, startTimeMs);
        header.putLong(CLOSED_TIME_OFFSET, 0);
        header.putInt(META_LENGTH_OFFSET, metaLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putInt(ERROR_LOG_LENGTH_OFFSET, errorLogLength);
        header.putLongVolatile(MAGIC_OFFSET, MAGIC); // last: a reader seeing the magic sees a complete header
        try
        {
            final File previous = new File(directory, PREVIOUS_FILE_NAME);
            Files.deleteIfExists(previous.toPath());
            if (file.isFile())
            {
                Files.createLink(previous.toPath(), file.toPath()); // the old run's file stays readable
            }
            Files.move(fresh.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            IoUtil.unmap(mapped);
            throw new UncheckedIOException("cannot put " + file + " in place", ex);
        }
        return new NodeStatFile(mapped);
    }

    /**
     * Map an existing file, written by a node that may still be running, for reading.
     *
     * @throws IllegalStateException when there is no such file or it is not a node stat file of this version.
     */
    public static NodeStatFile open(final File directory)
    {
        return open(directory, FILE_NAME, ": not a node directory, or the node never started");
    }

    /**
     * Map the file of the node's previous run, kept by its latest start (its errors, a crash's included), for reading.
     *
     * @throws IllegalStateException when there is no such file.
     */
    public static NodeStatFile openPrevious(final File directory)
    {
        return open(directory, PREVIOUS_FILE_NAME, ": the node has not been restarted here");
    }

    private static NodeStatFile open(final File directory, final String fileName, final String missing)
    {
        final File file = new File(directory, fileName);
        if (!file.isFile())
        {
            throw new IllegalStateException("no " + fileName + " in " + directory + missing);
        }
        // Read-only: a reader must never create or change the file (a read-write open would create it, racing the
        // rename of a starting node's new file).
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, FileChannel.MapMode.READ_ONLY, FILE_NAME);
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, Math.min(HEADER_LENGTH, mapped.capacity()));
        if (mapped.capacity() < HEADER_LENGTH || header.getLongVolatile(MAGIC_OFFSET) != MAGIC)
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(file + " is not a node stat file");
        }
        if (header.getInt(VERSION_OFFSET) != VERSION)
        {
            final int version = header.getInt(VERSION_OFFSET);
            IoUtil.unmap(mapped);
            throw new IllegalStateException(file + " has version " + version + "; this build reads " + VERSION);
        }
        return new NodeStatFile(mapped);
    }

    public UnsafeBuffer metaDataBuffer()
    {
        return metaData;
    }

    public UnsafeBuffer valuesBuffer()
    {
        return values;
    }

    public UnsafeBuffer errorLogBuffer()
    {
        return errorLog;
    }

    /**
     * The current value of the counter labelled {@code label}, for tools and tests.
     *
     * @throws IllegalArgumentException when no counter has that label.
     */
    public long counterValue(final String label)
    {
        final int counterId = counterId(label);
        if (counterId < 0)
        {
            throw new IllegalArgumentException("no counter labelled '" + label + "'");
        }
        return new org.agrona.concurrent.status.CountersReader(metaData, values).getCounterValue(counterId);
    }

    /** The id of the counter labelled {@code label}, or -1 when there is none (yet: a starting node registers them). */
    public int counterId(final String label)
    {
        final int[] found = { -1 };
        new org.agrona.concurrent.status.CountersReader(metaData, values).forEach(
            (counterId, typeId, key, counterLabel) ->
            {
                if (counterLabel.equals(label))
                {
                    found[0] = counterId;
                }
            });
        return found[0];
    }

    public int memberId()
    {
        return header.getInt(MEMBER_ID_OFFSET);
    }

    public long pid()
    {
        return header.getLong(PID_OFFSET);
    }

    public long startTimeMs()
    {
        return header.getLong(START_TIME_OFFSET);
    }

    /** 0 while the node runs (or if it died without closing). */
    public long closedTimeMs()
    {
        return header.getLongVolatile(CLOSED_TIME_OFFSET);
    }

    /** The node closed cleanly. */
    public void markClosed(final long timeMs)
    {
        header.putLongVolatile(CLOSED_TIME_OFFSET, timeMs);
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
