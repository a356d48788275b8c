package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable view of one log entry, filled by {@link EventLog#read}. The payload is a view into storage the log
 * owns: valid until the next read from the same log (into any view) or the next change to the log. A log on mapped
 * files may move or release the memory behind it then.
 */
public final class LogEntry
{
    long position;
    int type;
    long epoch;
    long counter;
    int originId;
    long incarnation;
    long localSeq;
    long timestamp;
    long chk;
    final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    int payloadOffset;
    int payloadLength;

    /**
     * Fill the header of an entry to append: its fields, as {@link EventLog#append} writes them and
     * {@link Checksum#chain} hashes them. Its position and checksum are the log's to give.
     */
    public LogEntry header(
        final int type,
        final long epoch,
        final long counter,
        final int originId,
        final long incarnation,
        final long localSeq,
        final long timestamp)
    {
        this.type = type;
        this.epoch = epoch;
        this.counter = counter;
        this.originId = originId;
        this.incarnation = incarnation;
        this.localSeq = localSeq;
        this.timestamp = timestamp;
        return this;
    }

    /** Point the payload at {@code length} bytes of {@code source} (a view: nothing is copied). */
    public LogEntry payload(final DirectBuffer source, final int offset, final int length)
    {
        if (length > 0)
        {
            payload.wrap(source, offset, length);
        }
        else
        {
            payload.wrap(source, 0, 0);
        }
        this.payloadOffset = 0;
        this.payloadLength = length;
        return this;
    }

    /** Where this entry is: its position in a log and its chained checksum there (for {@link EventLog}s). */
    public LogEntry at(final long position, final long chk)
    {
        this.position = position;
        this.chk = chk;
        return this;
    }

    /** Fill this view; for {@link EventLog} implementations. */
    public LogEntry set(
        final long position,
        final int type,
        final long epoch,
        final long counter,
        final int originId,
        final long incarnation,
        final long localSeq,
        final long timestamp,
        final long chk,
        final DirectBuffer payloadSource,
        final int payloadOffset,
        final int payloadLength)
    {
        return header(type, epoch, counter, originId, incarnation, localSeq, timestamp)
            .payload(payloadSource, payloadOffset, payloadLength).at(position, chk);
    }

    public long position()
    {
        return position;
    }

    public int type()
    {
        return type;
    }

    public long epoch()
    {
        return epoch;
    }

    public long counter()
    {
        return counter;
    }

    public int originId()
    {
        return originId;
    }

    public long incarnation()
    {
        return incarnation;
    }

    public long localSeq()
    {
        return localSeq;
    }

    /**
     * @return the time its origin gave this entry, in nanoseconds since 1970 by the origin's clock; 0 for entries
     *         that carry no time ({@link EntryType#EPOCH_START}). The cluster time is the largest such time up to an
     *         entry (docs/protocol.md §12).
     */
    public long timestamp()
    {
        return timestamp;
    }

    public long chk()
    {
        return chk;
    }

    public DirectBuffer payload()
    {
        return payload;
    }

    public int payloadOffset()
    {
        return payloadOffset;
    }

    public int payloadLength()
    {
        return payloadLength;
    }

    /** The checksum this entry must carry when chained onto {@code previousChk}. */
    public long expectedChk(final long previousChk)
    {
        return Checksum.chain(previousChk, type, epoch, counter, originId, incarnation, localSeq, timestamp, payload,
            payloadOffset, payloadLength);
    }

    public String toString()
    {
        return "#" + position + " " + EntryType.name(type) + " E" + epoch + " key=(" + epoch + "," + counter + "," +
            originId + ") id=" + originId + "/" + incarnation + "/" + localSeq + " t=" + timestamp +
            " size=" + payloadLength + " chk=" + Long.toHexString(chk);
    }
}
