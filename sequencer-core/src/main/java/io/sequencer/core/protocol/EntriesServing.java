package io.sequencer.core.protocol;

import io.sequencer.core.EventLog;
import io.sequencer.core.LogEntry;
import io.sequencer.core.Transport;
import io.sequencer.core.codec.EntriesFrame;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MessageType;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The serving side of catch-up (docs/protocol.md B5, §10.5): the windows of entries peers asked for with a
 * {@code Fetch}, sent from this member's log a frame at a time over the next duty cycles, beside its own ordering. A
 * window that reaches at or below the log's base cannot be served: the protocol offers a snapshot instead (§13).
 * <p>
 * Duty cycle only. Allocates nothing per frame.
 */
final class EntriesServing
{
    private final EventLog log;
    private final Transport transport;
    private final ProtocolCounters counters;
    private final EntriesFrame frame = new EntriesFrame();
    private final UnsafeBuffer buffer;
    private final int configurationWord;
    private final LogEntry entry = new LogEntry();
    /** Per requester: the next position to send (0: nothing being served) and the last one its windows asked for. */
    private final long[] next;
    private final long[] to;

    EntriesServing(
        final int members,
        final EventLog log,
        final Transport transport,
        final ProtocolCounters counters,
        final int frameBytes,
        final int maxEventLength,
        final int configurationWord)
    {
        this.configurationWord = configurationWord;
        this.log = log;
        this.transport = transport;
        this.counters = counters;
        this.buffer = new UnsafeBuffer(new byte[Math.max(frameBytes,
            EntriesFrame.ENTRIES_OFFSET + EntriesFrame.ENTRY_HEADER_LENGTH + maxEventLength)]);
        next = new long[members];
        to = new long[members];
    }

    /** {@link #request}: the window starts at or below the log's base, nothing is served: offer a snapshot. */
    static final int BELOW_BASE = -1;
    /** {@link #request}: the window follows one still going out and is appended to it. */
    static final int APPENDED = 0;
    /** {@link #request}: a new window, to be served from now. */
    static final int STARTED = 1;

    /**
     * A {@code Fetch} of {@code from..to} by {@code requester}: the window is taken up, to be sent by {@link #serve}.
     *
     * @return {@link #BELOW_BASE}, {@link #APPENDED} or {@link #STARTED}.
     */
    int request(final int requester, final long from, final long to)
    {
        if (from <= log.base())
        {
            next[requester] = 0;
            return BELOW_BASE;
        }
        if (next[requester] != 0 && next[requester] <= this.to[requester] && from == this.to[requester] + 1)
        {
            this.to[requester] = Math.min(to, log.have()); // the next window while this one is still going out
            return APPENDED;
        }
        next[requester] = from;
        this.to[requester] = Math.min(to, log.have());
        return STARTED;
    }

    /** Stop serving {@code requester} (a window of an earlier epoch, or it asked for a snapshot instead). */
    void stop(final int requester)
    {
        next[requester] = 0;
    }

    /** Stop every window: a new epoch (each requester asks again in it). */
    void stopAll()
    {
        java.util.Arrays.fill(next, 0);
    }

    /** Whether a window of {@code requester} is still being sent. */
    boolean serving(final int requester)
    {
        return next[requester] != 0 && next[requester] <= to[requester];
    }

    /**
     * Send up to {@code maxFrames} frames of the window {@code requester} asked for. A refused publication leaves the
     * rest for the next duty cycle, so back-pressure delays catch-up instead of stalling it until the requester asks
     * again; the bound per cycle keeps serving from delaying this member's own ordering.
     *
     * @return the frames sent, or -1 when retention discarded the window's start since it was asked for: serving it
     *         stopped, and the caller offers a snapshot.
     */
    int serve(
        final int requester,
        final int maxFrames,
        final int selfId,
        final int clusterId,
        final long epoch,
        final int requesterId)
    {
        final long last = Math.min(to[requester], log.have());
        if (next[requester] <= log.base())
        {
            next[requester] = 0;
            return -1;
        }
        int frames = 0;
        while (frames < maxFrames && next[requester] <= last)
        {
            final long first = next[requester];
            frame.encode(buffer, 0, buffer.capacity(), selfId, clusterId, epoch, requesterId, first);
            for (long p = first; p <= last; p++)
            {
                log.read(p, entry);
                if (!frame.appendEntry(entry.type(), entry.originId(), entry.epoch(), entry.counter(),
                    entry.incarnation(), entry.localSeq(), entry.timestamp(), entry.chk(), entry.payload(),
                    entry.payloadOffset(), entry.payloadLength()))
                {
                    break;
                }
            }
            FrameHeader.configuration(buffer, 0, configurationWord);
            if (!transport.publish(buffer, 0, frame.encodedLength()))
            {
                counters.publishBackPressure++; // the rest goes in the next duty cycle
                break;
            }
            counters.frameOut(MessageType.ENTRIES);
            counters.entriesServed += frame.count();
            next[requester] = first + frame.count();
            frames++;
        }
        return frames;
    }
}
