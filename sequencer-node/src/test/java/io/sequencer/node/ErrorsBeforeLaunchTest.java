package io.sequencer.node;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorsBeforeLaunchTest
{
    @Test
    void errorsBeforeTheLogExistsReachItInOrderAndLaterOnesFollow()
    {
        final List<Throwable> wrapped = new ArrayList<>();
        final List<Throwable> log = new ArrayList<>();
        final ErrorsBeforeLaunch errors = new ErrorsBeforeLaunch(wrapped::add);
        final Throwable first = new IllegalStateException("first");
        final Throwable second = new IllegalStateException("second");
        errors.onError(first);
        errors.onError(second);
        assertEquals(List.of(first, second), wrapped, "passed on at once, as before");
        assertEquals(List.of(), log);

        errors.recordInto(log::add);
        assertEquals(List.of(first, second), log, "the kept ones, in their order");
        final Throwable third = new IllegalStateException("third");
        errors.onError(third);
        assertEquals(List.of(first, second, third), log);
        assertEquals(List.of(first, second, third), wrapped);
    }

    @Test
    void aStartWithMoreErrorsThanKeptSaysHowManyWereNotKept()
    {
        final List<Throwable> log = new ArrayList<>();
        final List<Throwable> passed = new ArrayList<>();
        final ErrorsBeforeLaunch errors = new ErrorsBeforeLaunch(passed::add);
        for (int i = 0; i < ErrorsBeforeLaunch.KEPT + 3; i++)
        {
            errors.onError(new IllegalStateException("error " + i));
        }
        errors.recordInto(log::add);
        assertEquals(ErrorsBeforeLaunch.KEPT + 3, passed.size(), "every one passed on");
        assertEquals(ErrorsBeforeLaunch.KEPT + 1, log.size());
        assertEquals("error 0", log.get(0).getMessage());
        assertTrue(log.get(ErrorsBeforeLaunch.KEPT).getMessage().startsWith("3 more errors before"),
            log.get(ErrorsBeforeLaunch.KEPT).getMessage());
        final Throwable later = new IllegalStateException("later");
        errors.onError(later);
        assertSame(later, log.get(log.size() - 1));
    }
}
