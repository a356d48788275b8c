package io.sequencer.core.codec;

import io.sequencer.core.codec.GeneratedFrames.ClusterNodesSpec;
import io.sequencer.core.codec.GeneratedFrames.DelNodeSpec;
import io.sequencer.core.codec.GeneratedFrames.EntriesSpec;
import io.sequencer.core.codec.GeneratedFrames.EntrySpec;
import io.sequencer.core.codec.GeneratedFrames.FetchSpec;
import io.sequencer.core.codec.GeneratedFrames.Header;
import io.sequencer.core.codec.GeneratedFrames.MyOrderCounterSpec;
import io.sequencer.core.codec.GeneratedFrames.MySerializeCounterSpec;
import io.sequencer.core.codec.GeneratedFrames.NewEventSpec;
import io.sequencer.core.codec.GeneratedFrames.NewNodeSpec;
import io.sequencer.core.codec.GeneratedFrames.Spec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.sequencer.core.codec.GeneratedFrames.MAX_PAYLOAD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every message type survives encode → {@link FrameValidator#validate} → decode with a fresh flyweight, for
 * arbitrary field values in the validator's domains, at an arbitrary offset of an {@link UnsafeBuffer} (itself at an
 * arbitrary offset of its backing array) pre-filled with junk; and the encoders write nothing outside their frame.
 */
class CodecRoundTripProperties
{
    private static final int TRIES = 400;

    private final FrameValidator validator = new FrameValidator(MAX_PAYLOAD);

    @Property(tries = TRIES, seed = "20261207")
    void newEventRoundTrips(
        @ForAll("newEvents") final NewEventSpec spec,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll @IntRange(max = 16) final int arrayOffset,
        @ForAll final byte fill)
    {
        roundTrip(spec, offset, arrayOffset, fill);
    }

    @Property(tries = TRIES, seed = "20261207")
    void myOrderCounterRoundTrips(
        @ForAll("myOrderCounters") final MyOrderCounterSpec spec,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll @IntRange(max = 16) final int arrayOffset,
        @ForAll final byte fill)
    {
        roundTrip(spec, offset, arrayOffset, fill);
    }

    @Property(tries = TRIES, seed = "20261207")
    void mySerializeCounterRoundTrips(
        @ForAll("mySerializeCounters") final MySerializeCounterSpec spec,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll @IntRange(max = 16) final int arrayOffset,
        @ForAll final byte fill)
    {
        roundTrip(spec, offset, arrayOffset, fill);
    }

    @Property(tries = TRIES, seed = "20261207")
    void newNodeRoundTrips(
        @ForAll("newNodes") final NewNodeSpec spec,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll @IntRange(max = 16) final int arrayOffset,
        @ForAll final byte fill)
    {
        roundTrip(spec, offset, arrayOffset, fill);
    }

    @Property(tries = TRIES, seed = "20261207")
    void delNodeRoundTrips(
        @ForAll("delNodes") final DelNodeSpec spec,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll @IntRange(max = 16) final int arrayOffset,
        @ForAll final byte fill)
    {
        roundTrip(spec, offset, arrayOffset, fill);
    }

    @Property(tries = TRIES, seed = "20261207")
    void clusterNodesRoundTrips(
        @ForAll("clusterNodes") final ClusterNodesSpec spec,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll @IntRange(max = 16) final int arrayOffset,
        @ForAll final byte fill)
    {
        Statistics.collect("members=" + spec.memberCount());
        roundTrip(spec, offset, arrayOffset, fill);
    }

    @Property(tries = TRIES, seed = "20261207")
    void fetchRoundTrips(
        @ForAll("fetches") final FetchSpec spec,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll @IntRange(max = 16) final int arrayOffset,
        @ForAll final byte fill)
    {
        roundTrip(spec, offset, arrayOffset, fill);
    }

    @Property(tries = TRIES, seed = "20261207")
    void entriesRoundTrip(
        @ForAll("entriesFrames") final EntriesSpec spec,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll @IntRange(max = 16) final int arrayOffset,
        @ForAll final byte fill)
    {
        Statistics.collect(spec.entries().isEmpty() ? "no entries" : spec.entries().size() < 10 ? "1..9" : "10..20");
        roundTrip(spec, offset, arrayOffset, fill);
    }

