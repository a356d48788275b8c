package io.sequencer.core.protocol;

import io.sequencer.core.CompletionHandler;
import io.sequencer.core.Durability;
import io.sequencer.core.codec.MySerializeCounterFrame;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R6–R9 and I9: a caller hears "done" only once its event is in the logs of a quorum.
 */
class DurabilityTest
{
    @Test
    void oneMemberAcknowledgesAfterTheLocalAppend()
    {
        final ProtocolHarness h = new ProtocolHarness(1, 0);
        h.submit(7, 16);
        assertTrue(h.completed.isEmpty(), "not yet serialized");
        h.work();
        assertEquals(1, h.completed.size());
        assertEquals(7, h.completed.get(0).correlationId());
        assertEquals(h.log.have(), h.protocol.guaranteed());
    }

    @Test
    void oneMemberUnderBatchAcknowledgesOnlyWhatIsForced()
    {
        final ProtocolHarness h = new ProtocolHarness(1, 0, Durability.BATCH);
        h.submit(7, 16);
        h.work();
        assertEquals(1, h.completed.size());
        assertEquals(h.log.have(), h.log.forcedPosition(), "forced before acknowledging");
    }

    @Test
    void twoMembersAcknowledgeNothingWhileThePeerIsSilent()
    {
        final ProtocolHarness h = new ProtocolHarness(2, 0);
        h.submit(1, 8);
        h.submit(2, 8);
        for (int i = 0; i < 100; i++)
        {
            h.advance(1_000_000);
        }
        assertTrue(h.completed.isEmpty(), "a silent peer: nothing is acknowledged");
        assertEquals(1, h.log.have(), "and nothing is even ordered: the peer promised nothing");
        assertTrue(h.protocol.isSuspected(1), "R10: the silent peer is suspected");
    }

    @Test
    void twoMembersAcknowledgeOnlyOnceThePeerReportsTheEvent()
    {
        final ProtocolHarness h = new ProtocolHarness(2, 0);
        h.submit(1, 8);          // counter 1
        h.promise(1, 1);         // the peer received it and promises past it
        h.work();
        assertEquals(2, h.log.have(), "ordered and serialized locally");
        assertTrue(h.completed.isEmpty(), "but only this node holds it");

        h.report(1, 0, 1);       // the peer holds only the EpochStart
        h.work();
        assertTrue(h.completed.isEmpty());

        h.report(1, 0, 2);
        h.work();
        assertEquals(1, h.completed.size(), "held by both: durable");
        assertEquals(2, h.completed.get(0).position());
        assertEquals(2, h.protocol.guaranteed());
    }

