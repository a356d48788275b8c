package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link EventLog} keeps, with {@link InMemoryEventLog}'s semantics as the reference: append,
 * read and replay; {@code unrollTo} at every boundary (the first entry, the edges of the implementation's cycles or
 * segments, the last entry) and its floor; checksum failures found when the log is opened; reopening after close;
 * {@code lastEpochStartPosition} across unrolls; {@code forcedPosition}.
 * <p>
 * Published in sequencer-core's test-jar: an implementation's test extends it and says how to make, reopen and
 * damage its log.
 */
public abstract class EventLogContract
{
    private final List<EventLog> opened = new ArrayList<>();

    /** @return a new, empty log. */
    protected abstract EventLog newLog();

    /**
     * Close {@code log} and open it again from its medium, running the recovery an open runs. A log without a
     * medium may recover and return the same instance.
     */
    protected abstract EventLog reopen(EventLog log);

    /**
     * Damage the stored bytes of the entry at {@code position} so that its checksum fails, then reopen the log.
     */
    protected abstract EventLog damageAndReopen(EventLog log, long position);

    /** @return the entries per cycle, file or segment of the implementation: the edges the unroll tests aim at. */
    protected abstract int cycleLength();

    @AfterEach
    void closeLogs()
    {
        for (final EventLog log : opened)
        {
            log.close();
        }
        opened.clear();
    }

    /** Record an entry as the test appended it, to compare with what the log reads back. */
    public record Appended(int type, long epoch, long counter, int originId, long incarnation, long localSeq,
        byte[] payload, long chk)
    {
    }

    @Test
    void emptyLogHasNothing()
    {
        final EventLog log = track(newLog());
        final LogEntry entry = new LogEntry();

        assertEquals(0, log.have());
        assertEquals(Checksum.EMPTY, log.chkAt(0));
        assertFalse(log.read(1, entry));
        assertFalse(log.read(0, entry));
        assertEquals(0, log.lastEpochStartPosition());
        assertEquals(0, log.forcedPosition());
        assertFalse(log.damagedAtOpen());
        assertThrows(IllegalArgumentException.class, () -> log.chkAt(1));
        assertThrows(IllegalArgumentException.class, () -> log.chkAt(-1));
    }

    @Test
    void appendTellsTheEntryWhereItWent()
    {
        final EventLog log = track(newLog());
        final LogEntry entry = new LogEntry().header(EntryType.EVENT, 1, 1, 1, 1, 1, 7_001)
            .payload(new UnsafeBuffer(new byte[]{5, 6}), 1, 1);
        final long position = log.append(entry);
        assertEquals(1, position);
        assertEquals(position, entry.position());
        assertEquals(log.chkAt(position), entry.chk());
        assertEquals(entry.expectedChk(Checksum.EMPTY), entry.chk(), "the chain over the header and payload given");
    }

    @Test
    void appendsAtDensePositionsAndReadsBackEveryField()
    {
        final EventLog log = track(newLog());
        final List<Appended> appended = appendMany(log, 3 * cycleLength() + 3, 1);

        assertEquals(appended.size(), log.have());
        assertMatches(log, appended, appended.size());
    }

    @Test
    void anEntryAppendedWithItsChainedChecksumReadsBackAsAnyOther()
    {
        final EventLog log = track(newLog());
        final List<Appended> appended = new ArrayList<>(appendMany(log, cycleLength() + 2, 5));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < cycleLength() + 2; i++) // across a cycle boundary, as a catch-up's appends are
        {
            final long position = log.have() + 1;
            final byte[] payload = payloadBytes(position * 17, 1 + i % 40);
            buffer.putBytes(0, payload);
            final long chk = Checksum.chain(log.chkAt(log.have()), EntryType.EVENT, 3, position, 2, 7, i + 1,
                position * 5, buffer, 0, payload.length);
            assertEquals(position,
                log.appendChained(new LogEntry().header(EntryType.EVENT, 3, position, 2, 7, i + 1, position * 5)
                        .payload(buffer, 0, payload.length), chk));
            assertEquals(chk, log.chkAt(position));
            appended.add(new Appended(EntryType.EVENT, 3, position, 2, 7, i + 1, payload, chk));
        }