    /** Frames of mixed types written back to back in one buffer each validate and decode on their own. */
    @Property(tries = 200, seed = "20261207")
    void framesBackToBackDecodeIndependently(
        @ForAll @Size(min = 1, max = 6) final List<@From("anyFrame") Spec> specs,
        @ForAll @IntRange(max = 64) final int start)
    {
        int total = start;
        for (final Spec spec : specs)
        {
            total += spec.length();
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[total]);
        final int[] offsets = new int[specs.size()];
        int at = start;
        for (int i = 0; i < specs.size(); i++)
        {
            offsets[i] = at;
            if (specs.get(i) instanceof EntriesSpec entries)
            {
                // Entries takes a capacity: give it exactly its own room, not the rest of the buffer.
                at += encodeEntries(entries, buffer, at, entries.length());
            }
            else
            {
                at += specs.get(i).encode(buffer, at);
            }
        }
        assertEquals(total, at, "sum of encoded lengths");
        for (int i = 0; i < specs.size(); i++)
        {
            final Spec spec = specs.get(i);
            assertEquals(FrameValidator.VALID, validator.validate(buffer, offsets[i], spec.length()), spec::toString);
            spec.assertDecodes(buffer, offsets[i], spec.length());
        }
    }

    /**
     * {@code appendEntry} accepts an entry exactly when it fits the capacity given to {@code encode}; a refused entry
     * leaves every byte of the buffer, the count and the length as they were; the accepted entries decode.
     */
    @Property(tries = 500, seed = "20261207")
    void appendEntryRefusesWhatDoesNotFitAndWritesNothing(
        @ForAll("headers") final Header header,
        @ForAll @Size(min = 1, max = 20) final List<@From("smallEntries") EntrySpec> entries,
        @ForAll @IntRange(max = 2500) final int roomForEntries,
        @ForAll @IntRange(max = 100) final int offset,
        @ForAll final byte fill)
    {
        final int capacity = EntriesFrame.ENTRIES_OFFSET + roomForEntries;
        // Room past the capacity, so that an overrun shows as changed bytes rather than as an exception.
        final int slack = EntriesFrame.ENTRY_HEADER_LENGTH + 300;
        final byte[] backing = new byte[offset + capacity + slack];
        Arrays.fill(backing, fill);
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);

        final EntriesFrame frame = new EntriesFrame().encode(
            buffer, offset, capacity, header.senderId(), header.clusterId(), header.epoch(), 7, 1);
        final List<EntrySpec> accepted = new ArrayList<>();
        int refused = 0;
        for (final EntrySpec entry : entries)
        {
            final int before = frame.encodedLength();
            final boolean fits = (long)before + entry.encodedLength() <= capacity;
            final byte[] snapshot = backing.clone();
            final boolean appended = entry.appendTo(frame);
            assertEquals(fits, appended, () -> "appendEntry at length " + before + " of capacity " + capacity);
            if (appended)
            {
                accepted.add(entry);
                assertEquals(before + entry.encodedLength(), frame.encodedLength(), "length after append");
            }
            else
            {
                refused++;
                assertArrayEquals(snapshot, backing, "a refused appendEntry must write nothing");
                assertEquals(before, frame.encodedLength(), "length after refusal");
            }
            assertEquals(accepted.size(), frame.count(), "count");
        }
        Statistics.label("refusals").collect(refused > 0 ? "some refused" : "all fit");
        Statistics.label("refusals").coverage(coverage ->
        {
            coverage.check("some refused").percentage(p -> p >= 20.0);
            coverage.check("all fit").percentage(p -> p >= 5.0);
        });

