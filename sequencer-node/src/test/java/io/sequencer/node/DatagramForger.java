package io.sequencer.node;

import io.aeron.protocol.DataHeaderFlyweight;
import io.aeron.protocol.HeaderFlyweight;
import io.aeron.protocol.SetupFlyweight;
import io.sequencer.core.EntryType;
import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.EntriesFrame;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.NewNodeFrame;
import io.sequencer.transport.aeron.FrameAuthenticator;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.util.SplittableRandom;

/**
 * What an outsider on the members' network can send with a plain {@link DatagramSocket}: garbage datagrams of random
 * lengths, and the protocol's frames built with the core codecs (naming real members, absurd epochs, reports with
 * huge {@code g}/{@code have} or contradicting the receiver's log, decisions, fetches, entries) wrapped in Aeron's own
 * framing (a SETUP for a session of its own, then DATA frames), so that they get past the media driver and reach the
 * node's transport.
 */
final class DatagramForger implements AutoCloseable
{
    private static final int TERM_LENGTH = 64 * 1024;
    private static final int MTU = 1408;
    /** Stay well inside the receiver's window: a new session every this many bytes of one term. */
    private static final int SESSION_BYTES = 16 * 1024;

    private final DatagramSocket socket;
    private final SplittableRandom random;
    private final int clusterId;
    private final int[] memberIds;
    private final boolean tagged;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[MTU]);
    private final UnsafeBuffer batch = new UnsafeBuffer(new byte[MTU]);
    private final UnsafeBuffer packet = new UnsafeBuffer(new byte[MTU + DataHeaderFlyweight.HEADER_LENGTH]);
    long datagramsSent;
    long framesSent;

    /** A session on one destination and stream: its id and where its next frame goes. */
    private static final class Session
    {
        final InetSocketAddress destination;
        final int streamId;
        int sessionId;
        int termId;
        int termOffset = SESSION_BYTES; // a new session on first use

        Session(final InetSocketAddress destination, final int streamId)
        {
            this.destination = destination;
            this.streamId = streamId;
        }
    }

    /**
     * @param multicastInterface the interface to send multicast from (the members' network).
     * @param tagged             whether to append a (random, so wrong) authentication tag to each frame.
     */
    DatagramForger(
        final InetAddress multicastInterface, final long seed, final int clusterId, final int[] memberIds,
        final boolean tagged) throws IOException
    {
        socket = new DatagramSocket(new InetSocketAddress(multicastInterface, 0));
        final NetworkInterface nif = NetworkInterface.getByInetAddress(multicastInterface);
        if (nif != null)
        {
            socket.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
        }
        socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        random = new SplittableRandom(seed);
        this.clusterId = clusterId;
        this.memberIds = memberIds.clone();
        this.tagged = tagged;
    }

    /** A garbage datagram of 1..1400 random bytes. */
    void garbage(final InetSocketAddress destination) throws IOException
    {
        final byte[] bytes = new byte[1 + random.nextInt(1400)];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        send(destination, bytes, bytes.length);
    }

    private Session[] sharedSessions;
    private Session[] catchUpSessions;

    /**
     * One forged frame of a random kind on the shared channel at {@code channel} (the port member index {@code port}
     * publishes on), stream {@code streamId}.
     */
    void forgeShared(final InetSocketAddress channel, final int streamId, final int port, final long epochNearby)
        throws IOException
    {
        if (sharedSessions == null)
        {
            sharedSessions = new Session[memberIds.length];
        }
        if (sharedSessions[port] == null)
        {
            sharedSessions[port] = new Session(channel, streamId);
        }
        final int length = sharedFrame(epochNearby);
        dataFrame(sharedSessions[port], length);
    }

    /** One forged catch-up frame ({@code Fetch} or {@code Entries}) to member index {@code target}'s endpoint. */
    void forgeCatchUp(final InetSocketAddress endpoint, final int streamId, final int target, final long epochNearby)
        throws IOException
    {
        if (catchUpSessions == null)
        {
            catchUpSessions = new Session[memberIds.length];
        }
        if (catchUpSessions[target] == null)
        {
            catchUpSessions[target] = new Session(endpoint, streamId);
        }
        final int length = catchUpFrame(memberIds[target], epochNearby);
        dataFrame(catchUpSessions[target], length);
    }

    private long epoch(final long nearby)
    {
        switch (random.nextInt(6))
        {
            case 0: return (1L << 62) - 1;
            case 1: return (1L << 62);
            case 2: return Long.MAX_VALUE;
            case 3: return nearby + 1 + random.nextInt(3);
            case 4: return nearby + (1L << 20) + random.nextInt(1000);
            default: return Math.max(0, nearby - random.nextInt(2));
        }
    }

    private long huge()
    {
        switch (random.nextInt(4))
        {
            case 0: return Long.MAX_VALUE;
            case 1: return (1L << 62) - 1;
            case 2: return 1_000_000_000L + random.nextInt(1_000_000);
            default: return random.nextLong(Long.MAX_VALUE);
        }
    }

    private int member()
    {
        return memberIds[random.nextInt(memberIds.length)];
    }

    /**
     * Encode one shared-channel message at {@code frame}: a frame, or one time in eight a batch of two or three
     * (io.sequencer.transport.aeron.FrameBatch, as a member sends a duty cycle's frames); @return its length (with a
     * tag when {@code tagged}).
     */
    private int sharedFrame(final long nearby)
    {
        if (random.nextInt(8) != 0)
        {
            return withTag(sharedFrameBody(nearby));
        }
        final int count = 2 + random.nextInt(2);
        int added = 0;
        int at = io.sequencer.transport.aeron.FrameBatch.HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final int length = sharedFrameBody(nearby);
            if (at + io.sequencer.transport.aeron.FrameBatch.FRAME_PREFIX + length + FrameAuthenticator.TAG_LENGTH >
                batch.capacity())
            {
                break;
            }
            batch.putInt(at, length, java.nio.ByteOrder.LITTLE_ENDIAN);
            batch.putBytes(at + io.sequencer.transport.aeron.FrameBatch.FRAME_PREFIX, frame, 0, length);
            at += io.sequencer.transport.aeron.FrameBatch.FRAME_PREFIX + length;
            added++;
        }
        io.sequencer.transport.aeron.FrameBatch.writeHeader(batch, 0, tagged, added);
        frame.putBytes(0, batch, 0, at);
        return withTag(at);
    }

    /** One shared-channel frame at {@code frame}, untagged; @return its length. */
    private int sharedFrameBody(final long nearby)
    {
        final int sender = member();
        final long epoch = epoch(nearby);
        final int length;
        switch (random.nextInt(8))
        {
            case 6:
                // a report that contradicts its receiver's log (docs/protocol.md §10.3): the receiver's last normal
                // epoch (nearby, a running member's epoch), a position every log holds, a chk nobody's log has there,
                // sent as of that epoch or one of the next two (an epoch change's)
                length = new MySerializeCounterFrame().encode(frame, 0, sender, clusterId,
                    nearby + random.nextInt(3), 0, 1 + random.nextInt(50), random.nextLong(), nearby, true, 0)
                    .encodedLength();
                break;
            case 0:
            {
                final long have = huge();
                final MySerializeCounterFrame report = new MySerializeCounterFrame().encode(frame, 0, sender, clusterId,
                    epoch, random.nextBoolean() ? have : have - random.nextInt(1000), have, random.nextLong(),
                    random.nextBoolean() ? epoch : nearby, random.nextBoolean(), random.nextLong(Long.MAX_VALUE));
                length = report.encodedLength();
                break;
            }
            case 1:
                length = new MyOrderCounterFrame().encode(frame, 0, sender, clusterId, epoch, huge()).encodedLength();
                break;
            case 2:
                length = new DelNodeFrame().encode(frame, 0, sender, clusterId, epoch, member(), epoch)
                    .encodedLength();
                break;
            case 3:
                length = new NewNodeFrame().encode(frame, 0, sender, clusterId, epoch, sender, epoch, epoch, huge(),
                    epoch).encodedLength();
                break;
            case 4:
            {
                final int[] ids = memberIds.clone();
                length = new ClusterNodesFrame().encode(frame, 0, sender, clusterId, epoch, epoch, huge(),
                    random.nextLong(), ids, ids.length, (1 << ids.length) - 1, member()).encodedLength();
                break;
            }
            case 5:
            {
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[8 + random.nextInt(200)]);
                payload.putLong(0, random.nextLong());
                length = new NewEventFrame().encode(frame, 0, sender, clusterId, epoch, epoch, huge(), huge(),
                    EntryType.EVENT, random.nextLong(), payload, 0, payload.capacity()).encodedLength();
                break;
            }
            default:
            {
                // A well-formed header over random bytes: garbage that gets past the media driver.
                length = FrameHeader.LENGTH + random.nextInt(300);
                for (int i = FrameHeader.LENGTH; i < length; i++)
                {
                    frame.putByte(i, (byte)random.nextInt(256));
                }
                FrameHeader.write(frame, 0, 1 + random.nextInt(8), sender, clusterId, epoch);
                break;
            }
        }
        return length;
    }

    private int catchUpFrame(final int target, final long nearby)
    {
        final int sender = member();
        final long epoch = epoch(nearby);
        final int length;
        if (random.nextBoolean())
        {
            final long from = huge();
            length = new FetchFrame().encode(frame, 0, sender, clusterId, epoch, target,
                random.nextBoolean() ? 1 : from, random.nextBoolean() ? from : Long.MAX_VALUE).encodedLength();
        }
        else
        {
            final EntriesFrame entries = new EntriesFrame().encode(frame, 0, 1024, sender, clusterId, epoch, target,
                random.nextBoolean() ? 1 + random.nextInt(100_000) : huge());
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
            for (int i = 0, n = 1 + random.nextInt(5); i < n; i++)
            {
                payload.putLong(16, random.nextLong());
                entries.appendEntry(EntryType.EVENT, member(), epoch, huge(), epoch, random.nextInt(1000),
                    random.nextLong(), random.nextLong(), payload, 0, payload.capacity());
            }
            length = entries.encodedLength();
        }
        return withTag(length);
    }

    private int withTag(final int length)
    {
        if (!tagged)
        {
            return length;
        }
        for (int i = 0; i < FrameAuthenticator.TAG_LENGTH; i++)
        {
            frame.putByte(length + i, (byte)random.nextInt(256));
        }
        return length + FrameAuthenticator.TAG_LENGTH;
    }

    /** Send {@code frame[0, length)} as the next DATA frame of {@code session}, opening a new session as needed. */
    private void dataFrame(final Session session, final int length) throws IOException
    {
        final int frameLength = DataHeaderFlyweight.HEADER_LENGTH + length;
        final int aligned = (frameLength + 31) & ~31;
        if (session.termOffset + aligned > SESSION_BYTES)
        {
            session.sessionId = random.nextInt();
            session.termId = random.nextInt();
            session.termOffset = 0;
            final SetupFlyweight setup = new SetupFlyweight(packet);
            setup.frameLength(SetupFlyweight.HEADER_LENGTH);
            setup.version(HeaderFlyweight.CURRENT_VERSION);
            setup.flags((short)0);
            setup.headerType(HeaderFlyweight.HDR_TYPE_SETUP);
            setup.termOffset(0).sessionId(session.sessionId).streamId(session.streamId)
                .initialTermId(session.termId).activeTermId(session.termId)
                .termLength(TERM_LENGTH).mtuLength(MTU).ttl(0);
            // The media driver creates the image on its conductor thread, and a first DATA frame it misses is a gap
            // nobody fills: give it time. (Its status messages go to the control address, which this socket does not
            // hear on multicast, so there is nothing to wait for but time.)
            send(session.destination, packet.byteArray(), SetupFlyweight.HEADER_LENGTH);
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            send(session.destination, packet.byteArray(), SetupFlyweight.HEADER_LENGTH);
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        final DataHeaderFlyweight data = new DataHeaderFlyweight(packet);
        data.frameLength(frameLength);
        data.version(HeaderFlyweight.CURRENT_VERSION);
        data.flags(DataHeaderFlyweight.BEGIN_AND_END_FLAGS);
        data.headerType(HeaderFlyweight.HDR_TYPE_DATA);
        data.termOffset(session.termOffset);
        data.sessionId(session.sessionId).streamId(session.streamId).termId(session.termId);
        data.reservedValue(0);
        packet.putBytes(DataHeaderFlyweight.HEADER_LENGTH, frame, 0, length);
        send(session.destination, packet.byteArray(), frameLength);
        session.termOffset += aligned;
        framesSent++;
    }

    private void send(final InetSocketAddress destination, final byte[] bytes, final int length) throws IOException
    {
        socket.send(new DatagramPacket(bytes, 0, length, destination));
        datagramsSent++;
    }

    public void close()
    {
        socket.close();
    }
}
