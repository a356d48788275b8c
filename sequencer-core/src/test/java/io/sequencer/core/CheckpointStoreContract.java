package io.sequencer.core;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract every {@link CheckpointStore} keeps, with {@link InMemoryCheckpointStore}'s semantics as the
 * reference: save and read back, {@code latestAtOrBelow}, the recorded {@code chk}, {@code unrollUntil}, and a
 * damaged checkpoint that is reported as missing (null), never loaded; checkpoints of many chunks; a save that
 * fails leaves what was there.
 */
public abstract class CheckpointStoreContract
{
    private final List<CheckpointStore> opened = new ArrayList<>();

    /** @return a new, empty store. */
    protected abstract CheckpointStore newStore();

    /** Close {@code store} and open it again from its medium (a store without one may return itself). */
    protected abstract CheckpointStore reopen(CheckpointStore store);

    /** Damage the stored checkpoint at {@code position}. */
    protected abstract void damage(CheckpointStore store, long position);

    @AfterEach
    void closeStores()
    {
        for (final CheckpointStore store : opened)
        {
            store.close();
        }
        opened.clear();
    }

    @Test
    void emptyStoreHasNoCheckpoint()
    {
        final CheckpointStore store = track(newStore());

        assertEquals(0, store.latestAtOrBelow(Long.MAX_VALUE));
        assertNull(store.open(5));
        assertThrows(IllegalArgumentException.class, () -> store.chkAt(5));
    }

    @Test
    void savesAndReadsBackDataAndChecksum()
    {
        final CheckpointStore store = track(newStore());
        save(store, 100, 0xABCL, 300);
        save(store, 200, 0xDEFL, 0);

        assertArrayEquals(data(100, 300), read(store, 100));
        assertEquals(0xABCL, store.chkAt(100));
        assertEquals(0, read(store, 200).length);
        assertEquals(0xDEFL, store.chkAt(200));
    }

    @Test
    void latestAtOrBelowFindsTheNewestNotAbove()
    {
        final CheckpointStore store = track(newStore());
        save(store, 10, 1, 8);
        save(store, 20, 2, 8);
        save(store, 30, 3, 8);

        assertEquals(0, store.latestAtOrBelow(9));
        assertEquals(10, store.latestAtOrBelow(10));
        assertEquals(10, store.latestAtOrBelow(19));
        assertEquals(20, store.latestAtOrBelow(29));
        assertEquals(30, store.latestAtOrBelow(1000));
    }

    @Test
    void unrollUntilDropsOnlyThoseAbove()
    {
        CheckpointStore store = track(newStore());
        save(store, 10, 1, 8);
        save(store, 20, 2, 8);
        save(store, 30, 3, 8);

        store.unrollUntil(20);
        assertEquals(20, store.latestAtOrBelow(1000));
        assertNull(store.open(30));

        store = track(reopen(store));
        assertEquals(20, store.latestAtOrBelow(1000));
        store.unrollUntil(0);
        assertEquals(0, store.latestAtOrBelow(1000));
    }

    @Test
    void retainFromDropsOnlyThoseBelow()
    {
        CheckpointStore store = track(newStore());
        save(store, 10, 1, 8);
        save(store, 20, 2, 8);
        save(store, 30, 3, 8);

        store.retainFrom(20);
        assertEquals(0, store.latestAtOrBelow(19));
        assertNull(store.open(10));
        assertArrayEquals(data(20, 8), read(store, 20));

        store = track(reopen(store));
        assertEquals(0, store.latestAtOrBelow(19), "gone from the medium too");
        assertEquals(30, store.latestAtOrBelow(1000));
        store.retainFrom(1000);
        assertEquals(0, store.latestAtOrBelow(1000));
    }

    @Test
    void damagedCheckpointIsNeverLoaded()
    {
        CheckpointStore store = track(newStore());
        save(store, 10, 1, 64);
        save(store, 20, 2, 64);
        damage(store, 20);
        store = track(reopen(store));

        assertNull(store.open(20));
        assertArrayEquals(data(10, 64), read(store, 10), "the others stay readable");
    }

    @Test
    void reopenKeepsEveryCheckpoint()
    {
        CheckpointStore store = track(newStore());
        save(store, 7, 77, 40);
        save(store, 9, 99, 41);

        store = track(reopen(store));

        assertEquals(9, store.latestAtOrBelow(100));
        assertArrayEquals(data(9, 41), read(store, 9));
        assertEquals(77, store.chkAt(7));
    }

    @Test
    void savingAgainAtAPositionReplacesIt()
    {
        final CheckpointStore store = track(newStore());
        save(store, 5, 1, 10);
        save(store, 5, 2, 20);

        assertEquals(2, store.chkAt(5));
        assertEquals(20, read(store, 5).length);
    }

    @Test
    void aCheckpointOfManyChunksWrittenInPiecesReadsBackWhole()
    {
        CheckpointStore store = track(newStore());
        final int length = 3 * CheckpointFile.CHUNK_LENGTH + 12_345;
        final byte[] data = data(42, length);
        store.save(42, 4242, out ->
        {
            final UnsafeBuffer source = new UnsafeBuffer(data);
            int at = 0;
            for (int piece = 1; at < length; piece = piece * 3 % 100_003)
            {
                final int n = Math.min(piece, length - at);
                out.write(source, at, n);
                at += n;
                if (at + Long.BYTES <= length && piece % 2 == 0)
                {
                    out.writeLong(source.getLong(at, java.nio.ByteOrder.LITTLE_ENDIAN));
                    at += Long.BYTES;
                }
            }
        });
        store = track(reopen(store));

        assertArrayEquals(data, read(store, 42));
    }

