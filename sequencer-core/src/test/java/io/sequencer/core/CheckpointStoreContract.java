package io.sequencer.core;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The contract every {@link CheckpointStore} keeps, with {@link InMemoryCheckpointStore}'s semantics as the
 * reference: save and read back, {@code latestAtOrBelow}, the recorded {@code chk}, {@code unrollUntil}, and a
 * damaged checkpoint that is reported as missing (-1), never loaded.
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
        assertEquals(-1, store.read(5, new ExpandableArrayBuffer()));
        assertThrows(IllegalArgumentException.class, () -> store.chkAt(5));
    }

    @Test
    void savesAndReadsBackDataAndChecksum()
    {
        final CheckpointStore store = track(newStore());
        save(store, 100, 0xABCL, 300);
        save(store, 200, 0xDEFL, 0);

        final ExpandableArrayBuffer into = new ExpandableArrayBuffer(8);
        assertEquals(300, store.read(100, into));
        assertArrayEquals(data(100, 300), bytes(into, 300));
        assertEquals(0xABCL, store.chkAt(100));
        assertEquals(0, store.read(200, into));
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
        assertEquals(-1, store.read(30, new ExpandableArrayBuffer()));

        store = track(reopen(store));
        assertEquals(20, store.latestAtOrBelow(1000));
        store.unrollUntil(0);
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

        final ExpandableArrayBuffer into = new ExpandableArrayBuffer(8);
        assertEquals(-1, store.read(20, into));
        assertEquals(64, store.read(10, into), "the others stay readable");
        assertArrayEquals(data(10, 64), bytes(into, 64));
    }

    @Test
    void reopenKeepsEveryCheckpoint()
    {
        CheckpointStore store = track(newStore());
        save(store, 7, 77, 40);
        save(store, 9, 99, 41);

        store = track(reopen(store));

        final ExpandableArrayBuffer into = new ExpandableArrayBuffer(8);
        assertEquals(9, store.latestAtOrBelow(100));
        assertEquals(41, store.read(9, into));
        assertArrayEquals(data(9, 41), bytes(into, 41));
        assertEquals(77, store.chkAt(7));
    }

    @Test
    void savingAgainAtAPositionReplacesIt()
    {
        final CheckpointStore store = track(newStore());
        save(store, 5, 1, 10);
        save(store, 5, 2, 20);

        assertEquals(2, store.chkAt(5));
        assertEquals(20, store.read(5, new ExpandableArrayBuffer()));
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
        store.save(position, chk, buffer, 3, length);
    }

    private static byte[] data(final long position, final int length)
    {
        return EventLogContract.payloadBytes(position * 7919, length);
    }

    private static byte[] bytes(final ExpandableArrayBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
