package io.sequencer.storage;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

// a forcer that left a waiter parked would hang the build, not fail it: the test runs on a thread of its own
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class LogForcerTest
{
    private final List<long[]> forces = new CopyOnWriteArrayList<>();
    private final CountDownLatch inForce = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    /** An action that records each force and holds the first one until {@link #release}. */
    private void holdFirst(final long forcedBefore, final long target)
    {
        forces.add(new long[] { forcedBefore, target });
        if (forces.size() == 1)
        {
            inForce.countDown();
            try
            {
                assertTrue(release.await(20, TimeUnit.SECONDS));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aRequestReturnsWhileItsForceRunsAndTheRequestsMadeMeanwhileAreForcedTogether() throws InterruptedException
    {
        final LogForcer forcer = new LogForcer(this::holdFirst, "test log");
        forcer.restartAt(3);
        forcer.request(10); // returns with the force held on the forcer's thread
        assertTrue(inForce.await(20, TimeUnit.SECONDS));
        assertEquals(3, forcer.forced(), "nothing counts as forced while its force runs");
        forcer.request(17);
        forcer.request(25);

        release.countDown();
        awaitTrue(() -> forcer.forced() == 25, "the later requests forced");
        forcer.stop();
        assertEquals(2, forces.size(), "one force for both requests made during the first");
        assertEquals(List.of(3L, 10L), List.of(forces.get(0)[0], forces.get(0)[1]));
        assertEquals(List.of(10L, 25L), List.of(forces.get(1)[0], forces.get(1)[1]));
    }

    @Test
    void aFailedForceCountsNothingMoreAsForcedAndIsReported()
    {
        final LogForcer forcer = new LogForcer((before, target) ->
        {
            throw new IOException("EIO");
        }, "test log");
        forcer.restartAt(5);
        forcer.request(9);
        forcer.await(); // returns: a failure ends the wait
        assertEquals(5, forcer.forced());
        assertTrue(forcer.failure().contains("test log up to entry 9") && forcer.failure().contains("EIO"),
            forcer.failure());
        forcer.stop();

        final LogForcer broken = new LogForcer((before, target) ->
        {
            throw new AssertionError("an invariant");
        }, "test log");
        broken.request(3);
        broken.await(); // an Error ends the wait too: the forcer's thread does not die with the waiter parked
        assertTrue(broken.failure().contains("an invariant"), broken.failure());
        broken.stop();
    }

    @Test
    void awaitReturnsOnceEverythingRequestedIsForcedAndARestartMovesBothBack()
    {
        final LogForcer forcer = new LogForcer((before, target) -> forces.add(new long[] { before, target }),
            "test log");
        forcer.await(); // nothing started: returns at once
        forcer.request(4);
        forcer.await();
        assertEquals(4, forcer.forced());
        assertNull(forcer.failure());

        forcer.restartAt(2); // a cut to 2
        forcer.request(6);
        forcer.await();
        assertEquals(6, forcer.forced());
        assertEquals(List.of(2L, 6L), List.of(forces.get(1)[0], forces.get(1)[1]), "from the cut, not from 4");
        forcer.stop();
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadlineNs, what + " within 20 s");
            Thread.onSpinWait();
        }
    }
}
