package io.sequencer.transport.aeron;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Encodes the protocol's frames onto Aeron: {@code Fetch} and {@code Entries} go point to point on the catch-up
 * publication of their target member, everything else on the shared channel. A frame that fits the claim limit
 * ({@link Publication#maxPayloadLength()}) is written in place with {@code tryClaim}; a larger one is copied with
 * {@code offer} and fragmented by Aeron. With authentication on, the HMAC tag follows the frame in the same message.
 * <p>
 * Never blocks or retries: back-pressure, not connected and admin action all return false to the protocol, which
 * retries on a later duty cycle. Allocation-free. Single-threaded.
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

    /**
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
    }

    /**
     * Publish one frame on the stream its type belongs to.
     *
     * @return false when it was not sent: the caller retries later.
     */
    public boolean publish(final DirectBuffer buffer, final int offset, final int length)
    {
        final int type = length >= FrameHeader.LENGTH ? FrameHeader.type(buffer, offset) : 0;
        final boolean catchUp = MessageType.isPointToPoint(type);
        final ExclusivePublication publication;
        if (catchUp)
        {
            final int target = length >= FetchFrame.TARGET_OFFSET + Integer.BYTES ?
                buffer.getInt(offset + FetchFrame.TARGET_OFFSET, LITTLE_ENDIAN) : -1;
            final int index = cluster.indexOf(target);
            if (index < 0 || index == selfIndex || catchUpByIndex[index] == null)
            {
                counters.unroutable++;
                return false;
            }
            publication = catchUpByIndex[index];
        }
        else
        {
            publication = shared;
        }

        final boolean tagged = authentication.covers(type, catchUp);
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
                counters.published++;
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
                counters.published++;
                return true;
            }
        }

        countRefusal(result);
        return false;
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
