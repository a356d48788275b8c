package io.sequencer.transport.aeron;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Encodes the protocol's frames onto Aeron: {@code Fetch}, {@code Entries} and {@code Snapshot} go point to point on
 * the catch-up publication of their target member, at once; everything else goes on the shared channel, gathered
 * into one {@link FrameBatch} per duty cycle (as many frames as fit one claim) and sent by {@link #flush}, so that
 * a member sends one message per cycle, with one HMAC tag, whatever the number of its events, promises and reports.
 * A message that fits the claim limit ({@link Publication#maxPayloadLength()}) is written in place with
 * {@code tryClaim}; a frame too large for a batch is copied with {@code offer} and fragmented by Aeron. With
 * authentication on, the HMAC tag follows the frame or batch in the same message.
 * <p>
 * Never blocks or retries: back-pressure, not connected and admin action return false to the protocol, which
 * retries on a later duty cycle; a batch that could not leave stays whole, ahead of anything published later. Not
 * connected included: Aeron also reports it for a publication that was connected and heard no status message for a
 * while, whose receivers may still hold its stream, and a frame accepted and then dropped would leave a silent gap in
 * the per-publisher FIFO the protocol relies on. In a 1-member cluster (no shared publication) shared frames go
 * nowhere: there is nobody to send them to. Allocation-free. Single-threaded.
 */
public final class ChannelPublisher
{
    private final ClusterConfig cluster;
    private final int selfIndex;
    private final Authentication authentication;
    private final FrameAuthenticator authenticator;
    private final TransportCounters counters;
    private final ExclusivePublication shared;
    private final ExclusivePublication[] catchUpByIndex;
    private final BufferClaim bufferClaim = new BufferClaim();
    private final UnsafeBuffer tagBuffer = new UnsafeBuffer(new byte[FrameAuthenticator.TAG_LENGTH]);
    /** This cycle's shared-channel frames, after room for the batch header; sent by {@link #flush}. */
    private final UnsafeBuffer batch;
    /** The longest batch: header and frames, with room for the tag, in one claim (one fragment, one datagram). */
    private final int batchLimit;
    private int batchLength = FrameBatch.HEADER_LENGTH;
    private int batchFrames;
    private boolean batchTagged;

    /**
     * @param shared         the shared-channel publication; null when there is no peer to send to.
     * @param catchUpByIndex the catch-up publication to each member by its index in {@code C}; null at this node's.
     */
    public ChannelPublisher(
        final ClusterConfig cluster,
        final int selfId,
        final Authentication authentication,
        final FrameAuthenticator authenticator,
        final TransportCounters counters,
        final ExclusivePublication shared,
        final ExclusivePublication[] catchUpByIndex)
    {
        this.cluster = cluster;
        this.selfIndex = cluster.indexOf(selfId);
        this.authentication = authentication;
        this.authenticator = authenticator;
        this.counters = counters;
        this.shared = shared;
        this.catchUpByIndex = catchUpByIndex;
        this.batchLimit = shared == null ? FrameBatch.HEADER_LENGTH : shared.maxPayloadLength() -
            (authentication == Authentication.NONE ? 0 : FrameAuthenticator.TAG_LENGTH);
        this.batch = new UnsafeBuffer(new byte[batchLimit]);
    }

    /**
     * Publish one frame on the stream its type belongs to. A frame for the shared channel joins the batch of this
     * duty cycle, sent by {@link #flush} (a batch that cannot take it is flushed first); one too large for a batch
     * travels alone, after the batch. Catch-up frames go at once.
     *
     * @return false when it was not accepted: the caller retries later.
     */
    public boolean publish(final DirectBuffer buffer, final int offset, final int length)
    {
        final int type = length >= FrameHeader.LENGTH ? FrameHeader.type(buffer, offset) : 0;
        if (MessageType.isPointToPoint(type))
        {
            final long target = MessageType.pointToPointTarget(buffer, offset, length);
            final int index = target == MessageType.NO_TARGET ? -1 : cluster.indexOf((int)target);
            if (index < 0 || index == selfIndex || catchUpByIndex[index] == null)
            {
                counters.unroutable++;
                return false;
            }
            return send(catchUpByIndex[index], authentication.covers(type, true), buffer, offset, length, 1);
        }

        if (length < FrameHeader.LENGTH)
        {
            counters.oversize++; // not a frame (a bug): in a batch it would make every receiver drop the whole batch
            return false;
        }
        if (shared == null)
        {
            return true; // a 1-member cluster: nobody to send it to
        }
        final int needed = FrameBatch.FRAME_PREFIX + length;
        if (batchLength + needed > batchLimit)
        {
            flush();
            if (batchFrames > 0)
            {
                return false; // the waiting batch could not leave: nothing may overtake it
            }
            if (FrameBatch.HEADER_LENGTH + needed > batchLimit)
            {
                return send(shared, authentication.covers(type, false), buffer, offset, length, 1);
            }
        }
        batch.putInt(batchLength, length, LITTLE_ENDIAN);
        batch.putBytes(batchLength + FrameBatch.FRAME_PREFIX, buffer, offset, length);
        batchLength += needed;
        batchFrames++;
        batchTagged |= authentication.covers(type, false);
        return true;
    }

    /**
     * Send the batch of shared-channel frames published since the last flush: as one message, or, when it holds a
     * single frame, as that frame alone. Refused (back-pressure, not connected), it stays, whole, for the next call.
     *
     * @return 1 when a message left, else 0.
     */
    public int flush()
    {
        if (batchFrames == 0)
        {
            return 0;
        }
        final boolean sent;
        if (batchFrames == 1)
        {
            final int frameOffset = FrameBatch.HEADER_LENGTH + FrameBatch.FRAME_PREFIX;
            sent = send(shared, batchTagged, batch, frameOffset, batchLength - frameOffset, 1);
        }
        else
        {
            // Tagged when any frame in it must be (Authentication.CONTROL): the tag then covers every frame.
            FrameBatch.writeHeader(batch, 0, batchTagged, batchFrames);
            sent = send(shared, batchTagged, batch, 0, batchLength, batchFrames);
            if (sent)
            {
                counters.batches++;
            }
        }
        if (!sent)
        {
            return 0;
        }
        batchLength = FrameBatch.HEADER_LENGTH;
        batchFrames = 0;
        batchTagged = false;
        return 1;
    }

    /** Frames published to the shared channel and not yet sent. */
    int waiting()
    {
        return batchFrames;
    }

    /** One message of {@code frames} frames: claimed and written in place when it fits a claim, else offered. */
    private boolean send(
        final ExclusivePublication publication,
        final boolean tagged,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int frames)
    {
        final int messageLength = tagged ? length + FrameAuthenticator.TAG_LENGTH : length;
        final long result;
        if (messageLength <= publication.maxPayloadLength())
        {
            result = publication.tryClaim(messageLength, bufferClaim);
            if (result > 0)
            {
                final MutableDirectBuffer claimed = bufferClaim.buffer();
                final int at = bufferClaim.offset();
                claimed.putBytes(at, buffer, offset, length);
                if (tagged)
                {
                    authenticator.sign(buffer, offset, length, publication.sessionId(), claimed, at + length);
                }
                bufferClaim.commit();
                counters.claimed++;
                counters.published += frames;
                countMessage(publication);
                return true;
            }
        }
        else if (messageLength > publication.maxMessageLength())
        {
            counters.oversize++;
            return false;
        }
        else
        {
            if (tagged)
            {
                authenticator.sign(buffer, offset, length, publication.sessionId(), tagBuffer, 0);
                result = publication.offer(buffer, offset, length, tagBuffer, 0, FrameAuthenticator.TAG_LENGTH);
            }
            else
            {
                result = publication.offer(buffer, offset, length);
            }
            if (result > 0)
            {
                counters.offered++;
                counters.published += frames;
                countMessage(publication);
                return true;
            }
        }

        countRefusal(result);
        return false;
    }

    private void countMessage(final ExclusivePublication publication)
    {
        if (publication == shared)
        {
            counters.messages++;
        }
    }

    private void countRefusal(final long result)
    {
        if (result == Publication.NOT_CONNECTED)
        {
            counters.notConnected++;
        }
        else if (result == Publication.BACK_PRESSURED)
        {
            counters.backPressured++;
        }
        else if (result == Publication.ADMIN_ACTION)
        {
            counters.adminAction++;
        }
        else if (result == Publication.CLOSED)
        {
            counters.closed++;
        }
        else
        {
            counters.maxPositionExceeded++;
        }
    }
}
