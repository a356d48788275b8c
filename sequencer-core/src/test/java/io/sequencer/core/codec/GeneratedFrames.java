package io.sequencer.core.codec;

import io.sequencer.core.EntryType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared test support for the codec properties (not a test class itself): generators of valid frame
 * specifications for every message type, their encoding, a field-by-field decode check, and a "decode every getter"
 * routine used to check that {@link FrameValidator#VALID} implies safe decoding.
 */
final class GeneratedFrames
{
    /** The validator's maximum event payload used throughout the properties. */
    static final int MAX_PAYLOAD = 512;

    private static final HexFormat HEX = HexFormat.of();

    private GeneratedFrames()
    {
    }

    // ------------------------------------------------------------------------------------------------------------
    // Specifications: the field values of one frame, able to encode themselves and check a decode.
    // ------------------------------------------------------------------------------------------------------------

    record Header(int senderId, int clusterId, long epoch)
    {
        void assertDecoded(final Frame frame)
        {
            assertEquals(senderId, frame.senderId(), "senderId");
            assertEquals(clusterId, frame.clusterId(), "clusterId");
            assertEquals(epoch, frame.epoch(), "epoch");
        }
    }

    interface Spec
    {
        int type();

        Header header();

        /** The exact encoded length. */
        int length();

        /** Encode at {@code offset}; returns {@link Frame#encodedLength()}. */
        int encode(MutableDirectBuffer buffer, int offset);

        /** Wrap a fresh flyweight over the frame and check every field equals this specification. */
        void assertDecodes(DirectBuffer buffer, int offset, int length);
    }

    record NewEventSpec(Header header, long incarnation, long localSeq, long counter, byte[] payload, int sourceOffset)
        implements Spec
    {
        public int type()
        {
            return MessageType.NEW_EVENT;
        }

        public int length()
        {
            return NewEventFrame.PAYLOAD_OFFSET + payload.length;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset)
        {
            // The payload comes from a source buffer at a non-zero offset, surrounded by other bytes.
            final UnsafeBuffer source = new UnsafeBuffer(new byte[sourceOffset + payload.length + 7]);
            source.setMemory(0, source.capacity(), (byte)0x5A);
            source.putBytes(sourceOffset, payload);
            return new NewEventFrame().encode(
                buffer, offset, header.senderId(), header.clusterId(), header.epoch(), incarnation, localSeq, counter,
                EntryType.EVENT, counter * 7, source, sourceOffset, payload.length).encodedLength();
        }

        public void assertDecodes(final DirectBuffer buffer, final int offset, final int length)
        {
            final NewEventFrame frame = new NewEventFrame();
            frame.wrap(buffer, offset, length);
            assertEquals(MessageType.NEW_EVENT, frame.type());
            header.assertDecoded(frame);
            assertEquals(incarnation, frame.incarnation(), "incarnation");
            assertEquals(localSeq, frame.localSeq(), "localSeq");
            assertEquals(counter, frame.counter(), "counter");
            assertEquals(payload.length, frame.payloadLength(), "payloadLength");
            assertEquals(offset + NewEventFrame.PAYLOAD_OFFSET, frame.payloadOffset(), "payloadOffset");
            final byte[] decoded = new byte[frame.payloadLength()];
            frame.buffer().getBytes(frame.payloadOffset(), decoded);
            assertArrayEquals(payload, decoded, "payload");
        }

        public String toString()
        {
            return "NewEvent{" + header + ", incarnation=" + incarnation + ", localSeq=" + localSeq +
                ", counter=" + counter + ", payload=" + hex(payload) + ", sourceOffset=" + sourceOffset + "}";
        }
    }

    record MyOrderCounterSpec(Header header, long counter) implements Spec
    {
        public int type()
        {
            return MessageType.MY_ORDER_COUNTER;
        }

        public int length()
        {
            return MyOrderCounterFrame.LENGTH;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return new MyOrderCounterFrame().encode(
                buffer, offset, header.senderId(), header.clusterId(), header.epoch(), counter).encodedLength();
        }

        public void assertDecodes(final DirectBuffer buffer, final int offset, final int length)
        {
            final MyOrderCounterFrame frame = new MyOrderCounterFrame();
            frame.wrap(buffer, offset, length);
            header.assertDecoded(frame);
            assertEquals(counter, frame.counter(), "counter");
        }
    }

    record MySerializeCounterSpec(
        Header header, long guaranteed, long have, long chkAtHave, long lastNormalEpoch, boolean intact,
        long fetchProgress) implements Spec
    {
        public int type()
        {
            return MessageType.MY_SERIALIZE_COUNTER;
        }

        public int length()
        {
            return MySerializeCounterFrame.LENGTH;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return new MySerializeCounterFrame().encode(
                buffer, offset, header.senderId(), header.clusterId(), header.epoch(), guaranteed, have, chkAtHave,
                lastNormalEpoch, intact, fetchProgress).encodedLength();
        }

        public void assertDecodes(final DirectBuffer buffer, final int offset, final int length)
        {
            final MySerializeCounterFrame frame = new MySerializeCounterFrame();
            frame.wrap(buffer, offset, length);
            header.assertDecoded(frame);
            assertEquals(guaranteed, frame.guaranteed(), "guaranteed");
            assertEquals(have, frame.have(), "have");
            assertEquals(chkAtHave, frame.chkAtHave(), "chkAtHave");
            assertEquals(lastNormalEpoch, frame.lastNormalEpoch(), "lastNormalEpoch");
            assertEquals(intact, frame.intact(), "intact");
            assertEquals(intact ? MySerializeCounterFrame.FLAG_INTACT : 0, frame.flags(), "flags");
            assertEquals(fetchProgress, frame.fetchProgress(), "fetchProgress");
        }
    }

    record NewNodeSpec(Header header, int identity, long incarnation, long counter, long have, long lastNormalEpoch)
        implements Spec
    {
        public int type()
        {
            return MessageType.NEW_NODE;
        }

        public int length()
        {
            return NewNodeFrame.LENGTH;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return new NewNodeFrame().encode(
                buffer, offset, header.senderId(), header.clusterId(), header.epoch(), identity, incarnation, counter,
                have, lastNormalEpoch).encodedLength();
        }

        public void assertDecodes(final DirectBuffer buffer, final int offset, final int length)
        {
            final NewNodeFrame frame = new NewNodeFrame();
            frame.wrap(buffer, offset, length);
            header.assertDecoded(frame);
            assertEquals(identity, frame.identity(), "identity");
            assertEquals(incarnation, frame.incarnation(), "incarnation");
            assertEquals(counter, frame.counter(), "counter");
            assertEquals(have, frame.have(), "have");
            assertEquals(lastNormalEpoch, frame.lastNormalEpoch(), "lastNormalEpoch");
            assertEquals(0, buffer.getInt(offset + NewNodeFrame.RESERVED_OFFSET), "reserved");
        }
    }

    record DelNodeSpec(Header header, int identity, long counter) implements Spec
    {
        public int type()
        {
            return MessageType.DEL_NODE;
        }

        public int length()
        {
            return DelNodeFrame.LENGTH;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return new DelNodeFrame().encode(
                buffer, offset, header.senderId(), header.clusterId(), header.epoch(), identity, counter)
                .encodedLength();
        }

        public void assertDecodes(final DirectBuffer buffer, final int offset, final int length)
        {
            final DelNodeFrame frame = new DelNodeFrame();
            frame.wrap(buffer, offset, length);
            header.assertDecoded(frame);
            assertEquals(identity, frame.identity(), "identity");
            assertEquals(counter, frame.counter(), "counter");
            assertEquals(0, buffer.getInt(offset + DelNodeFrame.RESERVED_OFFSET), "reserved");
        }
    }

    /**
     * @param memberIds always 3 slots: the first {@code memberCount} are {@code C'}, the rest is junk the encoder
     *                  must not copy (it writes -1 there).
     * @param baseOwner one of the first {@code memberCount} ids for a valid frame.
     */
    record ClusterNodesSpec(
        Header header, long newEpoch, long n, long chkAtN, int[] memberIds, int memberCount, int activeMask,
        int baseOwner) implements Spec
    {
        public int type()
        {
            return MessageType.CLUSTER_NODES;
        }

        public int length()
        {
            return ClusterNodesFrame.LENGTH;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return new ClusterNodesFrame().encode(
                buffer, offset, header.senderId(), header.clusterId(), header.epoch(), newEpoch, n, chkAtN,
                memberIds, memberCount, activeMask, baseOwner).encodedLength();
        }

        public void assertDecodes(final DirectBuffer buffer, final int offset, final int length)
        {
            final ClusterNodesFrame frame = new ClusterNodesFrame();
            frame.wrap(buffer, offset, length);
            header.assertDecoded(frame);
            assertEquals(newEpoch, frame.newEpoch(), "newEpoch");
            assertEquals(n, frame.n(), "n");
            assertEquals(chkAtN, frame.chkAtN(), "chkAtN");
            assertEquals(memberCount, frame.memberCount(), "memberCount");
            assertEquals(activeMask, frame.activeMask(), "activeMask");
            for (int i = 0; i < ClusterNodesFrame.MAX_MEMBERS; i++)
            {
                assertEquals(i < memberCount ? memberIds[i] : -1, frame.memberId(i), "memberId(" + i + ")");
            }
            assertEquals(baseOwner, frame.baseOwner(), "baseOwner");
        }

        public String toString()
        {
            return "ClusterNodes{" + header + ", newEpoch=" + newEpoch + ", n=" + n + ", chkAtN=" + chkAtN +
                ", memberIds=" + Arrays.toString(memberIds) + ", memberCount=" + memberCount + ", activeMask=" +
                activeMask + ", baseOwner=" + baseOwner + "}";
        }
    }

    record FetchSpec(Header header, int target, long from, long to) implements Spec
    {
        public int type()
        {
            return MessageType.FETCH;
        }

        public int length()
        {
            return FetchFrame.LENGTH;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset)
        {
            return new FetchFrame().encode(
                buffer, offset, header.senderId(), header.clusterId(), header.epoch(), target, from, to)
                .encodedLength();
        }

        public void assertDecodes(final DirectBuffer buffer, final int offset, final int length)
        {
            final FetchFrame frame = new FetchFrame();
            frame.wrap(buffer, offset, length);
            header.assertDecoded(frame);
            assertEquals(target, frame.target(), "target");
            assertEquals(from, frame.from(), "from");
            assertEquals(to, frame.to(), "to");
            assertEquals(FetchFrame.ENTRIES, frame.kind(), "kind");
        }
    }

    record EntrySpec(
        int entryType, int originId, long epoch, long counter, long incarnation, long localSeq, long chk,
        byte[] payload)
    {
        int encodedLength()
        {
            return EntriesFrame.ENTRY_HEADER_LENGTH + payload.length;
        }

        boolean appendTo(final EntriesFrame frame)
        {
            final UnsafeBuffer source = new UnsafeBuffer(new byte[payload.length + 3]);
            source.putBytes(3, payload);
            return frame.appendEntry(
                entryType, originId, epoch, counter, incarnation, localSeq, localSeq * 5, chk, source, 3,
                payload.length);
        }

        void assertCurrent(final EntriesFrame frame, final long position)
        {
            assertEquals(position, frame.entryPosition(), "entryPosition");
            assertEquals(payload.length, frame.entryPayloadLength(), "entryPayloadLength");
            assertEquals(entryType, frame.entryType(), "entryType");
            assertEquals(originId, frame.entryOrigin(), "entryOrigin");
            assertEquals(epoch, frame.entryEpoch(), "entryEpoch");
            assertEquals(counter, frame.entryCounter(), "entryCounter");
            assertEquals(incarnation, frame.entryIncarnation(), "entryIncarnation");
            assertEquals(localSeq, frame.entryLocalSeq(), "entryLocalSeq");
            assertEquals(chk, frame.entryChk(), "entryChk");
            final byte[] decoded = new byte[frame.entryPayloadLength()];
            frame.buffer().getBytes(frame.entryPayloadOffset(), decoded);
            assertArrayEquals(payload, decoded, "entry payload");
        }

        public String toString()
        {
            return "Entry{" + EntryType.name(entryType) + ", origin=" + originId + ", epoch=" + epoch + ", counter=" +
                counter + ", incarnation=" + incarnation + ", localSeq=" + localSeq + ", chk=" + chk + ", payload=" +
                hex(payload) + "}";
        }
    }

    record EntriesSpec(Header header, int target, long firstPosition, List<EntrySpec> entries) implements Spec
    {
        public int type()
        {
            return MessageType.ENTRIES;
        }

        public int length()
        {
            int length = EntriesFrame.ENTRIES_OFFSET;
            for (final EntrySpec entry : entries)
            {
                length += entry.encodedLength();
            }
            return length;
        }

        public int encode(final MutableDirectBuffer buffer, final int offset)
        {
            final EntriesFrame frame = new EntriesFrame().encode(
                buffer, offset, buffer.capacity() - offset, header.senderId(), header.clusterId(), header.epoch(),
                target, firstPosition);
            for (final EntrySpec entry : entries)
            {
                assertTrue(entry.appendTo(frame), "appendEntry within capacity must succeed: " + entry);
            }
            return frame.encodedLength();
        }

        public void assertDecodes(final DirectBuffer buffer, final int offset, final int length)
        {
            final EntriesFrame frame = new EntriesFrame();
            frame.wrap(buffer, offset, length);
            header.assertDecoded(frame);
            assertEquals(target, frame.target(), "target");
            assertEquals(entries.size(), frame.count(), "count");
            assertEquals(firstPosition, frame.firstPosition(), "firstPosition");
            for (int pass = 0; pass < 2; pass++) // the cursor can be reset and the frame iterated again
            {
                frame.resetCursor();
                for (int i = 0; i < entries.size(); i++)
                {
                    assertTrue(frame.nextEntry(), "nextEntry() for entry " + i);
                    entries.get(i).assertCurrent(frame, firstPosition + i);
                }
                assertFalse(frame.nextEntry(), "nextEntry() after the last entry");
                assertFalse(frame.nextEntry(), "nextEntry() stays false");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Generators.
    // ------------------------------------------------------------------------------------------------------------

    static Arbitrary<Integer> memberIds()
    {
        return Arbitraries.integers().between(0, ClusterNodesFrame.MAX_MEMBER_ID);
    }

    static Arbitrary<byte[]> payloads(final int maxLength)
    {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(maxLength);
    }

    static Arbitrary<Header> headers()
    {
        return Combinators.combine(
            memberIds(), Arbitraries.integers(), Arbitraries.longs().between(0, FrameValidator.MAX_EPOCH))
            .as(Header::new);
    }

    static Arbitrary<NewEventSpec> newEvents()
    {
        return Combinators.combine(
            headers(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), payloads(MAX_PAYLOAD),
            Arbitraries.integers().between(0, 32)).as(NewEventSpec::new);
    }

    static Arbitrary<MyOrderCounterSpec> myOrderCounters()
    {
        return Combinators.combine(headers(), Arbitraries.longs()).as(MyOrderCounterSpec::new);
    }

    static Arbitrary<MySerializeCounterSpec> mySerializeCounters()
    {
        final Arbitrary<Long> nonNegative = Arbitraries.longs().greaterOrEqual(0);
        // A valid report never claims a watermark above what it holds (FrameValidator): g is the lower of the two;
        // and the checksum of an empty log is the chain's seed.
        return Combinators.combine(
            headers(), nonNegative, nonNegative, Arbitraries.longs(), Arbitraries.longs(), Arbitraries.of(true, false),
            Arbitraries.longs()).as((header, a, b, chk, lastNormalEpoch, intact, progress) ->
                new MySerializeCounterSpec(header, Math.min(a, b), Math.max(a, b),
                    Math.max(a, b) == 0 ? io.sequencer.core.Checksum.EMPTY : chk, lastNormalEpoch, intact, progress));
    }

    static Arbitrary<NewNodeSpec> newNodes()
    {
        return Combinators.combine(
            headers(), memberIds(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs())
            .as(NewNodeSpec::new);
    }

    static Arbitrary<DelNodeSpec> delNodes()
    {
        return Combinators.combine(headers(), memberIds(), Arbitraries.longs()).as(DelNodeSpec::new);
    }

    /**
     * 1..3 distinct member ids, a non-empty active mask over them, a base owner among them, newEpoch &gt; 0 and
     * n &gt;= 0.
     */
    static Arbitrary<ClusterNodesSpec> clusterNodes()
    {
        final Arbitrary<List<Integer>> members = memberIds().list().ofMinSize(1).ofMaxSize(3).uniqueElements();
        final Arbitrary<Integer> junk = Arbitraries.integers().between(-1000, 1000);
        return members.flatMap(ids -> Combinators.combine(
            headers(),
            Arbitraries.longs().greaterOrEqual(1),
            Arbitraries.longs().greaterOrEqual(0),
            Arbitraries.longs(),
            junk.list().ofSize(3 - ids.size()),
            Arbitraries.integers().between(1, (1 << ids.size()) - 1),
            Arbitraries.of(ids))
            .as((header, newEpoch, n, chkAtN, unused, mask, baseOwner) ->
            {
                final int[] slots = new int[ClusterNodesFrame.MAX_MEMBERS];
                for (int i = 0; i < slots.length; i++)
                {
                    slots[i] = i < ids.size() ? ids.get(i) : unused.get(i - ids.size());
                }
                return new ClusterNodesSpec(header, newEpoch, n, chkAtN, slots, ids.size(), mask, baseOwner);
            }));
    }

    /** 1 &lt;= from &lt;= to. */
    static Arbitrary<FetchSpec> fetches()
    {
        return Combinators.combine(headers(), memberIds(), Arbitraries.longs().greaterOrEqual(1), Arbitraries.longs())
            .as((header, target, from, delta) ->
            {
                final long to = from + Math.floorMod(delta, Long.MAX_VALUE - from + 1);
                return new FetchSpec(header, target, from, to);
            });
    }

    static Arbitrary<EntrySpec> entries(final int maxPayload)
    {
        return Combinators.combine(
            Arbitraries.of(EntryType.EVENT, EntryType.EPOCH_START), memberIds(), Arbitraries.longs(),
            Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), payloads(maxPayload))
            .as(EntrySpec::new);
    }

    /** 0..20 entries; {@code firstPosition} in {@code 1..Long.MAX_VALUE - count}. */
    static Arbitrary<EntriesSpec> entriesFrames()
    {
        return entries(MAX_PAYLOAD).list().ofMinSize(0).ofMaxSize(20).flatMap(list -> Combinators.combine(
            headers(), memberIds(), Arbitraries.longs().between(1, Long.MAX_VALUE - list.size()))
            .as((header, target, first) -> new EntriesSpec(header, target, first, list)));
    }

    static Arbitrary<Spec> anyFrame()
    {
        return Arbitraries.oneOf(
            newEvents(), myOrderCounters(), mySerializeCounters(), newNodes(), delNodes(), clusterNodes(), fetches(),
            entriesFrames());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Decoding of frames the validator accepted.
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The validator said VALID: decode every getter of the matching flyweight both in place and from an exact-size
     * copy of the frame (so that any read outside {@code [offset, offset + length)} hits Agrona's bounds check), check
     * both decodes agree and the frame honours every domain the validator promises.
     */
    static void assertSafelyDecodable(
        final DirectBuffer buffer, final int offset, final int length, final int maxPayload)
    {
        assertTrue(DirectBuffer.SHOULD_BOUNDS_CHECK, "Agrona bounds checks must be enabled for this property");
        final List<Object> inPlace = decodeEverything(buffer, offset, length, maxPayload);

        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        final List<Object> isolated = decodeEverything(new UnsafeBuffer(copy), 0, length, maxPayload);
        assertEquals(inPlace, isolated, "decoding must depend only on the frame's own bytes");
    }

    /** Read every field of the frame through its flyweight; returns the values read. */
    static List<Object> decodeEverything(
        final DirectBuffer buffer, final int offset, final int length, final int maxPayload)
    {
        final List<Object> values = new ArrayList<>();
        final int type = FrameHeader.type(buffer, offset);
        values.add(type);
        switch (type)
        {
            case MessageType.NEW_EVENT:
            {
                final NewEventFrame frame = new NewEventFrame();
                frame.wrap(buffer, offset, length);
                header(frame, values);
                values.add(frame.incarnation());
                values.add(frame.localSeq());
                values.add(frame.counter());
                final int payloadLength = frame.payloadLength();
                assertTrue(payloadLength >= 0 && payloadLength <= maxPayload, "payloadLength " + payloadLength);
                assertEquals(length - NewEventFrame.PAYLOAD_OFFSET, payloadLength, "payload fills the frame");
                final byte[] payload = new byte[payloadLength];
                frame.buffer().getBytes(frame.payloadOffset(), payload);
                values.add(HEX.formatHex(payload));
                break;
            }

            case MessageType.MY_ORDER_COUNTER:
            {
                final MyOrderCounterFrame frame = new MyOrderCounterFrame();
                frame.wrap(buffer, offset, length);
                header(frame, values);
                values.add(frame.counter());
                assertEquals(MyOrderCounterFrame.LENGTH, length);
                break;
            }

            case MessageType.MY_SERIALIZE_COUNTER:
            {
                final MySerializeCounterFrame frame = new MySerializeCounterFrame();
                frame.wrap(buffer, offset, length);
                header(frame, values);
                values.add(frame.guaranteed());
                values.add(frame.have());
                values.add(frame.chkAtHave());
                values.add(frame.lastNormalEpoch());
                values.add(frame.fetchProgress());
                values.add(frame.intact());
                values.add(frame.flags());
                assertEquals(MySerializeCounterFrame.LENGTH, length);
                assertEquals(0, frame.flags() & ~MySerializeCounterFrame.KNOWN_FLAGS, "unknown flags");
                assertTrue(frame.have() >= 0 && frame.guaranteed() >= 0, "have/guaranteed >= 0");
                break;
            }

            case MessageType.NEW_NODE:
            {
                final NewNodeFrame frame = new NewNodeFrame();
                frame.wrap(buffer, offset, length);
                header(frame, values);
                values.add(frame.identity());
                values.add(frame.incarnation());
                values.add(frame.counter());
                values.add(frame.have());
                values.add(frame.lastNormalEpoch());
                assertEquals(NewNodeFrame.LENGTH, length);
                break;
            }

            case MessageType.DEL_NODE:
            {
                final DelNodeFrame frame = new DelNodeFrame();
                frame.wrap(buffer, offset, length);
                header(frame, values);
                values.add(frame.identity());
                values.add(frame.counter());
                assertEquals(DelNodeFrame.LENGTH, length);
                break;
            }

            case MessageType.CLUSTER_NODES:
            {
                final ClusterNodesFrame frame = new ClusterNodesFrame();
                frame.wrap(buffer, offset, length);
                header(frame, values);
                values.add(frame.newEpoch());
                values.add(frame.n());
                values.add(frame.chkAtN());
                final int count = frame.memberCount();
                final int mask = frame.activeMask();
                values.add(count);
                values.add(mask);
                assertEquals(ClusterNodesFrame.LENGTH, length);
                assertTrue(count >= 1 && count <= ClusterNodesFrame.MAX_MEMBERS, "memberCount " + count);
                assertTrue(mask != 0 && (mask & ~((1 << count) - 1)) == 0, "activeMask " + mask);
                assertTrue(frame.newEpoch() > 0 && frame.n() >= 0, "newEpoch > 0, n >= 0");
                for (int i = 0; i < ClusterNodesFrame.MAX_MEMBERS; i++)
                {
                    final int id = frame.memberId(i);
                    values.add(id);
                    if (i < count)
                    {
                        assertTrue(id >= 0 && id <= ClusterNodesFrame.MAX_MEMBER_ID, "memberId " + id);
                        for (int k = 0; k < i; k++)
                        {
                            assertTrue(frame.memberId(k) != id, "duplicate member id " + id);
                        }
                    }
                    else
                    {
                        assertEquals(-1, id, "unused slot " + i);
                    }
                }
                final int baseOwner = frame.baseOwner();
                values.add(baseOwner);
                boolean baseOwnerIsMember = false;
                for (int i = 0; i < count; i++)
                {
                    baseOwnerIsMember |= frame.memberId(i) == baseOwner;
                }
                assertTrue(baseOwnerIsMember, "baseOwner " + baseOwner + " is not a member");
                break;
            }

            case MessageType.FETCH:
            {
                final FetchFrame frame = new FetchFrame();
                frame.wrap(buffer, offset, length);
                header(frame, values);
                values.add(frame.target());
                values.add(frame.kind());
                values.add(frame.from());
                values.add(frame.to());
                assertEquals(FetchFrame.LENGTH, length);
                switch (frame.kind())
                {
                    case FetchFrame.ENTRIES, FetchFrame.ENTRIES_OF_EPOCH -> assertTrue(
                        frame.from() >= 1 && frame.to() >= frame.from(), "1 <= from <= to");
                    case FetchFrame.SNAPSHOT -> assertTrue(frame.from() >= 0 && frame.to() >= 0, "from, to >= 0");
                    case FetchFrame.SNAPSHOT_DAMAGED -> assertTrue(frame.from() >= 1 && frame.to() == 0,
                        "from >= 1, to = 0");
                    default -> throw new AssertionError("unknown fetch kind " + frame.kind());
                }
                break;
            }

            case MessageType.ENTRIES:
            {
                final EntriesFrame frame = new EntriesFrame();
                frame.wrap(buffer, offset, length);
                header(frame, values);
                values.add(frame.target());
                values.add(frame.count());
                values.add(frame.firstPosition());
                final int count = frame.count();
                assertTrue(count >= 0 && count <= (length - EntriesFrame.ENTRIES_OFFSET) /
                    EntriesFrame.ENTRY_HEADER_LENGTH, "count " + count + " for length " + length);
                assertTrue(frame.firstPosition() >= 1, "firstPosition >= 1");
                long consumed = EntriesFrame.ENTRIES_OFFSET;
                int seen = 0;
                frame.resetCursor();
                while (frame.nextEntry())
                {
                    if (++seen > count)
                    {
                        fail("nextEntry() returned more than count() = " + count + " entries");
                    }
                    final long position = frame.entryPosition();
                    assertEquals(frame.firstPosition() + seen - 1, position, "entryPosition");
                    values.add(position);
                    final int payloadLength = frame.entryPayloadLength();
                    assertTrue(payloadLength >= 0 && payloadLength <= maxPayload, "entry payload " + payloadLength);
                    values.add(payloadLength);
                    values.add(frame.entryType());
                    assertTrue(EntryType.isValid(frame.entryType()), "entry type " + frame.entryType());
                    values.add(frame.entryOrigin());
                    values.add(frame.entryEpoch());
                    values.add(frame.entryCounter());
                    values.add(frame.entryIncarnation());
                    values.add(frame.entryLocalSeq());
                    values.add(frame.entryChk());
                    assertEquals(offset + consumed + EntriesFrame.ENTRY_HEADER_LENGTH, frame.entryPayloadOffset(),
                        "entry payload offset");
                    final byte[] payload = new byte[payloadLength];
                    frame.buffer().getBytes(frame.entryPayloadOffset(), payload);
                    values.add(HEX.formatHex(payload));
                    consumed += EntriesFrame.ENTRY_HEADER_LENGTH + payloadLength;
                }
                assertEquals(count, seen, "entries iterated");
                assertEquals(length, consumed, "entries end exactly at the frame's end");
                break;
            }

            default:
                fail("validator accepted unknown type " + type);
        }
        return values;
    }

    private static void header(final Frame frame, final List<Object> values)
    {
        values.add(frame.senderId());
        values.add(frame.clusterId());
        values.add(frame.epoch());
    }

    static String hex(final byte[] bytes)
    {
        return bytes.length <= 64 ?
            "[" + bytes.length + "]" + HEX.formatHex(bytes) :
            "[" + bytes.length + "]" + HEX.formatHex(bytes, 0, 64) + "...";
    }
}
