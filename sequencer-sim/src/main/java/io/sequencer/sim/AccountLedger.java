package io.sequencer.sim;

import io.sequencer.core.ClusterClock;
import io.sequencer.core.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * A small account ledger: the simulator's state machine, chosen because its results can be checked. An event is
 * a transfer {@code (from, to, amount)} followed by optional padding; the result is a status and the two new
 * balances, so a wrong order or a lost event shows in the results callers receive.
 * <p>
 * It uses the cluster's timers (docs/protocol.md §12), so that a timer fired at another position, or not at all, shows
 * in balances too: a transfer whose amount is a multiple of {@link #SWEEP_MULTIPLE} arms a sweep of the receiving
 * account, {@code amount × }{@link #SWEEP_DELAY_NS_PER_UNIT} ns of cluster time later (replacing one armed before),
 * and one whose amount is {@code 4} more than such a multiple disarms the sending account's sweep. A sweep moves one
 * unit from its account to the next, when it has one: money stays conserved.
 * <pre>
 * event:  0 int32 from, 4 int32 to, 8 int64 amount, 16.. padding (ignored)
 * result: 0 int8 status, 1 int64 balance of from, 9 int64 balance of to
 * </pre>
 */
public final class AccountLedger implements StateMachine, io.sequencer.core.SampleEvents
{
    public static final int ACCOUNTS = 8;
    public static final long INITIAL_BALANCE = 1_000;
    public static final int TRANSFER_LENGTH = 16;
    public static final int RESULT_LENGTH = 17;

    public static final byte OK = 0;
    public static final byte INSUFFICIENT_FUNDS = 1;
    public static final byte BAD_REQUEST = 2;

    public static final long SWEEP_MULTIPLE = 8;
    public static final long SWEEP_DELAY_NS_PER_UNIT = 100_000;

    private final long[] balances = new long[ACCOUNTS];
    private ClusterClock clock;

    public AccountLedger()
    {
        Arrays.fill(balances, INITIAL_BALANCE);
    }

    /**
     * A transfer between two of the accounts, derived from {@code eventId}, followed by the event id (bytes 16..23,
     * where {@code sequencer log check-acks} finds it).
     */
    public int sampleEvent(final int memberId, final long eventId, final MutableDirectBuffer buffer, final int offset)
    {
        encodeTransfer(buffer, offset, (int)(eventId & 7), (int)((eventId >>> 3) & 7), 1 + (eventId & 63), 0);
        buffer.putLong(offset + TRANSFER_LENGTH, eventId, LITTLE_ENDIAN);
        return TRANSFER_LENGTH + 8;
    }

    /** Encode a transfer at {@code offset} followed by {@code padding} bytes; @return its length. */
    public static int encodeTransfer(
        final MutableDirectBuffer buffer, final int offset, final int from, final int to, final long amount,
        final int padding)
    {
        buffer.putInt(offset, from, LITTLE_ENDIAN);
        buffer.putInt(offset + 4, to, LITTLE_ENDIAN);
        buffer.putLong(offset + 8, amount, LITTLE_ENDIAN);
        for (int i = 0; i < padding; i++)
        {
            buffer.putByte(offset + TRANSFER_LENGTH + i, (byte)(from * 31 + to * 7 + i));
        }
        return TRANSFER_LENGTH + padding;
    }

    public int apply(
        final long position,
        final DirectBuffer event,
        final int offset,
        final int length,
        final MutableDirectBuffer result,
        final int resultOffset)
    {
        byte status = BAD_REQUEST;
        int from = -1;
        int to = -1;
        if (length >= TRANSFER_LENGTH)
        {
            from = event.getInt(offset, LITTLE_ENDIAN);
            to = event.getInt(offset + 4, LITTLE_ENDIAN);
            final long amount = event.getLong(offset + 8, LITTLE_ENDIAN);
            if (valid(from) && valid(to) && from != to && amount > 0)
            {
                if (balances[from] >= amount)
                {
                    balances[from] -= amount;
                    balances[to] += amount;
                    status = OK;
                    armOrDisarmSweep(from, to, amount);
                }
                else
                {
                    status = INSUFFICIENT_FUNDS;
                }
            }
        }
        result.putByte(resultOffset, status);
        result.putLong(resultOffset + 1, valid(from) ? balances[from] : -1, LITTLE_ENDIAN);
        result.putLong(resultOffset + 9, valid(to) ? balances[to] : -1, LITTLE_ENDIAN);
        return RESULT_LENGTH;
    }

    public void onStart(final ClusterClock clock)
    {
        this.clock = clock;
    }

    /** A sweep is due: one unit from {@code timerId}'s account to the next one. */
    public void onTimer(final long position, final long timerId, final long deadlineNs)
    {
        final int from = (int)timerId;
        if (valid(from) && balances[from] > 0)
        {
            balances[from]--;
            balances[(from + 1) % ACCOUNTS]++;
        }
    }

    private void armOrDisarmSweep(final int from, final int to, final long amount)
    {
        if (clock == null)
        {
            return; // applied outside a protocol (a test's reference): no timers
        }
        if (amount % SWEEP_MULTIPLE == 0)
        {
            clock.scheduleTimer(to, clock.time() + amount * SWEEP_DELAY_NS_PER_UNIT);
        }
        else if (amount % SWEEP_MULTIPLE == 4)
        {
            clock.cancelTimer(from);
        }
    }

    public void reset()
    {
        Arrays.fill(balances, INITIAL_BALANCE);
    }

    public void snapshot(final io.sequencer.core.SnapshotWriter out)
    {
        for (int i = 0; i < ACCOUNTS; i++)
        {
            out.writeLong(balances[i]);
        }
    }

    public void restore(final io.sequencer.core.SnapshotReader in)
    {
        if (in.remaining() != ACCOUNTS * Long.BYTES)
        {
            throw new IllegalArgumentException("ledger snapshot of " + in.remaining() + " bytes; expected " +
                ACCOUNTS * Long.BYTES);
        }
        for (int i = 0; i < ACCOUNTS; i++)
        {
            balances[i] = in.readLong();
        }
    }

    public long balance(final int account)
    {
        return balances[account];
    }

    /** Total money: conserved by every transfer. */
    public long total()
    {
        long total = 0;
        for (final long b : balances)
        {
            total += b;
        }
        return total;
    }

    /** A digest of the whole state, to compare replicas. */
    public long digest()
    {
        long h = 1;
        for (final long b : balances)
        {
            h = h * 1_000_003L + b;
        }
        return h;
    }

    private static boolean valid(final int account)
    {
        return account >= 0 && account < ACCOUNTS;
    }
}
