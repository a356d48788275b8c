package io.sequencer.core.protocol;

import io.sequencer.core.SubmitStatus;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R1–R5 and R2a: what gets ordered when, and in which order.
 */
class OrderingTest
{
    @Test
    void eventWaitsForEveryOtherActiveMembersPromise()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.newEvent(1, 1, 1);
        h.work();
        assertEquals(List.of(), h.logOrigins(), "member 2 has promised nothing yet");
        assertEquals(1, h.protocol.pendingCount());

        h.promise(2, 1);
        h.work();
        assertEquals(List.of(1), h.logOrigins(), "ordered once every other active member promised >= 1");
        assertEquals(0, h.protocol.pendingCount());
    }

    @Test
    void promiseEqualToTheCounterIsEnough()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.newEvent(1, 7, 1);
        h.promise(2, 6);
        h.work();
        assertEquals(List.of(), h.logOrigins(), "promise 6 < counter 7");

        h.promise(2, 7);
        h.work();
        assertEquals(List.of(7L), h.logCounters(), "R5 is >=: promise 7 covers counter 7");
    }

    @Test
    void equalCountersAreOrderedByOriginIdWhateverTheArrivalOrder()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.newEvent(2, 5, 1); // member 2's event arrives first
        h.newEvent(1, 5, 1);
        h.work();
        assertEquals(List.of(1, 2), h.logOrigins(), "key (E, 5, 1) < (E, 5, 2)");
    }

    @Test
    void ownEventTiesWithPeerEventByOriginId()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 1);
        h.newEvent(0, 1, 1);   // L = 1
        h.newEvent(2, 1, 1);
        assertEquals(SubmitStatus.ACCEPTED, h.submit(100, 8)); // own counter 2
        h.newEvent(0, 2, 2);
        h.newEvent(2, 2, 2);
        h.work();
        assertEquals(List.of(0, 2, 0, 1, 2), h.logOrigins(), "(1,0) (1,2) (2,0) (2,1) (2,2)");
        assertEquals(List.of(1L, 1L, 2L, 2L, 2L), h.logCounters());
    }

    @Test
    void laterEventOfOneOriginNeverOvertakesAnEarlierOneOfAnother()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.newEvent(1, 3, 1);
        h.newEvent(2, 2, 1);
        h.newEvent(2, 4, 2);
        h.work();
        assertEquals(List.of(2, 1), h.logOrigins(), "(2,2) then (3,1); (4,2) waits for member 1's promise >= 4");
        h.promise(1, 4);
        h.work();
        assertEquals(List.of(2L, 3L, 4L), h.logCounters());
    }

    @Test
    void receivedEventRaisesTheClockAndOnePromiseCoversABurst()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.newEvent(1, 3, 1);
        h.newEvent(1, 9, 2);
        h.newEvent(2, 5, 1);
        assertEquals(9, h.protocol.clock(), "L = max(L, c)");
        h.transport.published.clear();
        h.work();
        final List<UnsafeBuffer> promises = h.transport.ofType(MessageType.MY_ORDER_COUNTER);
        assertEquals(1, promises.size(), "one MyOrderCounter per duty cycle, however many events");
        final MyOrderCounterFrame promise = new MyOrderCounterFrame();
        promise.wrap(promises.get(0), 0, promises.get(0).capacity());
        assertEquals(9, promise.counter());

        h.transport.published.clear();
        h.work();
        assertTrue(h.transport.ofType(MessageType.MY_ORDER_COUNTER).isEmpty(), "nothing new to promise");
    }

    @Test
    void ownNewEventLeavesBeforeAnyPromiseThatCoversIt()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.newEvent(1, 4, 1);
        assertEquals(SubmitStatus.ACCEPTED, h.submit(1, 8));
        assertEquals(SubmitStatus.ACCEPTED, h.submit(2, 8));
        h.work();

        long highestPromise = 0;
        final NewEventFrame newEvent = new NewEventFrame();
        final MyOrderCounterFrame promise = new MyOrderCounterFrame();
        for (int i = 0; i < h.transport.published.size(); i++)
        {
            final UnsafeBuffer f = h.transport.published.get(i);
            if (h.transport.typeAt(i) == MessageType.NEW_EVENT)
            {
                newEvent.wrap(f, 0, f.capacity());
                assertTrue(newEvent.counter() > highestPromise, "R2a/I7: NewEvent " + newEvent.counter() +
                    " after promise " + highestPromise);
                highestPromise = newEvent.counter();
            }
            else if (h.transport.typeAt(i) == MessageType.MY_ORDER_COUNTER)
            {
                promise.wrap(f, 0, f.capacity());
                highestPromise = Math.max(highestPromise, promise.counter());
            }
        }
        assertEquals(6, highestPromise, "own events took counters 5 and 6");
    }

    @Test
    void singleMemberOrdersAndAcknowledgesOnItsOwn()
    {
        final ProtocolHarness h = new ProtocolHarness(1, 0);
        assertEquals(SubmitStatus.ACCEPTED, h.submit(1, 8));
        assertEquals(SubmitStatus.ACCEPTED, h.submit(2, 8));
        h.work();
        assertEquals(2, h.completed.size());
        assertEquals(2, h.completed.get(0).position(), "position 1 is the EpochStart");
        assertEquals(3, h.completed.get(1).position());
        assertTrue(h.transport.published.isEmpty(), "nobody to tell");
    }
}
