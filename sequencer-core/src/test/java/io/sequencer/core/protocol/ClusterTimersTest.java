package io.sequencer.core.protocol;

import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/protocol.md §12: the cluster time and the timers, entry by entry, without a protocol around them. */
final class ClusterTimersTest
{
    private final ClusterTimers timers = new ClusterTimers();
    private final Recorder machine = new Recorder();

    /** Records what fired where; its apply runs whatever the test gives it for the entry. */
    private static final class Recorder implements StateMachine
    {
        final List<String> fired = new ArrayList<>();
        Consumer<Long> onApply = position -> {};
        Consumer<Long> onFire = timerId -> {};

        public int apply(
            final long position, final DirectBuffer event, final int offset, final int length,
            final MutableDirectBuffer result, final int resultOffset)
        {
            onApply.accept(position);
            return 0;
        }

        public void onTimer(final long position, final long timerId, final long deadlineNs)
        {
            fired.add(position + ":" + timerId + "@" + deadlineNs);
            onFire.accept(timerId);
        }

        public void reset()
        {
            fired.clear();
        }

        public void snapshot(final SnapshotWriter out)
        {
        }

        public void restore(final SnapshotReader in)
        {
        }
    }

    private void entry(final long position, final long timestamp)
    {
        timers.beginApply(position, timestamp, machine, Throwable::printStackTrace);
        machine.apply(position, null, 0, 0, null, 0);
        timers.endApply();
    }

    @Test
    void timeIsTheLargestEntryTimeSoFarAndTimersFireInDeadlineThenIdOrderBeforeTheEntryThatReachesThem()
    {
        machine.onApply = position ->
        {
            if (position == 1)
            {
                timers.scheduleTimer(7, 300);
                timers.scheduleTimer(3, 300);
                timers.scheduleTimer(9, 200);
                timers.scheduleTimer(1, 1_000);
            }
        };
        entry(1, 100);
        entry(2, 50); // an origin with a slower clock: the time does not go back
        assertEquals(100, timers.currentTime());
        assertEquals(List.of(), machine.fired);
        entry(3, 300);
        assertEquals(List.of("3:9@200", "3:3@300", "3:7@300"), machine.fired);
        entry(4, 0); // an EpochStart carries no time
        assertEquals(300, timers.currentTime());
        assertEquals(1, timers.scheduled());
        assertEquals(1_000, timers.earliestDeadline());
    }

    @Test
    void aTimerNeverFiresAtTheEntryThatScheduledItNorInThePassThatScheduledIt()
    {
        machine.onApply = position ->
        {
            if (position == 1)
            {
                timers.scheduleTimer(5, 10); // already passed
            }
        };
        machine.onFire = timerId ->
        {
            if (timerId == 5)
            {
                timers.scheduleTimer(6, 0); // from a callback: the next entry, not this pass
            }
        };
        entry(1, 100);
        assertEquals(List.of(), machine.fired);
        entry(2, 100);
        assertEquals(List.of("2:5@10"), machine.fired);
        entry(3, 100);
        assertEquals(List.of("2:5@10", "3:6@0"), machine.fired);
    }

    @Test
    void replacingAndCancellingWorkAlsoOnATimerAlreadyDueInTheSamePass()
    {
        machine.onApply = position ->
        {
            if (position == 1)
            {
                timers.scheduleTimer(1, 50);
                timers.scheduleTimer(2, 60);
                timers.scheduleTimer(3, 70);
                timers.scheduleTimer(4, 80);
                timers.scheduleTimer(4, 500); // replaced: fires later
                assertTrue(timers.cancelTimer(3));
                assertFalse(timers.cancelTimer(42));
            }
        };
        machine.onFire = timerId ->
        {
            if (timerId == 1)
            {
                assertTrue(timers.cancelTimer(2), "due in this pass, not yet fired: cancelled");
            }
        };
        entry(1, 0);
        entry(2, 100);
        assertEquals(List.of("2:1@50"), machine.fired);
        entry(3, 500);
        assertEquals(List.of("2:1@50", "3:4@500"), machine.fired);
        assertEquals(0, timers.scheduled());
    }

    @Test
    void theClockRefusesUseOutsideAnEntrysApply()
    {
        assertThrows(IllegalStateException.class, timers::time);
        assertThrows(IllegalStateException.class, () -> timers.scheduleTimer(1, 1));
        assertThrows(IllegalStateException.class, () -> timers.cancelTimer(1));
    }

    @Test
    void aFailingTimerCallbackIsCountedAndTheOthersStillFire()
    {
        machine.onApply = position ->
        {
            timers.scheduleTimer(1, 10);
            timers.scheduleTimer(2, 20);
        };
        entry(1, 0);
        machine.onApply = position -> {};
        machine.onFire = timerId ->
        {
            if (timerId == 1)
            {
                throw new IllegalStateException("a bug in the state machine");
            }
        };
        final List<Throwable> errors = new ArrayList<>();
        assertEquals(1, timers.beginApply(2, 30, machine, errors::add));
        timers.endApply();
        assertEquals(List.of("2:1@10", "2:2@20"), machine.fired);
        assertEquals(1, errors.size());
    }

    @Test
    void equalStatesWriteEqualBytesWhateverTheirHistoryAndReadBackWhole()
    {
        final ClusterTimers other = new ClusterTimers();
        final Recorder otherMachine = new Recorder();
        machine.onApply = position ->
        {
            for (long id = 0; id < 40; id++)
            {
                timers.scheduleTimer(id, 1_000 + (id * 7919) % 31);
            }
            for (long id = 0; id < 40; id += 3)
            {
                timers.cancelTimer(id);
            }
        };
        otherMachine.onApply = position ->
        {
            for (long id = 39; id >= 0; id--)
            {
                if (id % 3 != 0)
                {
                    other.scheduleTimer(id, 1_000 + (id * 7919) % 31);
                }
            }
        };
        entry(1, 77);
        other.beginApply(1, 77, otherMachine, Throwable::printStackTrace);
        otherMachine.apply(1, null, 0, 0, null, 0);
        other.endApply();

        final ExpandableArrayBuffer a = new ExpandableArrayBuffer(64);
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(64);
        final int lengthA = timers.write(a, 3);
        final int lengthB = other.write(b, 3);
        assertEquals(ClusterTimers.SECTION_HEADER_LENGTH + 26 * ClusterTimers.TIMER_LENGTH, lengthA);
        assertArrayEquals(bytes(a, 3, lengthA), bytes(b, 3, lengthB));

        final ClusterTimers restored = new ClusterTimers();
        assertEquals(lengthA, restored.read(a, 3, lengthA + 5));
        assertEquals(77, restored.currentTime());
        assertEquals(26, restored.scheduled());
        final ExpandableArrayBuffer c = new ExpandableArrayBuffer(64);
        assertArrayEquals(bytes(a, 3, lengthA), bytes(c, 0, restored.write(c, 0)));
    }

    @Test
    void aSectionThatDoesNotFitIsRefusedAndChangesNothing()
    {
        machine.onApply = position -> timers.scheduleTimer(1, 10);
        entry(1, 5);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        buffer.putLong(0, 99, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(8, 1_000_000, java.nio.ByteOrder.LITTLE_ENDIAN); // a count no checkpoint of this length can hold
        assertEquals(-1, timers.read(buffer, 0, 64));
        assertEquals(-1, timers.read(buffer, 0, 8));
        buffer.putLong(8, -1, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(-1, timers.read(buffer, 0, 64));
        assertEquals(5, timers.currentTime());
        assertEquals(1, timers.scheduled());
    }

    private static byte[] bytes(final ExpandableArrayBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
