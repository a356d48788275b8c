package io.sequencer.core.codec;

import io.sequencer.core.EntryType;
import io.sequencer.core.codec.GeneratedFrames.ClusterNodesSpec;
import io.sequencer.core.codec.GeneratedFrames.EntriesSpec;
import io.sequencer.core.codec.GeneratedFrames.FetchSpec;
import io.sequencer.core.codec.GeneratedFrames.Header;
import io.sequencer.core.codec.GeneratedFrames.MySerializeCounterSpec;
import io.sequencer.core.codec.GeneratedFrames.NewEventSpec;
import io.sequencer.core.codec.GeneratedFrames.Spec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.sequencer.core.codec.GeneratedFrames.MAX_PAYLOAD;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FrameValidator} rejects every malformed frame with the right {@link DropReason}, never throws for any input,
 * and its {@link FrameValidator#VALID} is a promise that every getter of the matching flyweight (and every entry of
 * an Entries frame) reads inside the frame.
 */
class FrameRejectionProperties
{
    /** The only reasons a structural check may give: the others need node state. */
    private static final Set<DropReason> STRUCTURAL = EnumSet.of(
        DropReason.TRUNCATED, DropReason.UNKNOWN_TYPE, DropReason.BAD_LENGTH, DropReason.BAD_FIELD,
        DropReason.OVERSIZE, DropReason.UNSUPPORTED_VERSION, DropReason.UNKNOWN_SCHEMA);

    private static final int TRUNCATED = DropReason.TRUNCATED.ordinal();
    private static final int BAD_LENGTH = DropReason.BAD_LENGTH.ordinal();
    private static final int BAD_FIELD = DropReason.BAD_FIELD.ordinal();

    private final FrameValidator validator = new FrameValidator(MAX_PAYLOAD);

    // ------------------------------------------------------------------------------------------------------------
    // (a) truncation, (b) trailing bytes, unknown type
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Every strict prefix of a valid frame is rejected: TRUNCATED while the header or the type's fixed part is
     * missing, BAD_LENGTH once a variable body disagrees with the length. Checked both with the rest of the frame
     * still in the buffer after the prefix and with the buffer ending exactly at the prefix.
     */
    @Property(tries = 250, seed = "20261207")
    void everyStrictPrefixIsRejected(
        @ForAll("anyFrame") final Spec spec, @ForAll @IntRange(max = 64) final int offset)
    {
        final int length = spec.length();
        final byte[] backing = new byte[offset + length + 16];
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        assertEquals(length, spec.encode(buffer, offset));
        for (int prefix = 0; prefix < length; prefix++)
        {
            final int expected = expectedPrefixReason(spec.type(), prefix);
            final int inPlace = validator.validate(buffer, offset, prefix);
            final int cut = validator.validate(new UnsafeBuffer(backing, 0, offset + prefix), offset, prefix);
            final String what = MessageType.name(spec.type()) + " of length " + length + " cut to " + prefix;
            assertNotEquals(FrameValidator.VALID, inPlace, what);
            assertEquals(DropReason.get(expected), DropReason.get(inPlace), what);
            assertEquals(DropReason.get(expected), DropReason.get(cut), what + " (buffer ends at the cut)");
        }
        assertEquals(FrameValidator.VALID, validator.validate(buffer, offset, length), "the whole frame");
    }

