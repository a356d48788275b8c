package io.sequencer.core.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TimerSlackTest
{
    @Test
    void aThreadSetsItsOwnSlackAndTheThreadsItStartsInheritIt() throws Exception
    {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "skipped: no /proc/thread-self (not Linux)");
        final long callersBefore = TimerSlack.get();
        final AtomicLong own = new AtomicLong();
        final AtomicLong inherited = new AtomicLong();
        final AtomicLong set = new AtomicLong();
        final Thread thread = new Thread(() ->
        {
            set.set(TimerSlack.set(2_000) ? 1 : 0);
            own.set(TimerSlack.get());
            final Thread child = new Thread(() -> inherited.set(TimerSlack.get()));
            child.start();
            try
            {
                child.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        thread.join();
        assertEquals(1, set.get(), "set");
        assertEquals(2_000, own.get(), "the thread's own slack");
        assertEquals(2_000, inherited.get(), "a thread it started");
        assertEquals(callersBefore, TimerSlack.get(), "per thread: the caller's slack did not change");
    }

    @Test
    void aSlackThatIsNotPositiveIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> TimerSlack.set(0));
        assertThrows(IllegalArgumentException.class, () -> TimerSlack.set(-1));
    }
}
