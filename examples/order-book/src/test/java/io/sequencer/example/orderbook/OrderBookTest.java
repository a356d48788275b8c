package io.sequencer.example.orderbook;

import io.sequencer.core.CheckpointFile;
import io.sequencer.sim.ReplayClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class OrderBookTest
{
    private final OrderBook book = new OrderBook();
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer result = new UnsafeBuffer(new byte[64]);
    private long position;

    @Test
    void anOrderThatCrossesTradesWithTheBestPriceOldestFirstAndRestsTheRest()
    {
        submitNew(1, OrderBook.SELL, 101, 5);
        submitNew(2, OrderBook.SELL, 100, 3);
        submitNew(3, OrderBook.SELL, 100, 4); // behind order 2 at the same price
        assertEquals(100, book.bestAsk());

        submitNew(4, OrderBook.BUY, 100, 5); // takes 3 of order 2, then 2 of order 3
        assertStatus(OrderBook.ACCEPTED, 5, 0);
        assertEquals(2, book.trades());
        assertEquals(2, book.resting()); // order 3 (2 left) and order 1

        submitNew(5, OrderBook.BUY, 102, 10); // 2 of order 3 at 100, 5 of order 1 at 101, 3 rest at 102
        assertStatus(OrderBook.ACCEPTED, 7, 3);
        assertEquals(102, book.bestBid());
        assertEquals(0, book.bestAsk());
        assertEquals(12, book.tradedQuantity());
    }

    @Test
    void cancelsAndBadOrders()
    {
        submitNew(1, OrderBook.BUY, 50, 5);
        apply(OrderBook.encodeCancel(event, 0, 100, 1));
        assertStatus(OrderBook.ACCEPTED, 0, 5);
        assertEquals(0, book.resting());
        apply(OrderBook.encodeCancel(event, 0, 101, 1));
        assertStatus(OrderBook.UNKNOWN_ORDER, 0, 0);
        submitNew(2, OrderBook.BUY, 0, 5);
        assertStatus(OrderBook.REJECTED, 0, 0);
        submitNew(3, OrderBook.BUY, 10, 0);
        assertStatus(OrderBook.REJECTED, 0, 0);
        submitNew(4, OrderBook.BUY, 10, 1);
        submitNew(4, OrderBook.SELL, 10, 1); // a duplicate id
        assertStatus(OrderBook.REJECTED, 0, 0);
        assertEquals(1, book.resting());
    }

    /** A book restored from a snapshot behaves as the original: the same results for the same next orders. */
    @Test
    void aRestoredBookMatchesAsTheOriginal()
    {
        for (long id = 1; id <= 2_000; id++)
        {
            apply(book.sampleEvent(0, id, event, 0));
        }
        final OrderBook restored = new OrderBook();
        CheckpointFile.restore(restored, CheckpointFile.snapshotOf(book));
        assertEquals(book.resting(), restored.resting());
        assertEquals(book.trades(), restored.trades());
        final UnsafeBuffer other = new UnsafeBuffer(new byte[64]);
        for (long id = 2_001; id <= 4_000; id++)
        {
            final int eventLength = book.sampleEvent(0, id, event, 0);
            final int a = book.apply(++position, event, 0, eventLength, result, 0);
            final int b = restored.apply(position, event, 0, eventLength, other, 0);
            assertEquals(a, b);
            assertEquals(result.getLong(1, LITTLE_ENDIAN), other.getLong(1, LITTLE_ENDIAN), "traded by order " + id);
            assertEquals(result.getLong(9, LITTLE_ENDIAN), other.getLong(9, LITTLE_ENDIAN), "left of order " + id);
        }
        assertEquals(book.trades(), restored.trades());
        assertEquals(book.bestBid(), restored.bestBid());
        assertEquals(book.bestAsk(), restored.bestAsk());
        assertArrayEquals(CheckpointFile.snapshotOf(book), CheckpointFile.snapshotOf(restored));
    }

    @Test
    void whatRestsOfAGoodTillTimeOrderExpiresByItsTimerAndAFilledOrCancelledOneTakesItsTimerAlong()
    {
        final ReplayClock clock = new ReplayClock();
        book.onStart(clock);
        clock.beforeEntry(++position, 1_000_000_000L, book);
        apply(OrderBook.encodeNew(event, 0, 1, OrderBook.SELL, 100, 5, 10)); // good for 10 ms
        apply(OrderBook.encodeNew(event, 0, 2, OrderBook.SELL, 101, 5, 20));
        apply(OrderBook.encodeNew(event, 0, 3, OrderBook.SELL, 102, 5, 30));
        apply(OrderBook.encodeNew(event, 0, 4, OrderBook.SELL, 103, 5)); // till cancelled: no timer
        assertEquals(3, clock.scheduled());
        assertEquals(1_010_000_000L, clock.deadlineOf(1));

        apply(OrderBook.encodeNew(event, 0, 5, OrderBook.BUY, 101, 7)); // fills order 1, takes 2 of order 2
        assertStatus(OrderBook.ACCEPTED, 7, 0);
        assertEquals(2, clock.scheduled(), "order 1 filled: its timer cancelled");
        apply(OrderBook.encodeCancel(event, 0, 6, 3));
        assertEquals(1, clock.scheduled(), "order 3 cancelled: its timer too");

        clock.beforeEntry(++position, 1_025_000_000L, book);
        assertEquals(1, book.expired(), "order 2 expired with 3 left");
        assertEquals(1, book.resting());
        assertEquals(103, book.bestAsk());

        // the expiry count and the deadlines survive a snapshot; the timers are the protocol's to restore
        apply(OrderBook.encodeNew(event, 0, 7, OrderBook.BUY, 90, 1, 5));
        final OrderBook restored = new OrderBook();
        restored.onStart(clock);
        CheckpointFile.restore(restored, CheckpointFile.snapshotOf(book));
        assertEquals(1, restored.expired());
        clock.beforeEntry(++position, 1_031_000_000L, restored);
        assertEquals(1, restored.resting(), "the restored order 7 expired by the timer the protocol kept");
        assertEquals(2, restored.expired());
    }

    private void submitNew(final long id, final byte side, final int price, final long quantity)
    {
        apply(OrderBook.encodeNew(event, 0, id, side, price, quantity));
    }

    private void apply(final int length)
    {
        assertEquals(OrderBook.RESULT_LENGTH, book.apply(++position, event, 0, length, result, 0));
    }

    private void assertStatus(final byte status, final long traded, final long left)
    {
        assertEquals(status, result.getByte(0), "status");
        assertEquals(traded, result.getLong(1, LITTLE_ENDIAN), "traded");
        assertEquals(left, result.getLong(9, LITTLE_ENDIAN), "left");
    }
}