        assertMatches(log, appended, appended.size());
        final EventLog reopened = track(reopen(log));
        assertMatches(reopened, appended, appended.size()); // the chain verifies at open, across the boundary
    }

    @Test
    void readsByPositionInAnyOrder()
    {
        final EventLog log = track(newLog());
        final List<Appended> appended = appendMany(log, 4 * cycleLength() + 1, 2);
        final SplittableRandom random = new SplittableRandom(7);
        final LogEntry entry = new LogEntry();

        for (int i = 0; i < 200; i++)
        {
            final long position = 1 + random.nextInt(appended.size());
            assertTrue(log.read(position, entry));
            assertEntry(appended.get((int)position - 1), position, entry);
            assertEquals(appended.get((int)position - 1).chk(), log.chkAt(position));
        }
    }

    @Test
    void replayChainsFromTheEmptyChecksum()
    {
        final EventLog log = track(newLog());
        appendMany(log, 2 * cycleLength() + 5, 3);
        final LogEntry entry = new LogEntry();

        long previous = Checksum.EMPTY;
        for (long p = 1; p <= log.have(); p++)
        {
            assertTrue(log.read(p, entry));
            assertEquals(p, entry.position());
            assertEquals(entry.expectedChk(previous), entry.chk(), "chain broken at " + p);
            previous = entry.chk();
        }
        assertEquals(previous, log.chkAt(log.have()));
    }

    @Test
    void readOutsideTheLogLeavesTheEntryUntouched()
    {
        final EventLog log = track(newLog());
        appendMany(log, 3, 4);
        final LogEntry entry = new LogEntry();
        assertTrue(log.read(2, entry));

        assertFalse(log.read(4, entry));
        assertFalse(log.read(-1, entry));
        assertEquals(2, entry.position());
    }

    @Test
    void payloadsFromHeapAndDirectBuffersAtAnOffset()
    {
        final EventLog log = track(newLog());
        final byte[] bytes = payloadBytes(5, 37);
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[64]);
        heap.putBytes(11, bytes);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        direct.putBytes(3, bytes);

        log.append(new LogEntry().header(EntryType.EVENT, 1, 1, 1, 1, 1, 7_000 + 1).payload(heap, 11, bytes.length));
        log.append(new LogEntry().header(EntryType.EVENT, 1, 2, 1, 1, 2, 7_000 + 2).payload(direct, 3, bytes.length));
        log.append(new LogEntry().header(EntryType.EVENT, 1, 3, 1, 1, 3, 7_000 + 3).payload(heap, 0, 0));

        final LogEntry entry = new LogEntry();
        for (long p = 1; p <= 2; p++)
        {
            assertTrue(log.read(p, entry));
            assertArrayEquals(bytes, payloadOf(entry), "payload at " + p);
        }
        assertTrue(log.read(3, entry));
        assertEquals(0, entry.payloadLength());
    }

    @Test
    void unrollAtEveryBoundaryThenAppendAndReopen()
    {
        final int k = cycleLength();
        final int size = 3 * k + 3;
        final long[] targets = {0, 1, 2, k - 1, k, k + 1, 2L * k - 1, 2L * k, 2L * k + 1, 3L * k, size - 1, size};
        for (final long target : targets)
        {
            EventLog log = track(newLog());
            final List<Appended> appended = appendMany(log, size, 10 + (int)target);

            log.unrollTo(target, 0);
            assertEquals(target, log.have(), "have after unrollTo(" + target + ")");
            assertEquals(target == 0 ? Checksum.EMPTY : appended.get((int)target - 1).chk(), log.chkAt(target));
            assertFalse(log.read(target + 1, new LogEntry()), "entry above the cut at " + target);
            assertMatches(log, appended, target);

            final List<Appended> expected = new ArrayList<>(appended.subList(0, (int)target));
            expected.addAll(appendMany(log, k + 2, 1000 + (int)target));
            assertMatches(log, expected, expected.size());

            log = reopen(log);
            track(log);
            assertEquals(expected.size(), log.have(), "have after reopening a log unrolled to " + target);
            assertFalse(log.damagedAtOpen());
            assertMatches(log, expected, expected.size());
        }
    }

    @Test
    void unrollIsPersistentAcrossReopen()
    {
        EventLog log = track(newLog());
        final List<Appended> appended = appendMany(log, 2 * cycleLength() + 4, 20);
        final long target = cycleLength() + 2;

        log.unrollTo(target, 0);
        log = track(reopen(log));

        assertEquals(target, log.have());
        assertMatches(log, appended, target);
    }

    @Test
    void repeatedUnrollsAndAppendsKeepTheChain()
    {
        EventLog log = track(newLog());
        final SplittableRandom random = new SplittableRandom(42);
        final List<Appended> expected = new ArrayList<>();
        for (int round = 0; round < 12; round++)
        {
            expected.addAll(appendMany(log, 1 + random.nextInt(2 * cycleLength()), 100 * round));
            final long target = random.nextInt((int)log.have() + 1);
            log.unrollTo(target, 0);
            expected.subList((int)target, expected.size()).clear();
            assertMatches(log, expected, expected.size());
            if (round % 4 == 3)
            {
                log = track(reopen(log));
                assertMatches(log, expected, expected.size());
            }
        }
    }

    @Test
    void unrollRefusesToGoBelowTheFloorOrOutsideTheLog()
    {
        final EventLog log = track(newLog());
        final List<Appended> appended = appendMany(log, 2 * cycleLength(), 30);
        final long have = log.have();
        final long floor = cycleLength() + 1;

        assertThrows(IllegalArgumentException.class, () -> log.unrollTo(floor - 1, floor));
        assertThrows(IllegalArgumentException.class, () -> log.unrollTo(0, 1));
        assertThrows(IllegalArgumentException.class, () -> log.unrollTo(have + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> log.unrollTo(-1, -5));
        assertEquals(have, log.have(), "a refused unroll cuts nothing");
        assertMatches(log, appended, have);

        log.unrollTo(floor, floor);
        assertEquals(floor, log.have(), "the floor itself may be the last entry");
        log.unrollTo(floor, floor);
        assertEquals(floor, log.have(), "unrolling to the last entry changes nothing");
    }

    @Test
    void tornLastWriteIsCutAtOpenAndIsNotDamage()
    {
        EventLog log = track(newLog());
        final List<Appended> appended = appendMany(log, cycleLength() + 3, 40);

        log = track(damageAndReopen(log, appended.size()));

        assertEquals(appended.size() - 1, log.have());
        assertFalse(log.damagedAtOpen(), "one torn write is what a crash leaves");
        assertMatches(log, appended, appended.size() - 1);
        final long position = log.append(new LogEntry().header(EntryType.EVENT, 9, 9, 1, 9, 9, 7_000 + 9)
                .payload(new UnsafeBuffer(new byte[8]), 0, 8));
        assertEquals(appended.size(), position);
    }

    @Test
    void damageBeforeTheTailCutsEverythingAfterItAndIsReported()
    {
        EventLog log = track(newLog());
        final List<Appended> appended = appendMany(log, 2 * cycleLength() + 5, 50);
        final long damaged = cycleLength() + 2;

        log = track(damageAndReopen(log, damaged));

        assertEquals(damaged - 1, log.have());
        assertTrue(log.damagedAtOpen(), "more than one entry lost: the node must not count as intact");
        assertMatches(log, appended, damaged - 1);
    }

    @Test
    void damageOfTheFirstEntryEmptiesTheLog()
    {
        EventLog log = track(newLog());
        appendMany(log, 3, 60);

        log = track(damageAndReopen(log, 1));

        assertEquals(0, log.have());
        assertTrue(log.damagedAtOpen());
        assertEquals(Checksum.EMPTY, log.chkAt(0));
    }

    @Test
    void reopenAfterCloseKeepsEverything()
    {
        EventLog log = track(newLog());
        final List<Appended> appended = appendMany(log, 2 * cycleLength() + 1, 70);
        log.append(new LogEntry().header(EntryType.EPOCH_START, 3, 0, 1, 0, 0, 0)
                .payload(new UnsafeBuffer(new byte[4]), 0, 4));
        final long epochStart = log.have();
        final long chk = log.chkAt(log.have());

        log = track(reopen(log));

        assertEquals(epochStart, log.have());
        assertEquals(chk, log.chkAt(epochStart));
        assertEquals(epochStart, log.lastEpochStartPosition());
        assertFalse(log.damagedAtOpen());
        assertMatches(log, appended, appended.size());
        assertEquals(epochStart + 1,
            log.append(new LogEntry().header(EntryType.EVENT, 3, 1, 1, 3, 1, 7_000 + 1)
                    .payload(new UnsafeBuffer(new byte[1]), 0, 1)));
    }

    @Test
    void lastEpochStartFollowsUnrolls()
    {
        EventLog log = track(newLog());
        final long first = appendEpochStart(log, 1);
        appendMany(log, cycleLength(), 80);
        final long second = appendEpochStart(log, 2);
        appendMany(log, 3, 81);
        final long third = appendEpochStart(log, 3);
        appendMany(log, 2, 82);
        assertEquals(third, log.lastEpochStartPosition());

        log.unrollTo(third, 0);
        assertEquals(third, log.lastEpochStartPosition());
        log.unrollTo(third - 1, 0);
        assertEquals(second, log.lastEpochStartPosition());
        log = track(reopen(log));
        assertEquals(second, log.lastEpochStartPosition());
        log.unrollTo(second - 1, 0);
        assertEquals(first, log.lastEpochStartPosition());
        log.unrollTo(0, 0);
        assertEquals(0, log.lastEpochStartPosition());

        final long again = appendEpochStart(log, 4);
        assertEquals(1, again);
        assertEquals(again, log.lastEpochStartPosition());
        log = track(reopen(log));
        assertEquals(again, log.lastEpochStartPosition());
    }

    @Test
    void discardUpToMovesTheBaseAndKeepsEverythingAbove()
    {
        EventLog log = track(newLog());
        final int c = cycleLength();
        appendEpochStart(log, 1);
        final List<Appended> appended = new ArrayList<>();
        appended.add(null); // position 1, the EpochStart, compared by epoch only
        appended.addAll(appendMany(log, 2 * c - 1, 90));
        final long second = appendEpochStart(log, 7);
        appended.add(null);
        appended.addAll(appendMany(log, 3 * c + 3, 91));
        final long target = 3L * c + 2;
        final long chkBefore = log.chkAt(log.have());

        log.discardUpTo(target);

        final long base = log.base();
        assertTrue(base <= target && base > target - c, "base " + base + " within a cycle below " + target);
        assertTrue(base >= second, "the second EpochStart is discarded too");
        assertEquals(7, log.baseEpoch(), "the newest discarded EpochStart's epoch is kept");
        assertEquals(0, log.lastEpochStartPosition(), "none above the base");
        final LogEntry entry = new LogEntry();
        assertFalse(log.read(base, entry));
        final EventLog discarded = log;
        assertThrows(IllegalArgumentException.class, () -> discarded.chkAt(base - 1));
        assertThrows(IllegalArgumentException.class, () -> discarded.unrollTo(base - 1, 0));
        assertEquals(chkBefore, log.chkAt(log.have()));
        for (long p = base + 1; p <= log.have(); p++)
        {
            assertTrue(log.read(p, entry), "entry " + p);
            assertEntry(appended.get((int)p - 1), p, entry);
        }

        log.discardUpTo(base - 1); // never back down
        assertEquals(base, log.base());
        log.discardUpTo(log.have() + 100); // never above the log's end
        assertTrue(log.base() <= log.have());
        final long later = log.base();
        appendMany(log, 2, 92);
        final long chk = log.chkAt(log.have());
        final long have = log.have();

        log = track(reopen(log));
        assertEquals(later, log.base());
        assertEquals(have, log.have());
        assertEquals(chk, log.chkAt(have));
        assertEquals(7, log.baseEpoch());
        assertFalse(log.damagedAtOpen());
        final long third = appendEpochStart(log, 9);
        assertEquals(third, log.lastEpochStartPosition());
        log.unrollTo(later, 0);
        assertEquals(later, log.have());
        assertEquals(0, log.lastEpochStartPosition());
        appendMany(log, c + 1, 93);
        log = track(reopen(log));
        assertEquals(later + c + 1, log.have());
    }

    @Test
    void resetToStartsAnEmptyLogAtTheBaseGiven()
    {
        EventLog log = track(newLog());
        final int c = cycleLength();
        appendEpochStart(log, 1);
        appendMany(log, 3 * c, 94);
        final long base = 5L * c;
        assertTrue(log.canResetTo(base));
        assertTrue(log.canResetTo(0));

        log.resetTo(base, 0x1234_5678L, 11);

        assertEquals(base, log.base());
        assertEquals(base, log.have());
        assertEquals(0x1234_5678L, log.chkAt(base));
        assertEquals(11, log.baseEpoch());
        assertEquals(0, log.lastEpochStartPosition());
        final LogEntry entry = new LogEntry();
        assertFalse(log.read(1, entry));
        assertFalse(log.read(base, entry));
        final List<Appended> appended = appendMany(log, c + 2, 95);
        assertEquals(Checksum.chain(0x1234_5678L, appended.get(0).type(), appended.get(0).epoch(),
            appended.get(0).counter(), appended.get(0).originId(), appended.get(0).incarnation(),
            appended.get(0).localSeq(), appended.get(0).localSeq() * 3,
            new UnsafeBuffer(appended.get(0).payload()), 0, appended.get(0).payload().length), log.chkAt(base + 1));

        log = track(reopen(log));
        assertEquals(base, log.base());
        assertEquals(base + c + 2, log.have());
        assertEquals(11, log.baseEpoch());
        for (long p = base + 1; p <= log.have(); p++)
        {
            assertTrue(log.read(p, entry));
            assertEntry(appended.get((int)(p - base - 1)), p, entry);
        }
        assertFalse(log.damagedAtOpen());

        log.resetTo(0, Checksum.EMPTY, 0); // and back to an empty log from position 1
        assertEquals(0, log.have());
        assertEquals(0, log.base());
        appendMany(log, 2, 96);
        log = track(reopen(log));
        assertEquals(2, log.have());
        assertEquals(0, log.base());
    }

    @Test
    void forcedPositionFollowsForceAndUnroll()
    {
        EventLog log = track(newLog());
        appendMany(log, 5, 90);
        final long beforeForce = log.forcedPosition();
        assertTrue(beforeForce <= 5);

        log.force();
        assertEquals(5, log.forcedPosition());
        appendMany(log, 2 * cycleLength(), 91);
        assertEquals(5, log.forcedPosition(), "appending forces nothing");
        log.force();
        assertEquals(log.have(), log.forcedPosition(), "a force covers entries in every cycle since the last one");

        log.unrollTo(3, 0);
        assertEquals(3, log.forcedPosition(), "the forced position never lies above the log");
        appendMany(log, 1, 92);
        log.force();
        assertEquals(4, log.forcedPosition());

        log = track(reopen(log));
        assertTrue(log.forcedPosition() <= log.have());
        log.force();
        assertEquals(log.have(), log.forcedPosition());
    }

    @Test
    void differentHistoriesHaveDifferentChecksums()
    {
        final EventLog a = track(newLog());
        final EventLog b = track(newLog());
        appendMany(a, 4, 100);
        appendMany(b, 4, 100);
        assertEquals(a.chkAt(4), b.chkAt(4));

        a.unrollTo(3, 0);
        b.unrollTo(3, 0);
        a.append(new LogEntry().header(EntryType.EVENT, 1, 4, 1, 1, 4, 7_000 + 4)
                .payload(new UnsafeBuffer(new byte[]{1}), 0, 1));
        b.append(new LogEntry().header(EntryType.EVENT, 1, 4, 1, 1, 4, 7_000 + 4)
                .payload(new UnsafeBuffer(new byte[]{2}), 0, 1));

        assertNotEquals(a.chkAt(4), b.chkAt(4));
        assertEquals(a.chkAt(3), b.chkAt(3));
    }

    protected final EventLog track(final EventLog log)
    {
        if (!opened.contains(log))
        {
            opened.add(log);
        }
        return log;
    }

    /** Append {@code count} entries with fields and payloads derived from {@code seed}. */
    public static List<Appended> appendMany(final EventLog log, final int count, final int seed)
    {
        final List<Appended> appended = new ArrayList<>(count);
        final SplittableRandom random = new SplittableRandom(seed);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        for (int i = 0; i < count; i++)
        {
            final long position = log.have() + 1;
            final int length = random.nextInt(100);
            final byte[] payload = payloadBytes(position * 31 + seed, length);
            buffer.putBytes(0, payload);
            final int type = EntryType.EVENT;
            final long epoch = 1 + random.nextInt(5);
            final long counter = random.nextLong(1, Long.MAX_VALUE);
            final int originId = random.nextInt(256);
            final long incarnation = random.nextLong(1, 1000);
            final long localSeq = random.nextLong(1, Long.MAX_VALUE);
            final long previous = log.chkAt(log.have());
            assertEquals(position, log.append(new LogEntry().header(
                    type, epoch, counter, originId, incarnation, localSeq, localSeq * 3)
                    .payload(buffer, 0, length)));
            final long chk = Checksum.chain(previous, type, epoch, counter, originId, incarnation, localSeq,
                localSeq * 3, buffer, 0, length);
            assertEquals(chk, log.chkAt(position), "chk of the appended entry " + position);
            appended.add(new Appended(type, epoch, counter, originId, incarnation, localSeq, payload, chk));
        }
        return appended;
    }

    /** A payload whose bytes differ from every other position's: a misplaced read cannot pass for a right one. */
    public static byte[] payloadBytes(final long seed, final int length)
    {
        final byte[] bytes = new byte[length];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        return bytes;
    }

    public static byte[] payloadOf(final LogEntry entry)
    {
        final byte[] bytes = new byte[entry.payloadLength()];
        final DirectBuffer payload = entry.payload();
        payload.getBytes(entry.payloadOffset(), bytes);
        return bytes;
    }

    public static void assertMatches(final EventLog log, final List<Appended> expected, final long upTo)
    {
        final LogEntry entry = new LogEntry();
        for (long p = 1; p <= upTo; p++)
        {
            assertTrue(log.read(p, entry), "entry " + p + " is missing");
            assertEntry(expected.get((int)p - 1), p, entry);
        }
        assertEquals(upTo == 0 ? Checksum.EMPTY : expected.get((int)upTo - 1).chk(), log.chkAt(upTo));
    }

    public static void assertEntry(final Appended expected, final long position, final LogEntry entry)
    {
        assertEquals(position, entry.position());
        assertEquals(expected.type(), entry.type(), "type at " + position);
        assertEquals(expected.epoch(), entry.epoch(), "epoch at " + position);
        assertEquals(expected.counter(), entry.counter(), "counter at " + position);
        assertEquals(expected.originId(), entry.originId(), "origin at " + position);
        assertEquals(expected.incarnation(), entry.incarnation(), "incarnation at " + position);
        assertEquals(expected.localSeq(), entry.localSeq(), "localSeq at " + position);
        assertEquals(expected.chk(), entry.chk(), "chk at " + position);
        assertArrayEquals(expected.payload(), payloadOf(entry), "payload at " + position);
    }

    private static long appendEpochStart(final EventLog log, final long epoch)
    {
        final UnsafeBuffer members = new UnsafeBuffer(new byte[8]);
        members.putLong(0, epoch);
        return log.append(new LogEntry().header(EntryType.EPOCH_START, epoch, 0, 1, 0, 0, 0).payload(members, 0, 8));
    }
}