        assertTrue(frame.encodedLength() <= capacity, "frame within capacity");
        for (int i = offset + capacity; i < backing.length; i++)
        {
            assertEquals(fill, backing[i], "byte " + i + " past the capacity was written");
        }
        assertEquals(FrameValidator.VALID, validator.validate(buffer, offset, frame.encodedLength()));
        new EntriesSpec(header, 7, 1, accepted).assertDecodes(buffer, offset, frame.encodedLength());
    }

    /** The exact boundary: an entry that fills the capacity to the byte is accepted, one byte less is refused. */
    @Property(tries = 300, seed = "20261207")
    void appendEntryCapacityBoundaryIsExact(
        @ForAll("smallEntries") final EntrySpec entry,
        @ForAll @IntRange(max = 2) final int deficit)
    {
        final int capacity = EntriesFrame.ENTRIES_OFFSET + entry.encodedLength() - deficit;
        final byte[] backing = new byte[EntriesFrame.ENTRIES_OFFSET + entry.encodedLength() + 8];
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        final EntriesFrame frame = new EntriesFrame().encode(buffer, 0, capacity, 1, 2, 3, 4, 5);
        final byte[] snapshot = backing.clone();
        final boolean appended = entry.appendTo(frame);
        assertEquals(deficit == 0, appended, "capacity " + capacity + ", needed " +
            (EntriesFrame.ENTRIES_OFFSET + entry.encodedLength()));
        if (!appended)
        {
            assertArrayEquals(snapshot, backing, "a refused appendEntry must write nothing");
            assertEquals(0, frame.count());
            assertEquals(EntriesFrame.ENTRIES_OFFSET, frame.encodedLength());
        }
    }

    /** One encoder and one decoder flyweight reused for successive Entries frames (the production pattern). */
    @Property(tries = 200, seed = "20261207")
    void reusedEntriesFlyweightsRoundTrip(
        @ForAll @Size(min = 1, max = 4) final List<@From("entriesFrames") EntriesSpec> specs)
    {
        final EntriesFrame encoder = new EntriesFrame();
        final EntriesFrame decoder = new EntriesFrame();
        int total = 0;
        for (final EntriesSpec spec : specs)
        {
            total += spec.length();
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[total]);
        int at = 0;
        final int[] offsets = new int[specs.size()];
        for (int i = 0; i < specs.size(); i++)
        {
            final EntriesSpec spec = specs.get(i);
            offsets[i] = at;
            final Header h = spec.header();
            assertSame(encoder, encoder.encode(
                buffer, at, spec.length(), h.senderId(), h.clusterId(), h.epoch(), spec.target(),
                spec.firstPosition()));
            for (final EntrySpec entry : spec.entries())
            {
                assertTrue(entry.appendTo(encoder));
            }
            assertEquals(spec.length(), encoder.encodedLength());
            at += encoder.encodedLength();
        }
        for (int i = 0; i < specs.size(); i++)
        {
            final EntriesSpec spec = specs.get(i);
            assertEquals(FrameValidator.VALID, validator.validate(buffer, offsets[i], spec.length()));
            decoder.wrap(buffer, offsets[i], spec.length());
            assertEquals(spec.entries().size(), decoder.count());
            decoder.resetCursor();
            for (int k = 0; k < spec.entries().size(); k++)
            {
                assertTrue(decoder.nextEntry());
                spec.entries().get(k).assertCurrent(decoder, spec.firstPosition() + k);
            }
            assertFalse(decoder.nextEntry());
        }
    }

    /**
     * The transport routes by {@link MessageType#pointToPointTarget}: a {@code Fetch} or an {@code Entries} names
     * its target, every other frame {@link MessageType#NO_TARGET}.
     */
    @Property(tries = TRIES, seed = "20261207")
    void everyFrameIsRoutedByItsOwnTarget(@ForAll("anyFrame") final Spec spec, @ForAll @IntRange(max = 64) final int at)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[at + spec.length()]);
        spec.encode(buffer, at);
        final long expected = spec instanceof FetchSpec fetch ? fetch.target() :
            spec instanceof EntriesSpec entries ? entries.target() : MessageType.NO_TARGET;
        assertEquals(expected, MessageType.pointToPointTarget(buffer, at, spec.length()), spec::toString);
        assertEquals(MessageType.isPointToPoint(spec.type()), expected != MessageType.NO_TARGET);
    }

    /**
     * For each point-to-point type, the target is its field as it is (any int, -1 and {@link Integer#MIN_VALUE}
     * included) once the frame holds it, and {@link MessageType#NO_TARGET} for a frame cut shorter (a header or
     * less included); nothing past the frame's length is read.
     */
    @Property(tries = TRIES, seed = "20261207")
    void pointToPointTargetReadsOnlyWhatTheFrameHolds(
        @ForAll("headers") final Header header,
        @ForAll @IntRange(min = MessageType.FETCH, max = MessageType.SNAPSHOT) final int type,
        @ForAll("targets") final int target,
        @ForAll @IntRange(max = 64) final int at)
    {
        final byte[] backing = new byte[at + SnapshotFrame.DATA_OFFSET];
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        final int length;
        final int targetOffset;
        switch (type)
        {
            case MessageType.FETCH ->
            {
                length = new FetchFrame().encode(buffer, at, header.senderId(), header.clusterId(), header.epoch(),
                    target, 1, 2).encodedLength();
                targetOffset = FetchFrame.TARGET_OFFSET;
            }
            case MessageType.ENTRIES ->
            {
                length = new EntriesFrame().encode(buffer, at, EntriesFrame.ENTRIES_OFFSET, header.senderId(),
                    header.clusterId(), header.epoch(), target, 1).encodedLength();
                targetOffset = EntriesFrame.TARGET_OFFSET;
            }
            default ->
            {
                length = new SnapshotFrame().encode(buffer, at, header.senderId(), header.clusterId(), header.epoch(),
                    target, 0, 0, 0, 0, 0, 0, 0, 0).encodedLength();
                targetOffset = SnapshotFrame.TARGET_OFFSET;
            }
        }
        assertEquals(target, MessageType.pointToPointTarget(buffer, at, length), MessageType.name(type));
        for (int cut = 0; cut < length; cut++)
        {
            final long expected = cut < targetOffset + Integer.BYTES ? MessageType.NO_TARGET : target;
            assertEquals(expected, MessageType.pointToPointTarget(new UnsafeBuffer(backing, 0, at + cut), at, cut),
                MessageType.name(type) + " cut to " + cut);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private void roundTrip(final Spec spec, final int offset, final int arrayOffset, final byte fill)
    {
        final int length = spec.length();
        final int slack = 24;
        final byte[] backing = new byte[arrayOffset + offset + length + slack];
        Arrays.fill(backing, fill);
        final UnsafeBuffer buffer = new UnsafeBuffer(backing, arrayOffset, offset + length + slack);

        assertEquals(length, spec.encode(buffer, offset), "encodedLength");
        for (int i = 0; i < backing.length; i++)
        {
            if (i < arrayOffset + offset || i >= arrayOffset + offset + length)
            {
                assertEquals(fill, backing[i], "the encoder wrote byte " + i + " outside its frame");
            }
        }
        assertEquals(spec.type(), FrameHeader.type(buffer, offset), "type");
        assertEquals(FrameHeader.WIRE_VERSION, FrameHeader.version(buffer, offset), "version");
        assertEquals(FrameHeader.SCHEMA_ID, FrameHeader.schemaId(buffer, offset), "schema id");
        assertEquals('S', buffer.getByte(offset + FrameHeader.SCHEMA_ID_OFFSET), "the schema id's first byte");
        assertEquals('Q', buffer.getByte(offset + FrameHeader.SCHEMA_ID_OFFSET + 1), "the schema id's second byte");
        assertEquals(0, buffer.getShort(offset + FrameHeader.RESERVED_SHORT_OFFSET), "reserved");
        assertEquals(0, buffer.getInt(offset + FrameHeader.CONFIGURATION_OFFSET), "configuration: not said until sent");
        assertEquals(FrameValidator.VALID, validator.validate(buffer, offset, length), "validate");
        spec.assertDecodes(buffer, offset, length);

        // The frame is position independent: its bytes alone, at offset 0 of an exact-size buffer, decode the same.
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        final UnsafeBuffer exact = new UnsafeBuffer(copy);
        assertEquals(FrameValidator.VALID, validator.validate(exact, 0, length), "validate copy");
        spec.assertDecodes(exact, 0, length);
        GeneratedFrames.assertSafelyDecodable(buffer, offset, length, MAX_PAYLOAD);
    }

    private static int encodeEntries(
        final EntriesSpec spec, final UnsafeBuffer buffer, final int offset, final int capacity)
    {
        final Header h = spec.header();
        final EntriesFrame frame = new EntriesFrame().encode(
            buffer, offset, capacity, h.senderId(), h.clusterId(), h.epoch(), spec.target(), spec.firstPosition());
        for (final EntrySpec entry : spec.entries())
        {
            assertTrue(entry.appendTo(frame));
        }
        return frame.encodedLength();
    }

    // ------------------------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Header> headers()
    {
        return GeneratedFrames.headers();
    }

    @Provide
    Arbitrary<NewEventSpec> newEvents()
    {
        return GeneratedFrames.newEvents();
    }

    @Provide
    Arbitrary<MyOrderCounterSpec> myOrderCounters()
    {
        return GeneratedFrames.myOrderCounters();
    }

    @Provide
    Arbitrary<MySerializeCounterSpec> mySerializeCounters()
    {
        return GeneratedFrames.mySerializeCounters();
    }

    @Provide
    Arbitrary<NewNodeSpec> newNodes()
    {
        return GeneratedFrames.newNodes();
    }

    @Provide
    Arbitrary<DelNodeSpec> delNodes()
    {
        return GeneratedFrames.delNodes();
    }

    @Provide
    Arbitrary<ClusterNodesSpec> clusterNodes()
    {
        return GeneratedFrames.clusterNodes();
    }

    @Provide
    Arbitrary<FetchSpec> fetches()
    {
        return GeneratedFrames.fetches();
    }

    @Provide
    Arbitrary<EntriesSpec> entriesFrames()
    {
        return GeneratedFrames.entriesFrames();
    }

    @Provide
    Arbitrary<Spec> anyFrame()
    {
        return GeneratedFrames.anyFrame();
    }

    @Provide
    Arbitrary<Integer> targets()
    {
        return Arbitraries.oneOf(GeneratedFrames.memberIds(), Arbitraries.integers(),
            Arbitraries.of(-1, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Provide
    Arbitrary<EntrySpec> smallEntries()
    {
        return GeneratedFrames.entries(250);
    }
}