    @Test
    void aSaveThatFailsLeavesWhatWasThere()
    {
        final CheckpointStore store = track(newStore());
        save(store, 5, 1, 10);

        assertThrows(IllegalStateException.class, () -> store.save(5, 2, out ->
        {
            out.writeLong(1);
            throw new IllegalStateException("the state machine failed half way");
        }));
        assertThrows(IllegalStateException.class, () -> store.save(6, 3, out ->
        {
            throw new IllegalStateException("the state machine failed at once");
        }));

        assertEquals(1, store.chkAt(5));
        assertArrayEquals(data(5, 10), read(store, 5));
        assertEquals(5, store.latestAtOrBelow(100));
    }

    @Test
    void readingPastTheEndIsRefused()
    {
        final CheckpointStore store = track(newStore());
        save(store, 5, 1, 10);

        try (CheckpointFile.Reader reader = store.open(5))
        {
            assertEquals(10, reader.remaining());
            reader.read(new ExpandableArrayBuffer(16), 0, 10);
            assertEquals(0, reader.remaining());
            assertThrows(IllegalStateException.class, reader::readByte);
        }
    }

    @Test
    void aCheckpointSentInPiecesIsReceivedWholeByAnotherStore()
    {
        final CheckpointStore from = track(newStore());
        final int length = 2 * CheckpointFile.CHUNK_LENGTH + 777;
        save(from, 300, 0x300L, length);
        final long fileLength = from.fileLength(300);
        assertEquals(-1, from.fileLength(301));
        CheckpointStore to = track(newStore());

        try (CheckpointStore.Incoming incoming = to.receive(300, 0x300L))
        {
            final UnsafeBuffer piece = new UnsafeBuffer(new byte[5_000 + 16]);
            while (incoming.received() < fileLength)
            {
                final int n = from.readFile(300, incoming.received(), piece, 16, 5_000);
                incoming.write(piece, 16, n);
                assertEquals(0, to.latestAtOrBelow(Long.MAX_VALUE), "invisible until complete");
            }
            assertEquals(0, from.readFile(300, fileLength, piece, 0, 10), "nothing past the end");
            incoming.complete();
        }
        to = track(reopen(to));

        assertEquals(300, to.latestAtOrBelow(Long.MAX_VALUE));
        assertEquals(0x300L, to.chkAt(300));
        assertArrayEquals(data(300, length), read(to, 300));
        assertEquals(-1, from.readFile(999, 0, new UnsafeBuffer(new byte[8]), 0, 8));
    }

    @Test
    void aReceivedCheckpointThatFailsItsCheckIsNeverVisible()
    {
        final CheckpointStore from = track(newStore());
        save(from, 40, 0x40L, 3_000);
        final byte[] file = new byte[(int)from.fileLength(40)];
        from.readFile(40, 0, new UnsafeBuffer(file), 0, file.length);
        final CheckpointStore to = track(newStore());
        save(to, 10, 0x10L, 100);

        final byte[] damaged = file.clone();
        damaged[damaged.length / 2] ^= 0x01;
        assertThrows(IllegalStateException.class, () -> receive(to, 40, 0x40L, damaged));
        assertThrows(IllegalStateException.class, () -> receive(to, 40, 0x41L, file), "another chk");
        assertThrows(IllegalStateException.class, () -> receive(to, 41, 0x40L, file), "another position");
        assertThrows(IllegalStateException.class,
            () -> receive(to, 40, 0x40L, java.util.Arrays.copyOf(file, file.length - 1)), "truncated");
        try (CheckpointStore.Incoming abandoned = to.receive(40, 0x40L))
        {
            abandoned.write(new UnsafeBuffer(file), 0, 100); // closed before it is complete
        }

        final CheckpointStore reopened = track(reopen(to));
        assertEquals(10, reopened.latestAtOrBelow(Long.MAX_VALUE), "only what was there");
        assertNull(reopened.open(40));
        receive(reopened, 40, 0x40L, file);
        assertArrayEquals(data(40, 3_000), read(reopened, 40));
    }

    private static void receive(final CheckpointStore store, final long position, final long chk, final byte[] file)
    {
        try (CheckpointStore.Incoming incoming = store.receive(position, chk))
        {
            incoming.write(new UnsafeBuffer(file), 0, file.length);
            incoming.complete();
        }
    }

    protected final CheckpointStore track(final CheckpointStore store)
    {
        if (!opened.contains(store))
        {
            opened.add(store);
        }
        return store;
    }

    private static void save(final CheckpointStore store, final long position, final long chk, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length + 3]);
        buffer.putBytes(3, data(position, length));
        store.save(position, chk, out -> out.write(buffer, 3, length));
    }

    /** The whole data of the checkpoint at {@code position}, read the way the protocol does. */
    private static byte[] read(final CheckpointStore store, final long position)
    {
        try (CheckpointFile.Reader reader = store.open(position))
        {
            final byte[] bytes = new byte[(int)reader.remaining()];
            reader.read(new UnsafeBuffer(bytes), 0, bytes.length);
            return bytes;
        }
    }

    private static byte[] data(final long position, final int length)
    {
        return EventLogContract.payloadBytes(position * 7919, length);
    }
}