    @Test
    void threeMembersNeedOnePeerReport()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.submit(1, 8);
        h.promise(1, 1);
        h.promise(2, 1);
        h.work();
        assertTrue(h.completed.isEmpty());
        h.report(2, 0, 2);
        h.work();
        assertEquals(1, h.completed.size(), "q = 2 of 3: this node and member 2");
    }

    @Test
    void reportWithAnotherChecksumIsNotCounted()
    {
        final ProtocolHarness h = new ProtocolHarness(2, 0);
        h.submit(1, 8);
        h.promise(1, 1);
        h.work();
        h.report(1, 0, 2, h.log.chkAt(2) ^ 1, h.protocol.currentEpoch());
        h.work();
        assertTrue(h.completed.isEmpty(), "the peer's entry at 2 is not ours");
        assertEquals(1, h.protocol.counters().reportChkMismatches());
        assertEquals(1, h.protocol.ser(1), "still the EpochStart only");
    }

    @Test
    void reportFromBeforeThePeerAlignedIsNotCounted()
    {
        final ProtocolHarness h = new ProtocolHarness(2, 0);
        h.submit(1, 8);
        h.promise(1, 1);
        h.work();
        h.report(1, 0, 2, h.log.chkAt(2), h.protocol.currentEpoch() - 1);
        h.work();
        assertTrue(h.completed.isEmpty(), "lastNormalEpoch != E: sent before the peer finished B5");
    }

    @Test
    void batchCountsOnlyForcedEntriesAsOwnSerialized()
    {
        final ProtocolHarness h = new ProtocolHarness(2, 0, Durability.BATCH);
        h.submit(1, 8);
        h.promise(1, 1);
        h.work();
        assertEquals(h.log.have(), h.log.forcedPosition(), "forced in the duty cycle that appended");
        h.report(1, 0, 2);
        h.work();
        assertEquals(1, h.completed.size());
    }

    @Test
    void underBatchTheReportWaitsForTheForceRunningOffTheDutyCycleThenFollowsIt()
    {
        final ProtocolHarness h = new ProtocolHarness(2, 0, Durability.BATCH);
        h.log.deferRequestedForces(true); // as the Chronicle log's forcer thread: done some cycles later
        h.submit(1, 8);
        h.promise(1, 1);
        h.work();
        assertEquals(2, h.log.have(), "serialized");
        h.report(1, 0, 2);
        for (int i = 0; i < 5; i++)
        {
            h.work();
        }
        assertTrue(h.completed.isEmpty(), "held by the peer, not forced here: one copy that survives power loss");
        for (final org.agrona.concurrent.UnsafeBuffer frame :
            h.transport.ofType(io.sequencer.core.codec.MessageType.MY_SERIALIZE_COUNTER))
        {
            final MySerializeCounterFrame report = new MySerializeCounterFrame();
            report.wrap(frame, 0, MySerializeCounterFrame.LENGTH);
            assertTrue(report.have() < 2, "no report claims the unforced entry");
        }

        h.log.completeRequestedForce();
        h.transport.published.clear();
        h.work();
        assertEquals(1, h.completed.size(), "forced here too: acknowledged");
        assertEquals(2, lastReportedHave(h), "reported in the cycle that saw the force done, nothing new ordered");
    }

    private static long lastReportedHave(final ProtocolHarness h)
    {
        final java.util.List<org.agrona.concurrent.UnsafeBuffer> reports =
            h.transport.ofType(io.sequencer.core.codec.MessageType.MY_SERIALIZE_COUNTER);
        assertTrue(!reports.isEmpty(), "a report was sent");
        final MySerializeCounterFrame report = new MySerializeCounterFrame();
        report.wrap(reports.get(reports.size() - 1), 0, MySerializeCounterFrame.LENGTH);
        return report.have();
    }

    @Test
    void completionsArriveInSubmissionOrderWithTheirResults()
    {
        final ProtocolHarness h = new ProtocolHarness(2, 0);
        for (int i = 1; i <= 3; i++)
        {
            h.submit(10 + i, 8);
        }
        h.promise(1, 3);
        h.work();
        h.report(1, 0, h.log.have());
        h.work();
        assertEquals(3, h.completed.size());
        for (int i = 0; i < 3; i++)
        {
            final ProtocolHarness.Completed c = h.completed.get(i);
            assertEquals(11 + i, c.correlationId());
            assertEquals(2 + i, c.position());
            assertEquals(c.position(), new org.agrona.concurrent.UnsafeBuffer(c.result()).getLong(0),
                "the result the state machine returned at that position");
        }
    }

    @Test
    void adoptsAQuorumWatermarkFromACountedReport()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.submit(1, 8);
        h.promise(1, 1);
        h.promise(2, 1);
        h.work();
        h.report(1, 2, 2); // member 1 already knows position 2 is durable (member 2 told it)
        h.work();
        assertEquals(2, h.protocol.guaranteed());
        assertEquals(1, h.completed.size());
    }

    @Test
    void throwingStateMachineStillCompletesTheDurableEventAsFailed()
    {
        final ProtocolHarness h = new ProtocolHarness(1, 0);
        h.apply = (position, event, offset, length, result, resultOffset) ->
        {
            throw new IllegalStateException("boom");
        };
        h.submit(1, 8);
        h.work();
        assertEquals(1, h.completed.size());
        assertEquals(CompletionHandler.APPLY_FAILED, h.completed.get(0).status());
        assertEquals(1, h.protocol.counters().applyErrors());
        assertEquals(1, h.errors.size());
    }
}
