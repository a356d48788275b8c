package io.sequencer.core.protocol;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.CompletionHandler;
import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The state the log's entries build, and what a checkpoint holds of it: the user's {@link StateMachine}, the cluster
 * time and timers (docs/protocol.md §12), and the deduplication index (each origin's newest event id, R6). The duty
 * cycle keeps one, applying entries as they are ordered; the snapshot thread keeps another, applying committed
 * entries to write checkpoints ({@link Snapshotter}). The same code applies, writes and restores for both, so a
 * checkpoint one writes is the state the other would have built. Single-threaded; allocation-free once warm.
 * <p>
 * The checkpoint's own section, before the state machine's snapshot: for each of {@link ClusterConfig#MAX_MEMBERS}
 * member slots the incarnation and local sequence of its newest applied event, then the timers' section
 * ({@link ClusterTimers#write}).
 */
final class Replica
{
    private final StateMachine stateMachine;
    private final ClusterTimers timers = new ClusterTimers();
    private final ErrorHandler errorHandler;
    private final int maxResultLength;
    private final UnsafeBuffer resultBuffer;
    private final long[] dedupIncarnation;
    private final long[] dedupLocalSeq;
    private final ExpandableArrayBuffer timersBuffer = new ExpandableArrayBuffer(256);
    private int resultLength;
    private long applyErrors;
    private long appliedUpTo;

    Replica(
        final StateMachine stateMachine, final int memberCount, final int maxResultLength,
        final ErrorHandler errorHandler)
    {
        this.stateMachine = stateMachine;
        this.errorHandler = errorHandler;
        this.maxResultLength = maxResultLength;
        resultBuffer = new UnsafeBuffer(new byte[Math.max(1, maxResultLength)]);
        dedupIncarnation = new long[memberCount];
        dedupLocalSeq = new long[memberCount];
        stateMachine.onStart(timers);
    }

    ClusterTimers timers()
    {
        return timers;
    }

    /** The position of the last entry applied; 0 before the first. */
    long appliedUpTo()
    {
        return appliedUpTo;
    }

    /** Failures of the state machine's {@code apply} and {@code onTimer} so far, each counted and reported. */
    long applyErrors()
    {
        return applyErrors;
    }

    DirectBuffer result()
    {
        return resultBuffer;
    }

    /** The length of the result of the last event applied. */
    int resultLength()
    {
        return resultLength;
    }

    /** R6: whether the event id {@code (incarnation, localSeq)} of the origin at index {@code origin} is applied. */
    boolean isApplied(final int origin, final long incarnation, final long localSeq)
    {
        return incarnation < dedupIncarnation[origin] ||
            (incarnation == dedupIncarnation[origin] && localSeq <= dedupLocalSeq[origin]);
    }

    /** The newest {@code localSeq} of {@code incarnation} applied from {@code origin}; 0 when none. */
    long newestApplied(final int origin, final long incarnation)
    {
        return incarnation < dedupIncarnation[origin] ? Long.MAX_VALUE :
            incarnation == dedupIncarnation[origin] ? dedupLocalSeq[origin] : 0;
    }

    /** Back to the state before position 1. */
    void reset()
    {
        stateMachine.reset();
        timers.reset();
        java.util.Arrays.fill(dedupIncarnation, 0);
        java.util.Arrays.fill(dedupLocalSeq, 0);
        appliedUpTo = 0;
        resultLength = 0;
    }

    /**
     * Apply the entry at {@code position}, the next one: the timers its time reaches fire first (§12), then an event
     * goes to the state machine, whose failure is counted and reported, never thrown.
     *
     * @param origin the index of the entry's origin in the cluster, or -1 when it has none there.
     * @return the completion status; the result is in {@link #result()}, its length {@link #resultLength()}.
     */
    int apply(final LogEntry entry, final int origin)
    {
        final long position = entry.position();
        final int type = entry.type();
        final long incarnation = entry.incarnation();
        final long localSeq = entry.localSeq();
        assert position == appliedUpTo + 1 : "applying " + position + " after " + appliedUpTo;
        int status = CompletionHandler.OK;
        resultLength = 0;
        applyErrors += timers.beginApply(position, entry.timestamp(), stateMachine, errorHandler);
        if (type == EntryType.EVENT)
        {
            try
            {
                resultLength = stateMachine.apply(
                    position, entry.payload(), entry.payloadOffset(), entry.payloadLength(), resultBuffer, 0);
                if (resultLength < 0 || resultLength > maxResultLength)
                {
                    throw new IllegalStateException("state machine returned a result length of " + resultLength +
                        " at position " + position + "; expected 0.." + maxResultLength);
                }
            }
            catch (final RuntimeException ex)
            {
                status = CompletionHandler.APPLY_FAILED;
                resultLength = 0;
                applyErrors++;
                errorHandler.onError(ex);
            }
            if (origin >= 0)
            {
                dedupIncarnation[origin] = incarnation;
                dedupLocalSeq[origin] = localSeq;
            }
        }
        timers.endApply();
        appliedUpTo = position;
        return status;
    }

    /** Write the checkpoint of the state as it is: this replica's section, then the state machine's snapshot. */
    void writeCheckpoint(final SnapshotWriter out)
    {
        for (int i = 0; i < ClusterConfig.MAX_MEMBERS; i++)
        {
            out.writeLong(i < dedupIncarnation.length ? dedupIncarnation[i] : 0);
            out.writeLong(i < dedupLocalSeq.length ? dedupLocalSeq[i] : 0);
        }
        out.write(timersBuffer, 0, timers.write(timersBuffer, 0));
        stateMachine.snapshot(out);
    }

    /**
     * Replace the state with the checkpoint {@code in} holds, taken after position {@code position}.
     *
     * @return null when restored; else what is wrong with it, and the state is reset (position 0).
     */
    String restore(final SnapshotReader in, final long position)
    {
        reset();
        try
        {
            for (int i = 0; i < ClusterConfig.MAX_MEMBERS; i++)
            {
                final long incarnation = in.readLong();
                final long localSeq = in.readLong();
                if (i < dedupIncarnation.length)
                {
                    dedupIncarnation[i] = incarnation;
                    dedupLocalSeq[i] = localSeq;
                }
            }
            final long time = in.readLong();
            final long count = in.readLong();
            if (count < 0 || count > (in.remaining() / ClusterTimers.TIMER_LENGTH))
            {
                throw new IllegalStateException("a timer section of " + count + " timers");
            }
            final int length = ClusterTimers.SECTION_HEADER_LENGTH + (int)count * ClusterTimers.TIMER_LENGTH;
            timersBuffer.putLong(0, time, java.nio.ByteOrder.LITTLE_ENDIAN);
            timersBuffer.putLong(Long.BYTES, count, java.nio.ByteOrder.LITTLE_ENDIAN);
            timersBuffer.checkLimit(length);
            in.read(timersBuffer, ClusterTimers.SECTION_HEADER_LENGTH, length - ClusterTimers.SECTION_HEADER_LENGTH);
            if (timers.read(timersBuffer, 0, length) < 0)
            {
                throw new IllegalStateException("its timer section is not well formed");
            }
            stateMachine.restore(in);
            appliedUpTo = position;
            return null;
        }
        catch (final RuntimeException ex)
        {
            reset();
            return ex.getMessage() != null ? ex.getMessage() : ex.toString();
        }
    }
}
