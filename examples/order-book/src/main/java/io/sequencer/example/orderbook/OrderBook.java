package io.sequencer.example.orderbook;

import io.sequencer.core.ClusterClock;
import io.sequencer.core.SampleEvents;
import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * A limit order book for one instrument with price-time priority: an application's own state machine, as a trading
 * system would run it on the sequencer. Every member applies the same orders in the same order and holds the same
 * book; a member that restarts rebuilds it from a checkpoint ({@link #snapshot}, {@link #restore}) and the log.
 * <p>
 * <b>Events</b> (little-endian, 24 bytes): byte 0 the kind ({@link #NEW} or {@link #CANCEL}), bytes 16..23 the
 * event's id, unique (a new order's id). A new order: byte 1 the side ({@link #BUY}, {@link #SELL}), bytes 2..3 its
 * time in force in ms (0: good till cancelled), bytes 4..7 the limit price in ticks (1..{@link #MAX_PRICE}), bytes
 * 8..15 the quantity; it trades against the best prices of the other side while they cross its limit, oldest order
 * first at each price, and rests with what is left. What rests of a good-till-time order expires that many ms of
 * cluster time after it was accepted, through a timer of the cluster (docs/protocol.md §12): at the same position on
 * every member. A cancel: bytes 8..15 the id of the order to cancel.
 * <p>
 * <b>Results</b> ({@link #RESULT_LENGTH} bytes): byte 0 the status ({@link #ACCEPTED}, {@link #REJECTED},
 * {@link #UNKNOWN_ORDER}), bytes 1..8 the quantity traded by this order, bytes 9..16 the quantity left resting (or
 * cancelled).
 * <p>
 * Deterministic and allocation-free once constructed: orders live in preallocated arrays, each price level a FIFO
 * list threaded through them, and a primitive map finds an order by id. At most {@link #MAX_ORDERS} rest at once; a
 * new order that would rest beyond that is rejected.
 */
public final class OrderBook implements StateMachine, SampleEvents
{
    public static final byte NEW = 1;
    public static final byte CANCEL = 2;
    public static final byte BUY = 0;
    public static final byte SELL = 1;
    public static final int EVENT_LENGTH = 24;
    public static final int MAX_PRICE = 1023;
    public static final int MAX_ORDERS = 1 << 16;
    public static final int RESULT_LENGTH = 17;
    public static final byte ACCEPTED = 0;
    public static final byte REJECTED = 1;
    public static final byte UNKNOWN_ORDER = 2;

    private static final int NONE = -1;
    private static final int SNAPSHOT_ORDER_LENGTH = 8 + 1 + 4 + 8 + 8;
    private static final int SNAPSHOT_HEADER_LENGTH = 8 + 8 + 8 + 4;
    private static final long NS_PER_MS = 1_000_000;

    private final long[] orderId = new long[MAX_ORDERS];
    private final byte[] orderSide = new byte[MAX_ORDERS];
    private final int[] orderPrice = new int[MAX_ORDERS];
    private final long[] orderRemaining = new long[MAX_ORDERS];
    /** Cluster time at which the order expires; 0: good till cancelled. */
    private final long[] orderExpiresAt = new long[MAX_ORDERS];
    private final int[] orderNext = new int[MAX_ORDERS];
    private final int[] orderPrevious = new int[MAX_ORDERS];
    /** Per side and price: the oldest and newest resting order there. */
    private final int[][] levelHead = { new int[MAX_PRICE + 1], new int[MAX_PRICE + 1] };
    private final int[][] levelTail = { new int[MAX_PRICE + 1], new int[MAX_PRICE + 1] };
    private final Long2LongHashMap slotById = new Long2LongHashMap(2 * MAX_ORDERS, 0.65f, NONE);
    private int freeHead;
    private int resting;
    private long trades;
    private long tradedQuantity;
    private long expired;
    private ClusterClock clock;

    public OrderBook()
    {
        reset();
    }

    public void reset()
    {
        for (int side = 0; side < 2; side++)
        {
            Arrays.fill(levelHead[side], NONE);
            Arrays.fill(levelTail[side], NONE);
        }
        for (int slot = 0; slot < MAX_ORDERS; slot++)
        {
            orderNext[slot] = slot + 1 < MAX_ORDERS ? slot + 1 : NONE;
        }
        freeHead = 0;
        resting = 0;
        trades = 0;
        tradedQuantity = 0;
        expired = 0;
        slotById.clear();
    }

    public void onStart(final ClusterClock clock)
    {
        this.clock = clock;
    }

    /** A good-till-time order's time is up: what rests of it is removed. */
    public void onTimer(final long position, final long timerId, final long deadlineNs)
    {
        final int slot = (int)slotById.get(timerId);
        if (slot != NONE && orderExpiresAt[slot] == deadlineNs)
        {
            orderExpiresAt[slot] = 0; // its timer has fired: nothing to cancel
            remove(slot);
            expired++;
        }
    }

    public int apply(
        final long position,
        final DirectBuffer event,
        final int offset,
        final int length,
        final MutableDirectBuffer result,
        final int resultOffset)
    {
        if (length < EVENT_LENGTH)
        {
            return result(result, resultOffset, REJECTED, 0, 0);
        }
        final byte kind = event.getByte(offset);
        if (kind == CANCEL)
        {
            return cancel(event.getLong(offset + 8, LITTLE_ENDIAN), result, resultOffset);
        }
        final long id = event.getLong(offset + 16, LITTLE_ENDIAN);
        final byte side = event.getByte(offset + 1);
        final int price = event.getInt(offset + 4, LITTLE_ENDIAN);
        final long quantity = event.getLong(offset + 8, LITTLE_ENDIAN);
        if (kind != NEW || (side != BUY && side != SELL) || price < 1 || price > MAX_PRICE || quantity <= 0 ||
            slotById.containsKey(id))
        {
            return result(result, resultOffset, REJECTED, 0, 0);
        }
        final long left = match(side, price, quantity);
        if (left > 0)
        {
            if (freeHead == NONE)
            {
                return result(result, resultOffset, REJECTED, quantity - left, 0); // the book is full: not rested
            }
            final int timeInForceMs = event.getShort(offset + 2, LITTLE_ENDIAN) & 0xFFFF;
            final long expiresAt = timeInForceMs > 0 && clock != null ? clock.time() + timeInForceMs * NS_PER_MS : 0;
            rest(id, side, price, left, expiresAt);
            if (expiresAt != 0)
            {
                clock.scheduleTimer(id, expiresAt);
            }
        }
        return result(result, resultOffset, ACCEPTED, quantity - left, left);
    }

    /** Trade against the other side while its best price crosses {@code limit}. @return the quantity left. */
    private long match(final byte side, final int limit, final long quantity)
    {
        final int other = side == BUY ? SELL : BUY;
        long left = quantity;
        int price = side == BUY ? 1 : MAX_PRICE;
        while (left > 0 && (side == BUY ? price <= limit : price >= limit))
        {
            int slot = levelHead[other][price];
            while (left > 0 && slot != NONE)
            {
                final long traded = Math.min(left, orderRemaining[slot]);
                left -= traded;
                orderRemaining[slot] -= traded;
                trades++;
                tradedQuantity += traded;
                final int next = orderNext[slot];
                if (orderRemaining[slot] == 0)
                {
                    remove(slot);
                }
                slot = next;
            }
            price += side == BUY ? 1 : -1;
        }
        return left;
    }

    private int cancel(final long id, final MutableDirectBuffer result, final int resultOffset)
    {
        final int slot = (int)slotById.get(id);
        if (slot == NONE)
        {
            return result(result, resultOffset, UNKNOWN_ORDER, 0, 0);
        }
        final long remaining = orderRemaining[slot];
        remove(slot);
        return result(result, resultOffset, ACCEPTED, 0, remaining);
    }

    private void rest(final long id, final byte side, final int price, final long quantity, final long expiresAt)
    {
        final int slot = freeHead;
        freeHead = orderNext[slot];
        orderId[slot] = id;
        orderExpiresAt[slot] = expiresAt;
        orderSide[slot] = side;
        orderPrice[slot] = price;
        orderRemaining[slot] = quantity;
        orderNext[slot] = NONE;
        orderPrevious[slot] = levelTail[side][price];
        if (levelTail[side][price] == NONE)
        {
            levelHead[side][price] = slot;
        }
        else
        {
            orderNext[levelTail[side][price]] = slot;
        }
        levelTail[side][price] = slot;
        slotById.put(id, slot);
        resting++;
    }

    private void remove(final int slot)
    {
        final int side = orderSide[slot];
        final int price = orderPrice[slot];
        final int previous = orderPrevious[slot];
        final int next = orderNext[slot];
        if (previous == NONE)
        {
            levelHead[side][price] = next;
        }
        else
        {
            orderNext[previous] = next;
        }
        if (next == NONE)
        {
            levelTail[side][price] = previous;
        }
        else
        {
            orderPrevious[next] = previous;
        }
        slotById.remove(orderId[slot]);
        if (orderExpiresAt[slot] != 0 && clock != null)
        {
            clock.cancelTimer(orderId[slot]); // filled or cancelled first: its timer goes too
        }
        orderNext[slot] = freeHead;
        freeHead = slot;
        resting--;
    }

    private static int result(
        final MutableDirectBuffer result, final int offset, final byte status, final long traded, final long left)
    {
        result.putByte(offset, status);
        result.putLong(offset + 1, traded, LITTLE_ENDIAN);
        result.putLong(offset + 9, left, LITTLE_ENDIAN);
        return RESULT_LENGTH;
    }

    /**
     * The trade and expiry counters, then every resting order by side, price and time (its timer, if it has one, is
     * the protocol's to keep: docs/protocol.md §12).
     */
    public void snapshot(final SnapshotWriter out)
    {
        out.writeLong(trades);
        out.writeLong(tradedQuantity);
        out.writeLong(expired);
        out.writeInt(resting);
        for (int side = 0; side < 2; side++)
        {
            for (int price = 1; price <= MAX_PRICE; price++)
            {
                for (int slot = levelHead[side][price]; slot != NONE; slot = orderNext[slot])
                {
                    out.writeLong(orderId[slot]);
                    out.writeByte(orderSide[slot]);
                    out.writeInt(orderPrice[slot]);
                    out.writeLong(orderRemaining[slot]);
                    out.writeLong(orderExpiresAt[slot]);
                }
            }
        }
    }

    public void restore(final SnapshotReader in)
    {
        reset();
        final long length = in.remaining();
        final long tradesRestored = in.readLong();
        final long tradedRestored = in.readLong();
        final long expiredRestored = in.readLong();
        final int count = in.readInt();
        if (count < 0 || count > MAX_ORDERS || length != SNAPSHOT_HEADER_LENGTH + (long)count * SNAPSHOT_ORDER_LENGTH)
        {
            throw new IllegalArgumentException("an order book snapshot of " + length + " bytes does not hold " +
                count + " orders");
        }
        for (int i = 0; i < count; i++)
        {
            rest(in.readLong(), in.readByte(), in.readInt(), in.readLong(), in.readLong());
        }
        trades = tradesRestored;
        tradedQuantity = tradedRestored;
        expired = expiredRestored;
    }

    /**
     * For {@code node --load}: mostly new orders around the middle price (quantity 1..10, either side, the limit up to
     * 8 ticks through the middle so that many trade; every fourth good for 1..64 ms only), every eighth a cancel of
     * an earlier order of the same member; the event's id (bytes 16..23, where {@code log check-acks} looks) is
     * {@code eventId}.
     */
    public int sampleEvent(final int memberId, final long eventId, final MutableDirectBuffer buffer, final int offset)
    {
        long h = eventId * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        final boolean cancel = (h & 7) == 0 && (eventId & 0xFFF) > 16;
        buffer.setMemory(offset, EVENT_LENGTH, (byte)0);
        buffer.putByte(offset, cancel ? CANCEL : NEW);
        final byte side = (byte)((h >>> 3) & 1);
        buffer.putByte(offset + 1, side);
        if (!cancel && ((h >>> 16) & 3) == 0)
        {
            buffer.putShort(offset + 2, (short)(1 + ((h >>> 18) & 63)), LITTLE_ENDIAN);
        }
        final int spread = (int)((h >>> 4) & 15) - 8;
        buffer.putInt(offset + 4, (MAX_PRICE + 1) / 2 + (side == BUY ? spread : -spread), LITTLE_ENDIAN);
        buffer.putLong(offset + 8, cancel ? eventId - 1 - ((h >>> 12) & 15) : 1 + ((h >>> 8) & 7) + ((h >>> 11) & 1),
            LITTLE_ENDIAN);
        buffer.putLong(offset + 16, eventId, LITTLE_ENDIAN);
        return EVENT_LENGTH;
    }

    /** Orders resting now. */
    public int resting()
    {
        return resting;
    }

    /** Good-till-time orders that expired with something left resting. */
    public long expired()
    {
        return expired;
    }

    /** Trades so far (one per resting order an incoming one traded against). */
    public long trades()
    {
        return trades;
    }

    public long tradedQuantity()
    {
        return tradedQuantity;
    }

    /** The best bid, or 0 when no buy order rests. */
    public int bestBid()
    {
        for (int price = MAX_PRICE; price >= 1; price--)
        {
            if (levelHead[BUY][price] != NONE)
            {
                return price;
            }
        }
        return 0;
    }

    /** The best ask, or 0 when no sell order rests. */
    public int bestAsk()
    {
        for (int price = 1; price <= MAX_PRICE; price++)
        {
            if (levelHead[SELL][price] != NONE)
            {
                return price;
            }
        }
        return 0;
    }

    /** Write a new order, good till cancelled; @return its length. */
    public static int encodeNew(
        final MutableDirectBuffer buffer, final int offset, final long id, final byte side, final int price,
        final long quantity)
    {
        return encodeNew(buffer, offset, id, side, price, quantity, 0);
    }

    /** Write a new order good for {@code timeInForceMs} (1..65535; 0: till cancelled); @return its length. */
    public static int encodeNew(
        final MutableDirectBuffer buffer, final int offset, final long id, final byte side, final int price,
        final long quantity, final int timeInForceMs)
    {
        if (timeInForceMs < 0 || timeInForceMs > 0xFFFF)
        {
            throw new IllegalArgumentException("time in force " + timeInForceMs + " ms outside 0..65535");
        }
        buffer.setMemory(offset, EVENT_LENGTH, (byte)0);
        buffer.putByte(offset, NEW);
        buffer.putByte(offset + 1, side);
        buffer.putShort(offset + 2, (short)timeInForceMs, LITTLE_ENDIAN);
        buffer.putInt(offset + 4, price, LITTLE_ENDIAN);
        buffer.putLong(offset + 8, quantity, LITTLE_ENDIAN);
        buffer.putLong(offset + 16, id, LITTLE_ENDIAN);
        return EVENT_LENGTH;
    }

    /** Write cancel request {@code requestId} of order {@code orderId}; @return its length. */
    public static int encodeCancel(
        final MutableDirectBuffer buffer, final int offset, final long requestId, final long orderId)
    {
        buffer.setMemory(offset, EVENT_LENGTH, (byte)0);
        buffer.putByte(offset, CANCEL);
        buffer.putLong(offset + 8, orderId, LITTLE_ENDIAN);
        buffer.putLong(offset + 16, requestId, LITTLE_ENDIAN);
        return EVENT_LENGTH;
    }
}
