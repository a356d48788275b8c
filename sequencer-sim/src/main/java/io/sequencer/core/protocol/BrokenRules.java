package io.sequencer.core.protocol;

import io.sequencer.core.EntryType;
import io.sequencer.core.codec.MessageType;
import io.sequencer.sim.ProtocolDefect;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.EnumSet;

/**
 * {@link ProtocolRules} with the deliberately wrong variants of {@link ProtocolDefect}, one member's (the variant that
 * holds frames back keeps state). The defects that stand for the design note's boot rules (the literal cut, no
 * coordinator, the base by {@code have}) also drop the durable floor to 0: the note has no such assertion, and the
 * point is to show that the checker, not the protocol's own guard, catches what they lose.
 */
final class BrokenRules extends ProtocolRules
{
    private final EnumSet<ProtocolDefect> defects;
    private final boolean unguarded;
    /** PROMISE_BEFORE_EVENT: own {@code NewEvent} frames held back until after the duty cycle's promise. */
    private final ExpandableArrayBuffer heldFrames = new ExpandableArrayBuffer(4096);
    private int heldLength;
    /** CORRUPT_RESUBMITTED_PAYLOAD: the damaged copy a resubmission is proposed with. */
    private final ExpandableArrayBuffer damaged = new ExpandableArrayBuffer(256);

    BrokenRules(final EnumSet<ProtocolDefect> defects)
    {
        this.defects = EnumSet.copyOf(defects);
        this.unguarded = defects.contains(ProtocolDefect.LITERAL_CUT_RULE)
            || defects.contains(ProtocolDefect.NO_COORDINATOR) || defects.contains(ProtocolDefect.BASE_BY_HAVE_ONLY);
    }

    @Override
    boolean orderedFirst(final int originIdA, final long arrivalA, final int originIdB, final long arrivalB)
    {
        return defects.contains(ProtocolDefect.NO_ORIGIN_TIE_BREAK) ?
            arrivalA < arrivalB : super.orderedFirst(originIdA, arrivalA, originIdB, arrivalB);
    }

    @Override
    boolean promisedPast(final long bound, final long counter)
    {
        return defects.contains(ProtocolDefect.STRICT_PROMISE) ? bound > counter : super.promisedPast(bound, counter);
    }

    @Override
    boolean rejoinsEpoch(final boolean mayHaveRun)
    {
        return defects.contains(ProtocolDefect.REJOIN_AFTER_RUNNING) || super.rejoinsEpoch(mayHaveRun);
    }

    @Override
    boolean refusesContradictingReports()
    {
        return !defects.contains(ProtocolDefect.COUNT_CONTRADICTING_REPORTS) && super.refusesContradictingReports();
    }

    @Override
    boolean heedsHearsMasks()
    {
        return !defects.contains(ProtocolDefect.NO_HEARS_MASKS) && super.heedsHearsMasks();
    }

    @Override
    long acknowledgedUpTo(final long guaranteed, final long have)
    {
        return defects.contains(ProtocolDefect.ACK_AT_HAVE) ? have : super.acknowledgedUpTo(guaranteed, have);
    }

    @Override
    boolean publishOwnEvent(final Ordering ordering, final SequencerProtocol p, final long counter, final int length)
    {
        if (!defects.contains(ProtocolDefect.PROMISE_BEFORE_EVENT))
        {
            return super.publishOwnEvent(ordering, p, counter, length);
        }
        heldFrames.putInt(heldLength, length);
        heldFrames.putBytes(heldLength + Integer.BYTES, p.sendBuffer, 0, length);
        heldLength += Integer.BYTES + length;
        return true;
    }

    @Override
    int afterPromise(final SequencerProtocol p)
    {
        int offset = 0;
        int sent = 0;
        while (offset < heldLength)
        {
            final int frameLength = heldFrames.getInt(offset);
            if (!p.publisher.publish(MessageType.NEW_EVENT, heldFrames, offset + Integer.BYTES, frameLength))
            {
                break;
            }
            offset += Integer.BYTES + frameLength;
            sent++;
        }
        heldFrames.putBytes(0, heldFrames, offset, heldLength - offset);
        heldLength -= offset;
        return sent;
    }

    @Override
    void onEpochEntered()
    {
        heldLength = 0;
    }

    @Override
    boolean proposeResubmitted(
        final Ordering ordering, final long localSeq, final DirectBuffer payload, final int offset, final int length)
    {
        if (!defects.contains(ProtocolDefect.CORRUPT_RESUBMITTED_PAYLOAD) || length == 0)
        {
            return super.proposeResubmitted(ordering, localSeq, payload, offset, length);
        }
        damaged.putBytes(0, payload, offset, length);
        damaged.putByte(length - 1, (byte)~damaged.getByte(length - 1));
        return ordering.propose(EntryType.EVENT, localSeq, damaged, 0, length);
    }

    @Override
    boolean coordinated()
    {
        return !defects.contains(ProtocolDefect.NO_COORDINATOR);
    }

    @Override
    int chooseBase(final EpochReports reports, final int memberCount, final int quorum)
    {
        if (defects.contains(ProtocolDefect.LITERAL_CUT_RULE))
        {
            return reporterWithQuorumHighestHave(reports, memberCount, quorum);
        }
        if (!defects.contains(ProtocolDefect.BASE_BY_HAVE_ONLY))
        {
            return super.chooseBase(reports, memberCount, quorum);
        }
        int base = -1;
        for (int i = 0; i < memberCount; i++)
        {
            if (reports.reported[i] && reports.reportIntact[i] &&
                (base < 0 || reports.reportHave[i] > reports.reportHave[base]))
            {
                base = i;
            }
        }
        return base;
    }

    @Override
    long durableFloor(final long guaranteed)
    {
        return unguarded ? 0 : super.durableFloor(guaranteed);
    }

    /** The design note's B3: the reporter holding the highest {@code have} that a majority of the reporters reach. */
    private static int reporterWithQuorumHighestHave(
        final EpochReports reports, final int memberCount, final int quorum)
    {
        int chosen = -1;
        for (int i = 0; i < memberCount; i++)
        {
            if (!reports.reported[i])
            {
                continue;
            }
            int atLeast = 0;
            for (int j = 0; j < memberCount; j++)
            {
                if (reports.reported[j] && reports.reportHave[j] >= reports.reportHave[i])
                {
                    atLeast++;
                }
            }
            if (atLeast >= quorum && (chosen < 0 || reports.reportHave[i] > reports.reportHave[chosen]))
            {
                chosen = i;
            }
        }
        return chosen;
    }
}
