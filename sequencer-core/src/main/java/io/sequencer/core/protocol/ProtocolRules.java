package io.sequencer.core.protocol;

import io.sequencer.core.EntryType;
import io.sequencer.core.codec.MessageType;
import org.agrona.DirectBuffer;

/**
 * The protocol's rules at the points where the design note left a choice (docs/protocol.md): the tie-break and
 * promise bound of R5, the acknowledgement level of R9, the frame order of R2a, resubmission (B6), the coordinator
 * (B2), the base with the durable floor a decision must not cut below (B3, B5) and the hears masks of one-way
 * faults (§10.4). This class is the protocol as specified and the only one the library ever constructs; its methods
 * are package-private, so nothing outside this package can supply another. The simulator's module overrides them, from
 * this package, with the deliberately wrong variants that show its checker catches a broken protocol (docs/design.md,
 * "The simulator"). A rule, not a switch: no production path asks which variant is running.
 */
class ProtocolRules
{
    /** The protocol as specified: stateless, shared by every member of the process. */
    static final ProtocolRules SPECIFIED = new ProtocolRules();

    ProtocolRules()
    {
    }

    /** R5: of two pending heads with equal counters, whether the one of {@code originIdA} is ordered first. */
    boolean orderedFirst(final int originIdA, final long arrivalA, final int originIdB, final long arrivalB)
    {
        return originIdA < originIdB;
    }

    /** R5: whether a member whose promise (or clock) is {@code bound} can no longer send {@code counter} or below. */
    boolean promisedPast(final long bound, final long counter)
    {
        return bound >= counter;
    }

    /** R9: the highest position up to which this member's own events are reported done. */
    long acknowledgedUpTo(final long guaranteed, final long have)
    {
        return guaranteed;
    }

    /**
     * R2a: publish an own {@code NewEvent} encoded at the start of the protocol's send buffer. The event is itself a
     * promise of its counter, so it goes out before any {@code MyOrderCounter} that covers it.
     *
     * @return false if the channel refused it (tried again later).
     */
    boolean publishOwnEvent(final Ordering ordering, final SequencerProtocol p, final long counter, final int length)
    {
        if (!p.publisher.publish(MessageType.NEW_EVENT, length))
        {
            return false;
        }
        ordering.lastPromiseSent = counter;
        return true;
    }

    /** Frames a rule held back until after the duty cycle's promise; the rule as specified holds none. */
    int afterPromise(final SequencerProtocol p)
    {
        return 0;
    }

    /** A new epoch begins: whatever a rule held back for the last one is void. */
    void onEpochEntered()
    {
    }

    /** B6: propose a resubmitted own event again, with the payload its client submitted. */
    boolean proposeResubmitted(
        final Ordering ordering, final long localSeq, final DirectBuffer payload, final int offset, final int length)
    {
        return ordering.propose(EntryType.EVENT, localSeq, payload, offset, length);
    }

    /**
     * B1: whether a restarted member may go back into the epoch its node state names (holding no decision of it)
     * instead of entering a new one, given whether it {@code mayHaveRun} in it: only if it cannot have, since a member
     * that ran there and comes back with its promises and events forgotten would order there a second time.
     */
    boolean rejoinsEpoch(final boolean mayHaveRun)
    {
        return !mayHaveRun;
    }

    /**
     * §10.3: whether a boot report that contradicts this log where no correct member's log can is refused (no vote)
     * rather than counted.
     */
    boolean refusesContradictingReports()
    {
        return true;
    }

    /** B2: whether an epoch's coordinator decides it (else every member decides alone from the reports it heard). */
    boolean coordinated()
    {
        return true;
    }

    /**
     * §10.4: whether hears masks count: only a frame that says its sender hears this member is a sign of life, a
     * member that does not hear a quorum moves to no new epoch on its own (check-quorum), and a higher epoch is not
     * adopted while its sender does not hear a quorum (pre-vote).
     */
    boolean heedsHearsMasks()
    {
        return true;
    }

    /** B3: the index of the base: the intact report with the largest {@code (lastNormalEpoch, have)}. */
    int chooseBase(final EpochReports reports, final int memberCount, final int quorum)
    {
        int base = -1;
        for (int i = 0; i < memberCount; i++)
        {
            if (reports.reported[i] && reports.reportIntact[i] && (base < 0 ||
                reports.reportLastNormalEpoch[i] > reports.reportLastNormalEpoch[base] ||
                (reports.reportLastNormalEpoch[i] == reports.reportLastNormalEpoch[base] &&
                reports.reportHave[i] > reports.reportHave[base])))
            {
                base = i;
            }
        }
        return base;
    }

    /**
     * B3 and B5: the position below which a decision may not cut a log that has {@code guaranteed} as its
     * watermark (an intact member's or report's {@code g}): everything up to it is durable on a quorum.
     */
    long durableFloor(final long guaranteed)
    {
        return guaranteed;
    }
}