    /** A valid frame followed by extra bytes counted in its length is BAD_LENGTH. */
    @Property(tries = 500, seed = "20261207")
    void trailingBytesAreRejected(
        @ForAll("anyFrame") final Spec spec,
        @ForAll @Size(min = 1, max = 100) final byte[] extra,
        @ForAll @IntRange(max = 64) final int offset)
    {
        final int length = spec.length();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + length + extra.length]);
        spec.encode(buffer, offset);
        buffer.putBytes(offset + length, extra);
        assertEquals(DropReason.BAD_LENGTH, reason(buffer, offset, length + extra.length), spec::toString);
    }

    /** A type outside 1..8 is UNKNOWN_TYPE whatever follows. */
    @Property(tries = 300, seed = "20261207")
    void implausibleEpochIsBadField(@ForAll("anyFrame") final Spec spec, @ForAll final long epoch)
    {
        final UnsafeBuffer buffer = encode(spec);
        final long implausible = epoch < 0 ? epoch : FrameValidator.MAX_EPOCH + 1 + (epoch % (Long.MAX_VALUE / 2));
        buffer.putLong(FrameHeader.EPOCH_OFFSET, implausible, LITTLE_ENDIAN);
        assertEquals(DropReason.BAD_FIELD, reason(buffer, 0, spec.length()), "epoch " + implausible);
        buffer.putLong(FrameHeader.EPOCH_OFFSET, FrameValidator.MAX_EPOCH, LITTLE_ENDIAN);
        assertEquals(FrameValidator.VALID, new FrameValidator(GeneratedFrames.MAX_PAYLOAD)
            .validate(buffer, 0, spec.length()), "the highest plausible epoch is fine");
    }

    @Property(tries = 300, seed = "20261207")
    void unknownTypeIsRejected(
        @ForAll("anyFrame") final Spec spec, @ForAll("unknownTypes") final int type)
    {
        final UnsafeBuffer buffer = encode(spec);
        buffer.putByte(FrameHeader.TYPE_OFFSET, (byte)type);
        assertEquals(DropReason.UNKNOWN_TYPE, reason(buffer, 0, spec.length()));
    }

    /** A frame of any other wire version, however well-formed in this one's layout, is not read. */
    @Property(tries = 300, seed = "20261207")
    void anotherWireVersionIsRejected(
        @ForAll("anyFrame") final Spec spec, @ForAll @IntRange(max = 255) final int version)
    {
        Assume.that(version != FrameHeader.WIRE_VERSION);
        final UnsafeBuffer buffer = encode(spec);
        assertEquals(FrameValidator.VALID, new FrameValidator(GeneratedFrames.MAX_PAYLOAD)
            .validate(buffer, 0, spec.length()));
        buffer.putByte(FrameHeader.VERSION_OFFSET, (byte)version);
        assertEquals(DropReason.UNSUPPORTED_VERSION, reason(buffer, 0, spec.length()));
    }

    /**
     * A frame of another schema is not read, whatever its version (this one's included) and however well-formed
     * its bytes are in this schema's layout: the schema id is checked before anything else.
     */
    @Property(tries = 300, seed = "20261207")
    void anotherSchemaIsRejectedBeforeItsVersion(
        @ForAll("anyFrame") final Spec spec,
        @ForAll @IntRange(max = 0xFFFF) final int schemaId,
        @ForAll @IntRange(min = FrameHeader.FIRST_SCHEMA_VERSION, max = 255) final int version)
    {
        Assume.that(schemaId != FrameHeader.SCHEMA_ID);
        final UnsafeBuffer buffer = encode(spec);
        buffer.putShort(FrameHeader.SCHEMA_ID_OFFSET, (short)schemaId, LITTLE_ENDIAN);
        assertEquals(DropReason.UNKNOWN_SCHEMA, reason(buffer, 0, spec.length()), "schema " + schemaId);
        buffer.putByte(FrameHeader.VERSION_OFFSET, (byte)version);
        assertEquals(DropReason.UNKNOWN_SCHEMA, reason(buffer, 0, spec.length()),
            "schema " + schemaId + ", version " + version);
    }

    /**
     * A frame as a member of wire version 2 (the layout before the schema id) writes it: {@code {type, version 2,
     * senderId int16, clusterId int32, epoch int64}} in 16 bytes, then the same body. Its bytes 2..3 are its sender id,
     * whatever that is (the schema id's value included): it is counted as another version of this schema, not as a
     * stranger's frame. So is any frame whose version byte names a version before the schema id.
     */
    @Property(tries = 300, seed = "20261207")
    void aFrameOfThePreviousLayoutIsAnotherVersion(
        @ForAll("anyFrame") final Spec spec,
        @ForAll("previousSenders") final short senderId,
        @ForAll @IntRange(max = FrameHeader.FIRST_SCHEMA_VERSION - 1) final int olderVersion)
    {
        final UnsafeBuffer current = encode(spec);
        final int previousHeader = 16;
        final int length = spec.length() - FrameHeader.LENGTH + previousHeader;
        final UnsafeBuffer previous = new UnsafeBuffer(new byte[length]);
        previous.putByte(0, (byte)spec.type());
        previous.putByte(1, (byte)2);
        previous.putShort(2, senderId, LITTLE_ENDIAN);
        previous.putInt(4, spec.header().clusterId(), LITTLE_ENDIAN);
        previous.putLong(8, spec.header().epoch(), LITTLE_ENDIAN);
        previous.putBytes(previousHeader, current, FrameHeader.LENGTH, spec.length() - FrameHeader.LENGTH);
        assertEquals(DropReason.UNSUPPORTED_VERSION, reason(previous, 0, length), "sender " + senderId);

        previous.putByte(FrameHeader.VERSION_OFFSET, (byte)olderVersion);
        assertEquals(DropReason.UNSUPPORTED_VERSION, reason(previous, 0, length), "version " + olderVersion);
    }

    // ------------------------------------------------------------------------------------------------------------
    // (c) arbitrary bytes, (d) mutated frames: never throws; VALID implies safely decodable
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Random bytes, seen through a random window of the array, validated at arbitrary (also negative or
     * out-of-range) offsets and lengths; half the time the offset and length are folded into the window, and
     * sometimes a known type is written at the offset so that the per-type checks run on random bodies.
     */
    @Property(tries = 2000, seed = "20261207")
    void arbitraryBytesNeverThrow(
        @ForAll("randomBytes") final byte[] bytes,
        @ForAll @IntRange(max = 2000) final int windowStart,
        @ForAll @IntRange(max = 2000) final int windowLength,
        @ForAll("offsets") final int rawOffset,
        @ForAll("lengths") final int rawLength,
        @ForAll final boolean foldIntoWindow,
        @ForAll final boolean wholeArray,
        @ForAll("forcedTypes") final int forcedType)
    {
        final byte[] copy = bytes.clone();
        final UnsafeBuffer buffer;
        if (wholeArray)
        {
            buffer = new UnsafeBuffer(copy);
        }
        else
        {
            final int start = Math.floorMod(windowStart, copy.length + 1);
            buffer = new UnsafeBuffer(copy, start, Math.floorMod(windowLength, copy.length - start + 1));
        }
        final int capacity = buffer.capacity();
        final int offset = foldIntoWindow ? Math.floorMod(rawOffset, Math.min(capacity, 100) + 1) : rawOffset;
        final int length = !foldIntoWindow ? rawLength :
            (rawLength & 1) == 0 ? capacity - offset : Math.floorMod(rawLength, capacity - offset + 1);
        if (offset >= 0 && (long)offset + FrameHeader.LENGTH <= capacity)
        {
            // this schema and wire version, so that the type and body checks run (another schema or version is
            // rejected before them)
            identify(buffer, offset);
            if (forcedType != 0)
            {
                buffer.putByte(offset + FrameHeader.TYPE_OFFSET, (byte)forcedType);
            }
        }
        final int result = checkValidatorContract(buffer, offset, length);
        final String outcome = result == FrameValidator.VALID ? "VALID" : DropReason.get(result).name();
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome").coverage(coverage ->
        {
            coverage.check("TRUNCATED").percentage(p -> p >= 10.0);
            coverage.check("UNKNOWN_TYPE").percentage(p -> p >= 5.0);
            coverage.check("BAD_LENGTH").percentage(p -> p >= 10.0);
        });
    }

    /**
     * Random bytes behind a plausible header: a known type, and with some probability the length fields the
     * validator checks first (payload length, exact fixed length, member count, entry walk) set consistently, so
     * that the deeper checks and the VALID branch are exercised with otherwise arbitrary content.
     */
    @Property(tries = 2500, seed = "20261207")
    void randomBodiesBehindPlausibleHeaders(
        @ForAll @IntRange(min = 1, max = 8) final int type,
        @ForAll @IntRange(max = 40) final int offset,
        @ForAll final Random random)
    {
        final int length = plausibleLength(type, random);
        final byte[] backing = new byte[offset + length + random.nextInt(8)];
        random.nextBytes(backing);
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        buffer.putByte(offset + FrameHeader.TYPE_OFFSET, (byte)type);
        identify(buffer, offset);
        plantFields(buffer, offset, length, type, random);

        final int result = checkValidatorContract(buffer, offset, length);
        Statistics.label("outcome").collect(result == FrameValidator.VALID ? "VALID" : "rejected");
        Statistics.label("outcome").coverage(coverage ->
        {
            coverage.check("VALID").percentage(p -> p >= 10.0);
            coverage.check("rejected").percentage(p -> p >= 10.0);
        });
        Statistics.label("valid types").collect(
            result == FrameValidator.VALID ? MessageType.name(type) : "-");
    }

    /** A valid frame with random bytes flipped, ints overwritten with edge values and its length nudged. */
    @Property(tries = 2500, seed = "20261207")
    void mutatedFramesNeverThrowAndValidMeansDecodable(
        @ForAll("anyFrame") final Spec spec,
        @ForAll @IntRange(max = 32) final int offset,
        @ForAll @IntRange(min = 1, max = 6) final int mutations,
        @ForAll final Random random)
    {
        final int slack = 16;
        final byte[] backing = new byte[offset + spec.length() + slack];
        random.nextBytes(backing);
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        spec.encode(buffer, offset);
        int length = spec.length();
        for (int m = 0; m < mutations; m++)
        {
            switch (random.nextInt(4))
            {
                case 0, 1 -> // flip bits of one byte
                {
                    if (length > 0)
                    {
                        final int at = offset + random.nextInt(length);
                        backing[at] ^= (byte)(1 + random.nextInt(255));
                    }
                }
                case 2 -> // an edge value into an int at any (unaligned) position of the frame
                {
                    if (length >= 4)
                    {
                        final int at = offset + random.nextInt(length - 3);
                        buffer.putInt(at, edgeInt(random, length), LITTLE_ENDIAN);
                    }
                }
                default -> // a different length
                    length = Math.max(0, Math.min(spec.length() + slack, length + random.nextInt(17) - 8));
            }
        }
        final int result = checkValidatorContract(buffer, offset, length);
        Statistics.label("outcome").collect(result == FrameValidator.VALID ? "VALID" : "rejected");
        Statistics.label("outcome").coverage(coverage ->
        {
            coverage.check("VALID").percentage(p -> p >= 10.0);
            coverage.check("rejected").percentage(p -> p >= 30.0);
        });
    }

    // ------------------------------------------------------------------------------------------------------------
    // (e) oversize
    // ------------------------------------------------------------------------------------------------------------

    /** A NewEvent payload above the validator's maximum is OVERSIZE; at the maximum it is VALID. */
    @Property(tries = 300, seed = "20261207")
    void oversizeNewEventIsRejected(
        @ForAll("headers") final Header header,
        @ForAll @IntRange(max = 300) final int maxPayload,
        @ForAll @IntRange(min = 1, max = 300) final int excess,
        @ForAll final Random random)
    {
        final FrameValidator limited = new FrameValidator(maxPayload);
        final byte[] payload = new byte[maxPayload + excess];
        random.nextBytes(payload);

        final NewEventSpec over = new NewEventSpec(header, 1, 2, 3, payload, 0);
        final UnsafeBuffer overBuffer = encode(over);
        assertEquals(DropReason.OVERSIZE, DropReason.get(limited.validate(overBuffer, 0, over.length())));

        final NewEventSpec atMax = new NewEventSpec(header, 1, 2, 3, Arrays.copyOf(payload, maxPayload), 0);
        assertEquals(FrameValidator.VALID, limited.validate(encode(atMax), 0, atMax.length()));
    }

    /** An Entries frame holding an entry above the maximum payload is rejected (see the class notes on the reason). */
    @Property(tries = 200, seed = "20261207")
    void oversizeEntryIsRejected(
        @ForAll("entriesFrames") final EntriesSpec spec,
        @ForAll @IntRange(min = 1, max = 100) final int excess)
    {
        final int largest = spec.entries().stream().mapToInt(e -> e.payload().length).max().orElse(-1);
        Assume.that(largest >= 1);
        final FrameValidator limited = new FrameValidator(Math.max(0, largest - excess));
        final int result = limited.validate(encode(spec), 0, spec.length());
        assertNotEquals(FrameValidator.VALID, result);
        // The validator reports BAD_LENGTH here (NewEvent gets OVERSIZE): accept either, the frame is dropped.
        assertTrue(Set.of(DropReason.BAD_LENGTH, DropReason.OVERSIZE).contains(DropReason.get(result)),
            () -> DropReason.get(result).name());
    }

    @Property(tries = 50, seed = "20261207")
    void negativeMaximumPayloadIsRefused(@ForAll @IntRange(min = Integer.MIN_VALUE, max = -1) final int max)
    {
        assertThrows(IllegalArgumentException.class, () -> new FrameValidator(max));
    }

    // ------------------------------------------------------------------------------------------------------------
    // (f) fields outside their domain
    // ------------------------------------------------------------------------------------------------------------

    @Property(tries = 200, seed = "20261207")
    void clusterNodesWithBadMemberCountIsBadField(
        @ForAll("clusterNodes") final ClusterNodesSpec spec, @ForAll("badMemberCounts") final int count)
    {
        final UnsafeBuffer buffer = encode(spec);
        buffer.putInt(ClusterNodesFrame.MEMBER_COUNT_OFFSET, count, LITTLE_ENDIAN);
        assertEquals(DropReason.BAD_FIELD, reason(buffer, 0, spec.length()), "memberCount " + count);
    }

    @Property(tries = 200, seed = "20261207")
    void clusterNodesEncodedWithBadMemberCountIsBadField(
        @ForAll("clusterNodes") final ClusterNodesSpec spec, @ForAll("zeroOrFour") final int count)
    {
        // Through the encoder itself: count 0 writes no ids, count 4 writes three and claims four.
        final int[] ids = {10, 20, 30};
        final ClusterNodesSpec bad = new ClusterNodesSpec(
            spec.header(), spec.newEpoch(), spec.n(), spec.chkAtN(), ids, count, spec.activeMask(), 10);
        assertEquals(DropReason.BAD_FIELD, reason(encode(bad), 0, bad.length()));
    }

    @Property(tries = 200, seed = "20261207")
    void clusterNodesWithDuplicateIdsIsBadField(
        @ForAll("clusterNodes") final ClusterNodesSpec spec, @ForAll final Random random)
    {
        Assume.that(spec.memberCount() >= 2);
        final int to = 1 + random.nextInt(spec.memberCount() - 1);
        final int from = random.nextInt(to);
        final int[] ids = spec.memberIds().clone();
        ids[to] = ids[from];
        // The base owner stays a member, so that only the duplicate is wrong.
        final ClusterNodesSpec bad = new ClusterNodesSpec(
            spec.header(), spec.newEpoch(), spec.n(), spec.chkAtN(), ids, spec.memberCount(), spec.activeMask(),
            ids[from]);
        assertEquals(DropReason.BAD_FIELD, reason(encode(bad), 0, bad.length()), Arrays.toString(ids));
    }

    @Property(tries = 300, seed = "20261207")
    void clusterNodesWithActiveMaskOutOfRangeIsBadField(
        @ForAll("clusterNodes") final ClusterNodesSpec spec, @ForAll("masks") final int mask)
    {
        final int allowed = (1 << spec.memberCount()) - 1;
        Assume.that(mask == 0 || (mask & ~allowed) != 0);
        final ClusterNodesSpec bad = new ClusterNodesSpec(
            spec.header(), spec.newEpoch(), spec.n(), spec.chkAtN(), spec.memberIds(), spec.memberCount(), mask,
            spec.baseOwner());
        assertEquals(DropReason.BAD_FIELD, reason(encode(bad), 0, bad.length()),
            "mask " + mask + " over " + spec.memberCount() + " members");
    }

    @Property(tries = 200, seed = "20261207")
    void clusterNodesWithUsedUnusedSlotIsBadField(
        @ForAll("clusterNodes") final ClusterNodesSpec spec,
        @ForAll final short value,
        @ForAll final Random random)
    {
        Assume.that(spec.memberCount() < ClusterNodesFrame.MAX_MEMBERS && value != -1);
        final int slot = spec.memberCount() + random.nextInt(ClusterNodesFrame.MAX_MEMBERS - spec.memberCount());
        final UnsafeBuffer buffer = encode(spec);
        buffer.putShort(ClusterNodesFrame.MEMBER_IDS_OFFSET + 2 * slot, value, LITTLE_ENDIAN);
        assertEquals(DropReason.BAD_FIELD, reason(buffer, 0, spec.length()), "slot " + slot + " = " + value);
    }

    @Property(tries = 200, seed = "20261207")
    void clusterNodesWithMemberIdOutOfRangeIsBadField(
        @ForAll("clusterNodes") final ClusterNodesSpec spec,
        @ForAll("outOfRangeMemberIds") final short id,
        @ForAll final Random random)
    {
        final int slot = random.nextInt(spec.memberCount());
        final UnsafeBuffer buffer = encode(spec);
        buffer.putShort(ClusterNodesFrame.MEMBER_IDS_OFFSET + 2 * slot, id, LITTLE_ENDIAN);
        // The base owner follows the id, so that only the range is wrong.
        buffer.putShort(ClusterNodesFrame.BASE_OWNER_OFFSET, id, LITTLE_ENDIAN);
        assertEquals(DropReason.BAD_FIELD, reason(buffer, 0, spec.length()), "slot " + slot + " = " + id);
    }

    /** The base owner must be one of the first memberCount ids (an unused slot's -1 included). */
    @Property(tries = 300, seed = "20261207")
    void clusterNodesWithBaseOwnerOutsideTheMembersIsBadField(
        @ForAll("clusterNodes") final ClusterNodesSpec spec, @ForAll("baseOwners") final short baseOwner)
    {
        for (int i = 0; i < spec.memberCount(); i++)
        {
            Assume.that(spec.memberIds()[i] != baseOwner);
        }
        final UnsafeBuffer buffer = encode(spec);
        buffer.putShort(ClusterNodesFrame.BASE_OWNER_OFFSET, baseOwner, LITTLE_ENDIAN);
        assertEquals(DropReason.BAD_FIELD, reason(buffer, 0, spec.length()), spec + " with baseOwner " + baseOwner);
    }

    @Property(tries = 200, seed = "20261207")
    void clusterNodesWithNonPositiveEpochOrNegativeNIsBadField(
        @ForAll("clusterNodes") final ClusterNodesSpec spec,
        @ForAll("nonPositive") final long value,
        @ForAll final boolean epochNotN)
    {
        final long newEpoch = epochNotN ? value : spec.newEpoch();
        final long n = epochNotN ? spec.n() : Math.min(value, -1);
        final ClusterNodesSpec bad = new ClusterNodesSpec(
            spec.header(), newEpoch, n, spec.chkAtN(), spec.memberIds(), spec.memberCount(), spec.activeMask(),
            spec.baseOwner());
        assertEquals(DropReason.BAD_FIELD, reason(encode(bad), 0, bad.length()), bad::toString);
    }

    @Property(tries = 300, seed = "20261207")
    void mySerializeCounterWithUnknownFlagsIsBadField(
        @ForAll("mySerializeCounters") final MySerializeCounterSpec spec, @ForAll("unknownFlags") final int flags)
    {
        final UnsafeBuffer buffer = encode(spec);
        buffer.putInt(MySerializeCounterFrame.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        assertEquals(DropReason.BAD_FIELD, reason(buffer, 0, spec.length()), "flags " + Integer.toHexString(flags));
    }

    @Property(tries = 200, seed = "20261207")
    void mySerializeCounterWithNegativeHaveOrGuaranteedIsBadField(
        @ForAll("mySerializeCounters") final MySerializeCounterSpec spec,
        @ForAll @LongRange(min = Long.MIN_VALUE, max = -1) final long negative,
        @ForAll final boolean haveNotGuaranteed)
    {
        final UnsafeBuffer buffer = encode(spec);
        buffer.putLong(haveNotGuaranteed ? MySerializeCounterFrame.HAVE_OFFSET :
            MySerializeCounterFrame.GUARANTEED_OFFSET, negative, LITTLE_ENDIAN);
        assertEquals(DropReason.BAD_FIELD, reason(buffer, 0, spec.length()));
    }

    @Property(tries = 200, seed = "20261207")
    void anEmptyLogReportedWithAChecksumOtherThanTheSeedIsBadField(
        @ForAll("mySerializeCounters") final MySerializeCounterSpec spec, @ForAll final long chk)
    {
        Assume.that(chk != io.sequencer.core.Checksum.EMPTY);
        final UnsafeBuffer buffer = encode(spec);
        buffer.putLong(MySerializeCounterFrame.HAVE_OFFSET, 0, LITTLE_ENDIAN);
        buffer.putLong(MySerializeCounterFrame.GUARANTEED_OFFSET, 0, LITTLE_ENDIAN);
        buffer.putLong(MySerializeCounterFrame.CHK_AT_HAVE_OFFSET, chk, LITTLE_ENDIAN);
        assertEquals(DropReason.BAD_FIELD, reason(buffer, 0, spec.length()), "chk " + chk);
    }

    @Property(tries = 200, seed = "20261207")
    void fetchFromBelowOneIsBadField(
        @ForAll("fetches") final FetchSpec spec, @ForAll("nonPositive") final long from)
    {
        final FetchSpec bad = new FetchSpec(spec.header(), spec.target(), from, spec.to());
        assertEquals(DropReason.BAD_FIELD, reason(encode(bad), 0, bad.length()), bad::toString);
    }

    @Property(tries = 200, seed = "20261207")
    void fetchToBelowFromIsBadField(
        @ForAll("fetches") final FetchSpec spec, @ForAll @LongRange(min = 1) final long gap)
    {
        Assume.that(spec.from() > 1);
        final long to = spec.from() - 1 - (gap % spec.from());
        final FetchSpec bad = new FetchSpec(spec.header(), spec.target(), spec.from(), to);
        assertEquals(DropReason.BAD_FIELD, reason(encode(bad), 0, bad.length()), bad::toString);
    }

    /** Entries with a negative count, a position below 1 or past Long.MAX_VALUE, or an unknown entry type. */
    @Property(tries = 300, seed = "20261207")
    void entriesWithFieldsOutOfDomainAreRejected(
        @ForAll("entriesFrames") final EntriesSpec spec,
        @ForAll @IntRange(max = 3) final int which,
        @ForAll final Random random)
    {
        final UnsafeBuffer buffer = encode(spec);
        final int count = spec.entries().size();
        switch (which)
        {
            case 0 -> buffer.putInt(EntriesFrame.COUNT_OFFSET, -1 - random.nextInt(Integer.MAX_VALUE), LITTLE_ENDIAN);
            case 1 -> buffer.putLong(EntriesFrame.FIRST_POSITION_OFFSET,
                random.nextBoolean() ? 0 : Long.MIN_VALUE + random.nextInt(1000), LITTLE_ENDIAN);
            case 2 -> buffer.putLong(EntriesFrame.FIRST_POSITION_OFFSET,
                Long.MAX_VALUE - count + 1 + random.nextInt(count + 1), LITTLE_ENDIAN);
            default ->
            {
                Assume.that(count > 0);
                int at = EntriesFrame.ENTRIES_OFFSET;
                final int victim = random.nextInt(count);
                for (int i = 0; i < victim; i++)
                {
                    at += spec.entries().get(i).encodedLength();
                }
                short type;
                do
                {
                    type = (short)random.nextInt();
                }
                while (EntryType.isValid(type));
                buffer.putShort(at + EntriesFrame.ENTRY_TYPE_OFFSET, type, LITTLE_ENDIAN);
            }
        }
        final int result = validator.validate(buffer, 0, spec.length());
        assertNotEquals(FrameValidator.VALID, result, "case " + which);
        // BAD_LENGTH is what the validator gives for every Entries failure (DropReason documents positions under
        // BAD_FIELD): either is accepted here, the point is the frame is dropped.
        assertTrue(Set.of(DropReason.BAD_LENGTH, DropReason.BAD_FIELD).contains(DropReason.get(result)),
            () -> DropReason.get(result).name());
        Statistics.collect("case " + which);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The validator contract, and helpers
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Validate and check: no exception; the result is VALID or a structural {@link DropReason}; out-of-range
     * offset/length is TRUNCATED; validation neither changes the buffer nor depends on earlier calls; VALID implies
     * every getter decodes inside the frame. Failures name the input.
     */
    private int checkValidatorContract(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] before = new byte[buffer.capacity()];
        buffer.getBytes(0, before);
        int result = Integer.MIN_VALUE;
        try
        {
            result = validator.validate(buffer, offset, length);
            final boolean outOfRange = length < FrameHeader.LENGTH || offset < 0 ||
                (long)offset + length > buffer.capacity();
            if (outOfRange)
            {
                assertEquals(TRUNCATED, result, "out-of-range offset/length must be TRUNCATED");
            }
            if (result != FrameValidator.VALID)
            {
                assertTrue(result >= 0 && result < DropReason.values().length, "not a DropReason ordinal: " + result);
                assertTrue(STRUCTURAL.contains(DropReason.get(result)), "not structural: " + DropReason.get(result));
            }
            assertEquals(result, new FrameValidator(MAX_PAYLOAD).validate(buffer, offset, length),
                "a fresh validator agrees");
            assertEquals(result, validator.validate(buffer, offset, length), "validate is repeatable");
            final byte[] after = new byte[buffer.capacity()];
            buffer.getBytes(0, after);
            assertArrayEquals(before, after, "validate must not write to the buffer");
            if (result == FrameValidator.VALID)
            {
                GeneratedFrames.assertSafelyDecodable(buffer, offset, length, MAX_PAYLOAD);
            }
            return result;
        }
        catch (final Throwable t)
        {
            throw new AssertionError(
                "offset=" + offset + " length=" + length + " capacity=" + buffer.capacity() + " result=" +
                (result == Integer.MIN_VALUE ? "threw" : result == FrameValidator.VALID ? "VALID" :
                    String.valueOf(result)) + " frame bytes=" + frameHex(buffer, offset, length), t);
        }
    }

    private static String frameHex(final DirectBuffer buffer, final int offset, final int length)
    {
        final int from = Math.max(0, Math.min(offset, buffer.capacity()));
        final int to = (int)Math.max(from, Math.min((long)offset + Math.max(length, 0), buffer.capacity()));
        final byte[] bytes = new byte[Math.min(to - from, 4096)];
        buffer.getBytes(from, bytes);
        return "[" + from + ".." + to + ") " + HexFormat.of().formatHex(bytes);
    }

    private static int expectedPrefixReason(final int type, final int prefix)
    {
        if (prefix < FrameHeader.LENGTH)
        {
            return TRUNCATED;
        }
        return switch (type)
        {
            case MessageType.NEW_EVENT -> prefix < NewEventFrame.PAYLOAD_OFFSET ? TRUNCATED : BAD_LENGTH;
            case MessageType.ENTRIES -> prefix < EntriesFrame.ENTRIES_OFFSET ? TRUNCATED : BAD_LENGTH;
            default -> TRUNCATED;
        };
    }

    /** Write this schema's id and wire version at {@code offset}: the rest of the header is left as it is. */
    private static void identify(final UnsafeBuffer buffer, final int offset)
    {
        buffer.putByte(offset + FrameHeader.VERSION_OFFSET, (byte)FrameHeader.WIRE_VERSION);
        buffer.putShort(offset + FrameHeader.SCHEMA_ID_OFFSET, (short)FrameHeader.SCHEMA_ID, LITTLE_ENDIAN);
    }

    private DropReason reason(final DirectBuffer buffer, final int offset, final int length)
    {
        final int result = validator.validate(buffer, offset, length);
        assertNotEquals(FrameValidator.VALID, result, "expected a rejection");
        return DropReason.get(result);
    }

    private static UnsafeBuffer encode(final Spec spec)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[spec.length()]);
        assertEquals(spec.length(), spec.encode(buffer, 0));
        return buffer;
    }

    private static int edgeInt(final Random random, final int length)
    {
        final int[] edges = {
            0, 1, -1, 2, 3, 4, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 47, length,
            length - NewEventFrame.PAYLOAD_OFFSET, length - EntriesFrame.ENTRIES_OFFSET,
            length - EntriesFrame.ENTRIES_OFFSET - EntriesFrame.ENTRY_HEADER_LENGTH, MAX_PAYLOAD, MAX_PAYLOAD + 1,
            EntriesFrame.ENTRY_HEADER_LENGTH, -EntriesFrame.ENTRY_HEADER_LENGTH};
        return random.nextInt(4) == 0 ? random.nextInt() : edges[random.nextInt(edges.length)];
    }

    /** A length for a frame of {@code type}: usually the one its layout needs, sometimes close to it. */
    private static int plausibleLength(final int type, final Random random)
    {
        final int base = switch (type)
        {
            case MessageType.NEW_EVENT -> NewEventFrame.PAYLOAD_OFFSET + random.nextInt(MAX_PAYLOAD + 40);
            case MessageType.MY_ORDER_COUNTER -> MyOrderCounterFrame.LENGTH;
            case MessageType.MY_SERIALIZE_COUNTER -> MySerializeCounterFrame.LENGTH;
            case MessageType.NEW_NODE -> NewNodeFrame.LENGTH;
            case MessageType.DEL_NODE -> DelNodeFrame.LENGTH;
            case MessageType.CLUSTER_NODES -> ClusterNodesFrame.LENGTH;
            case MessageType.FETCH -> FetchFrame.LENGTH;
            default -> EntriesFrame.ENTRIES_OFFSET + random.nextInt(4 * (EntriesFrame.ENTRY_HEADER_LENGTH + 40));
        };
        return random.nextInt(5) == 0 ? Math.max(0, base + random.nextInt(9) - 4) : base;
    }

    /** With some probability each, make the fields the validator checks consistent with {@code length}. */
    private static void plantFields(
        final UnsafeBuffer buffer, final int offset, final int length, final int type, final Random random)
    {
        if (random.nextInt(4) == 0 || length < FrameHeader.LENGTH)
        {
            return; // leave the body entirely random
        }
        switch (type)
        {
            case MessageType.NEW_EVENT ->
            {
                if (length >= NewEventFrame.PAYLOAD_OFFSET)
                {
                    buffer.putInt(offset + NewEventFrame.PAYLOAD_LENGTH_OFFSET,
                        length - NewEventFrame.PAYLOAD_OFFSET, LITTLE_ENDIAN);
                }
            }
            case MessageType.MY_SERIALIZE_COUNTER ->
            {
                if (length >= MySerializeCounterFrame.LENGTH)
                {
                    buffer.putInt(offset + MySerializeCounterFrame.FLAGS_OFFSET, random.nextInt(2), LITTLE_ENDIAN);
                    buffer.putLong(offset + MySerializeCounterFrame.HAVE_OFFSET,
                        random.nextLong() & Long.MAX_VALUE, LITTLE_ENDIAN);
                    buffer.putLong(offset + MySerializeCounterFrame.GUARANTEED_OFFSET,
                        random.nextLong() & Long.MAX_VALUE, LITTLE_ENDIAN);
                }
            }
            case MessageType.CLUSTER_NODES ->
            {
                if (length >= ClusterNodesFrame.LENGTH)
                {
                    final int count = 1 + random.nextInt(3);
                    buffer.putInt(offset + ClusterNodesFrame.MEMBER_COUNT_OFFSET, count, LITTLE_ENDIAN);
                    buffer.putInt(offset + ClusterNodesFrame.ACTIVE_MASK_OFFSET,
                        1 + random.nextInt((1 << count) - 1), LITTLE_ENDIAN);
                    final List<Integer> ids = distinctMemberIds(random);
                    for (int i = 0; i < ClusterNodesFrame.MAX_MEMBERS; i++)
                    {
                        buffer.putShort(offset + ClusterNodesFrame.MEMBER_IDS_OFFSET + 2 * i,
                            (short)(i < count ? ids.get(i) : -1), LITTLE_ENDIAN);
                    }
                    buffer.putShort(offset + ClusterNodesFrame.BASE_OWNER_OFFSET,
                        (short)(int)ids.get(random.nextInt(count)), LITTLE_ENDIAN);
                    buffer.putLong(offset + ClusterNodesFrame.NEW_EPOCH_OFFSET,
                        1 + (random.nextLong() & (Long.MAX_VALUE >> 1)), LITTLE_ENDIAN);
                    buffer.putLong(offset + ClusterNodesFrame.N_OFFSET, random.nextLong() & Long.MAX_VALUE,
                        LITTLE_ENDIAN);
                }
            }
            case MessageType.FETCH ->
            {
                if (length >= FetchFrame.LENGTH)
                {
                    final long from = 1 + random.nextInt(1000);
                    buffer.putLong(offset + FetchFrame.FROM_OFFSET, from, LITTLE_ENDIAN);
                    buffer.putLong(offset + FetchFrame.TO_OFFSET, from + random.nextInt(1000), LITTLE_ENDIAN);
                }
            }
            case MessageType.ENTRIES ->
            {
                if (length >= EntriesFrame.ENTRIES_OFFSET)
                {
                    buffer.putLong(offset + EntriesFrame.FIRST_POSITION_OFFSET, 1 + random.nextInt(1_000_000),
                        LITTLE_ENDIAN);
                    // Walk the body cutting it into entries of random payload lengths, as far as it goes.
                    int at = EntriesFrame.ENTRIES_OFFSET;
                    int count = 0;
                    while (length - at >= EntriesFrame.ENTRY_HEADER_LENGTH)
                    {
                        final int room = length - at - EntriesFrame.ENTRY_HEADER_LENGTH;
                        final int payload = random.nextInt(3) == 0 ? room : random.nextInt(Math.min(room, 60) + 1);
                        buffer.putInt(offset + at + EntriesFrame.ENTRY_PAYLOAD_LENGTH_OFFSET, payload, LITTLE_ENDIAN);
                        buffer.putShort(offset + at + EntriesFrame.ENTRY_TYPE_OFFSET,
                            (short)(1 + random.nextInt(2)), LITTLE_ENDIAN);
                        at += EntriesFrame.ENTRY_HEADER_LENGTH + payload;
                        count++;
                    }
                    buffer.putInt(offset + EntriesFrame.COUNT_OFFSET, count + (random.nextInt(8) == 0 ? 1 : 0),
                        LITTLE_ENDIAN);
                }
            }
            default ->
            {
                // MyOrderCounter, NewNode, DelNode: only the length is checked.
            }
        }
    }

    private static List<Integer> distinctMemberIds(final Random random)
    {
        final List<Integer> all = new ArrayList<>();
        for (int i = 0; i <= ClusterNodesFrame.MAX_MEMBER_ID; i++)
        {
            all.add(i);
        }
        Collections.shuffle(all, random);
        return all.subList(0, ClusterNodesFrame.MAX_MEMBERS);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Providers
    // ------------------------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Spec> anyFrame()
    {
        return GeneratedFrames.anyFrame();
    }

    @Provide
    Arbitrary<Header> headers()
    {
        return GeneratedFrames.headers();
    }

    @Provide
    Arbitrary<ClusterNodesSpec> clusterNodes()
    {
        return GeneratedFrames.clusterNodes();
    }

    @Provide
    Arbitrary<MySerializeCounterSpec> mySerializeCounters()
    {
        return GeneratedFrames.mySerializeCounters();
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

    /** 0..2000 bytes, sizes spread uniformly (the default distribution favours small arrays). */
    @Provide
    Arbitrary<byte[]> randomBytes()
    {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(2000)
            .withSizeDistribution(RandomDistribution.uniform());
    }

    /** 0: leave the random type field alone; 1..8: write that type at the offset. */
    @Provide
    Arbitrary<Integer> forcedTypes()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.just(0)),
            Tuple.of(1, Arbitraries.integers().between(MessageType.NEW_EVENT, MessageType.ENTRIES)));
    }

    @Provide
    Arbitrary<Integer> offsets()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.integers().between(-20, 2100)),
            Tuple.of(1, Arbitraries.integers()));
    }

    @Provide
    Arbitrary<Integer> lengths()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.integers().between(-20, 2100)),
            Tuple.of(1, Arbitraries.integers()),
            Tuple.of(1, Arbitraries.of(Integer.MAX_VALUE, Integer.MIN_VALUE, 2001, 4000)));
    }

    /** Sender ids as a member of version 2 wrote them at bytes 2..3: members, anything, and the schema id's value. */
    @Provide
    Arbitrary<Short> previousSenders()
    {
        return Arbitraries.oneOf(Arbitraries.shorts().between((short)0, (short)ClusterNodesFrame.MAX_MEMBER_ID),
            Arbitraries.shorts(), Arbitraries.just((short)FrameHeader.SCHEMA_ID));
    }

    @Provide
    Arbitrary<Integer> unknownTypes()
    {
        return Arbitraries.integers().between(0, 255).filter(t -> !MessageType.isValid(t));
    }

    @Provide
    Arbitrary<Integer> badMemberCounts()
    {
        return Arbitraries.oneOf(
            Arbitraries.of(0, 4, -1, Integer.MIN_VALUE, Integer.MAX_VALUE),
            Arbitraries.integers().filter(c -> c < 1 || c > ClusterNodesFrame.MAX_MEMBERS));
    }

    @Provide
    Arbitrary<Integer> zeroOrFour()
    {
        return Arbitraries.of(0, 4);
    }

    @Provide
    Arbitrary<Integer> masks()
    {
        return Arbitraries.oneOf(
            Arbitraries.of(0, 8, 4, 2, -1, Integer.MIN_VALUE, 15),
            Arbitraries.integers());
    }

    @Provide
    Arbitrary<Short> outOfRangeMemberIds()
    {
        return Arbitraries.oneOf(
            Arbitraries.shorts().between(Short.MIN_VALUE, (short)-1),
            Arbitraries.shorts().between((short)(ClusterNodesFrame.MAX_MEMBER_ID + 1), Short.MAX_VALUE));
    }

    @Provide
    Arbitrary<Short> baseOwners()
    {
        return Arbitraries.oneOf(
            Arbitraries.of((short)-1, (short)0, (short)255, (short)256, Short.MIN_VALUE, Short.MAX_VALUE),
            Arbitraries.shorts().between((short)0, (short)ClusterNodesFrame.MAX_MEMBER_ID),
            Arbitraries.shorts());
    }

    @Provide
    Arbitrary<Long> nonPositive()
    {
        return Arbitraries.longs().lessOrEqual(0);
    }

    @Provide
    Arbitrary<Integer> unknownFlags()
    {
        return Arbitraries.integers().filter(f -> (f & ~MySerializeCounterFrame.KNOWN_FLAGS) != 0);
    }
}
