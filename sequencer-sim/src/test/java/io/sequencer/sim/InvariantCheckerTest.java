package io.sequencer.sim;

import io.sequencer.core.LogEntry;
import io.sequencer.core.EntryType;
import io.sequencer.core.SubmitStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks issue 9 added to the checker, each shown failing on a log damaged behind the protocol's back: I3
 * within the fault budget (q copies of every acknowledged event, fewer only by the members the faults impaired), and
 * I10 (every logged payload is the one its client submitted).
 */
class InvariantCheckerTest
{
    private static final long SECOND = 1_000_000_000L;

    /** Three members running, four events acknowledged, every log holding them. */
    private static ScenarioCluster threeMembersWithAcknowledgedEvents()
    {
        final ScenarioCluster c = new ScenarioCluster(3).start(0, 1, 2);
        c.runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        for (int k = 0; k < 4; k++)
        {
            assertEquals(SubmitStatus.ACCEPTED, c.submit(k % 3));
        }
        c.runUntil(() -> c.acknowledged[0].size() + c.acknowledged[1].size() + c.acknowledged[2].size() == 4 &&
            c.identical(0, 1, 2), SECOND, "four events acknowledged, everywhere");
        return c;
    }

    @Test
    void acknowledgedEventsNeedQCopiesLessOnlyWhatTheBudgetedFaultsTook()
    {
        final ScenarioCluster c = threeMembersWithAcknowledgedEvents();
        c.crash(1).crash(2);
        final long top = c.logs[0].have();
        c.logs[1].loseTail(top); // behind everyone's back: no fault the simulator knows of
        c.logs[2].loseTail(top);

        c.checker.checkAckedRecoverable(new boolean[] { true, false, true }, 1);
        assertNull(c.checker.violation(), "one member impaired: one intact copy is enough");

        c.checker.checkAckedRecoverable(new boolean[] { true, true, true }, 0);
        assertNotNull(c.checker.violation(), "nothing impaired: q copies needed, one left");
        assertTrue(c.checker.violation().startsWith("I3: acknowledged event"), c.checker.violation());
        assertTrue(c.checker.violation().contains("the budget needs 2"), c.checker.violation());
    }

    @Test
    void aLoggedPayloadThatIsNotWhatItsClientSubmittedIsCaught()
    {
        final ScenarioCluster c = threeMembersWithAcknowledgedEvents();
        c.crash(2);
        final io.sequencer.core.LogEntry last = c.entry(0, c.logs[0].have());
        final UnsafeBuffer damaged = new UnsafeBuffer(new byte[last.payloadLength()]);
        last.payload().getBytes(last.payloadOffset(), damaged, 0, last.payloadLength());
        damaged.putByte(last.payloadLength() - 1, (byte)~damaged.getByte(last.payloadLength() - 1));
        c.logs[2].loseTail(1);
        // Another epoch, so that I2 (same epoch, same position) does not speak first: only the payload is wrong.
        c.logs[2].append(new LogEntry().header(EntryType.EVENT, last.epoch() + 1, last.counter(), last.originId(),
            last.incarnation(), last.localSeq(), last.timestamp()).payload(damaged, 0, damaged.capacity()));
        c.checker.afterStep(c.nowNs);
        assertNotNull(c.checker.violation());
        assertTrue(c.checker.violation().startsWith("I10") && c.checker.violation().contains("its client submitted"),
            c.checker.violation());
    }

    @Test
    void anEventNoClientSubmittedIsCaught()
    {
        final ScenarioCluster c = threeMembersWithAcknowledgedEvents();
        c.crash(2);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        c.logs[2].append(new LogEntry().header(EntryType.EVENT, 1, 99, c.cluster.memberId(0), 77, 1, 0)
                .payload(payload, 0, 16));
        c.checker.afterStep(c.nowNs);
        assertNotNull(c.checker.violation());
        assertTrue(c.checker.violation().startsWith("I10") && c.checker.violation().contains("no client submitted"),
            c.checker.violation());
    }

    /**
     * A reset to a base above the log's end (a snapshot installed past it) replaces every entry the checker read: an
     * event of the discarded tail appended again above the base is in the log once (seed 32 --long on 3 nodes was
     * reported as I4), and a second copy above the base is still caught.
     */
    @Test
    void anEventOfATailAResetDiscardedIsInTheLogOnceWhenAppendedAgain()
    {
        final ScenarioCluster c = threeMembersWithAcknowledgedEvents();
        c.crash(2);
        final LogEntry last = c.entry(2, c.logs[2].have());
        assertEquals(EntryType.EVENT, last.type());
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[last.payloadLength()]);
        last.payload().getBytes(last.payloadOffset(), payload, 0, last.payloadLength());
        final LogEntry again = new LogEntry().header(EntryType.EVENT, last.epoch() + 1, last.counter(),
            last.originId(), last.incarnation(), last.localSeq(), last.timestamp()).payload(payload, 0,
            payload.capacity());

        c.logs[2].resetTo(c.logs[2].have() + 10, 1234, last.epoch());
        c.logs[2].append(again);
        c.checker.afterStep(c.nowNs);
        assertNull(c.checker.violation(), "the first copy went with the reset");

        c.logs[2].append(again);
        c.checker.afterStep(c.nowNs);
        assertNotNull(c.checker.violation());
        assertTrue(c.checker.violation().startsWith("I4: event"), c.checker.violation());
    }
}
