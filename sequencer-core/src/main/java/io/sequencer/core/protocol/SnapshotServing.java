package io.sequencer.core.protocol;

import io.sequencer.core.CheckpointFile;
import io.sequencer.core.CheckpointStore;
import io.sequencer.core.Checksum;
import io.sequencer.core.EventLog;
import io.sequencer.core.ProcessCrash;
import io.sequencer.core.RecoveredFault;
import io.sequencer.core.Transport;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.SnapshotFrame;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The sending side of snapshot transfer (docs/protocol.md §13): a member asked for entries at or below its log's
 * base sends a checkpoint instead, its file's bytes as they are stored, a window of frames per request and a few
 * frames per duty cycle, beside what its own ordering sends. The receiver checks the whole file; one it reports
 * damaged is checked here and, if it fails, never offered again by this process.
 * <p>
 * Duty cycle only. Allocates nothing per frame.
 */
final class SnapshotServing
{
    /** Frames a window holds: the requester asks for the next window when half of this one is in. */
    static final int FRAMES_PER_WINDOW = 8;

    private final EventLog log;
    private final CheckpointStore checkpoints;
    private final Transport transport;
    private final ProtocolCounters counters;
    private final ErrorHandler errorHandler;
    private final SnapshotFrame frame = new SnapshotFrame();
    private final UnsafeBuffer buffer;
    private final int configurationWord;
    private final int dataPerFrame;
    /** Per requester: the checkpoint served (0: none), the next byte, where the window asked for ends. */
    private final long[] position;
    private final long[] chk;
    private final long[] fileLength;
    private final long[] next;
    private final long[] end;
    /** Checkpoints found damaged after a requester's report: never offered again. */
    private final long[] damaged = new long[8];
    private int damagedCount;
    /**
     * The last checkpoint a damage report made this member check and found sound, and when: not checked again for it
     * within {@link #RECHECK_NS} (a whole file's check runs on the duty cycle).
     */
    private long checkedSound;
    private long checkedSoundAtNs;
    static final long RECHECK_NS = 60_000_000_000L;

    SnapshotServing(
        final int members,
        final EventLog log,
        final CheckpointStore checkpoints,
        final Transport transport,
        final ProtocolCounters counters,
        final ErrorHandler errorHandler,
        final int frameBytes,
        final int configurationWord)
    {
        this.configurationWord = configurationWord;
        this.log = log;
        this.checkpoints = checkpoints;
        this.transport = transport;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.buffer = new UnsafeBuffer(new byte[Math.max(frameBytes, SnapshotFrame.DATA_OFFSET + 1024)]);
        this.dataPerFrame = buffer.capacity() - SnapshotFrame.DATA_OFFSET;
        position = new long[members];
        chk = new long[members];
        fileLength = new long[members];
        next = new long[members];
        end = new long[members];
    }

    /** The bytes a window asks for. */
    long windowBytes()
    {
        return (long)dataPerFrame * FRAMES_PER_WINDOW;
    }

    /**
     * {@code requester} asks for the checkpoint at {@code wanted} (0: the newest this member offers) from byte
     * {@code fileOffset}. One this member no longer offers is replaced by the newest it does, from its start.
     *
     * @return whether there is one to send.
     */
    boolean request(final int requester, final long wanted, final long fileOffset)
    {
        if (wanted != 0 && wanted == position[requester] && fileOffset == end[requester] &&
            next[requester] < end[requester])
        {
            end[requester] = Math.min(fileLength[requester], fileOffset + windowBytes()); // the next window, queued
            return true;
        }
        final long offered = wanted != 0 && offerable(wanted) ? wanted : newestOfferable();
        if (offered == 0)
        {
            position[requester] = 0;
            counters.snapshotsUnavailable++;
            return false;
        }
        final long length = checkpoints.fileLength(offered);
        if (length <= 0)
        {
            position[requester] = 0;
            counters.snapshotsUnavailable++;
            return false;
        }
        final long from = offered == wanted && fileOffset <= length ? fileOffset : 0;
        if (from == 0)
        {
            counters.snapshotsOffered++;
        }
        position[requester] = offered;
        chk[requester] = log.chkAt(offered);
        fileLength[requester] = length;
        next[requester] = from;
        end[requester] = Math.min(length, from + windowBytes());
        return true;
    }

    /** A requester found the checkpoint at {@code at} damaged: check it, and never offer it again if it is. */
    void damaged(final int requester, final long at, final long nowNs)
    {
        position[requester] = 0;
        if (isDamaged(at) || (at == checkedSound && nowNs - checkedSoundAtNs < RECHECK_NS))
        {
            return; // checked already: a whole file's check on the duty cycle once per checkpoint, not per report
        }
        try (CheckpointFile.Reader reader = checkpoints.open(at))
        {
            if (reader != null)
            {
                checkedSound = at;
                checkedSoundAtNs = nowNs;
                return; // sound here: the requester's copy was damaged on the way or there; it asks again
            }
        }
        counters.checkpointsSkipped++;
        errorHandler.onError(new RecoveredFault("checkpoint at " + at + " reported damaged by a member receiving " +
            "it, and damaged here too: no longer offered"));
        markDamaged(at);
    }

    private void markDamaged(final long at)
    {
        damaged[damagedCount % damaged.length] = at;
        damagedCount++;
    }

    /**
     * The empty snapshot (position 0): this log holds every entry from position 1, so a member that needs a snapshot
     * and cannot be offered a checkpoint starts its log anew and fetches it all.
     */
    void offerEmpty(final int requester, final int selfId, final int clusterId, final long epoch, final int[] memberIds)
    {
        position[requester] = 0;
        frame.encode(buffer, 0, selfId, clusterId, epoch, memberIds[requester], 0, Checksum.EMPTY, 0, Checksum.EMPTY,
            0, 0, 0, 0);
        FrameHeader.configuration(buffer, 0, configurationWord);
        if (transport.publish(buffer, 0, frame.encodedLength()))
        {
            counters.frameOut(MessageType.SNAPSHOT);
            counters.snapshotsOffered++;
        }
        else
        {
            counters.publishBackPressure++; // it asks again
        }
    }

    /** Stop serving {@code requester} (a new epoch: it asks again). */
    void stop(final int requester)
    {
        position[requester] = 0;
    }

    /** Stop every transfer: a new epoch (each requester asks again in it). */
    void stopAll()
    {
        java.util.Arrays.fill(position, 0);
    }

    /**
     * Send up to {@code maxFrames} frames of each window asked for.
     *
     * @return the frames sent.
     */
    int serve(
        final int selfId, final int clusterId, final long epoch, final int[] memberIds, final int maxFrames)
    {
        int frames = 0;
        for (int i = 0; i < position.length; i++)
        {
            int sent = 0;
            while (position[i] != 0 && next[i] < end[i] && sent < maxFrames)
            {
                final int want = (int)Math.min(dataPerFrame, end[i] - next[i]);
                final int n;
                try
                {
                    n = checkpoints.readFile(position[i], next[i], buffer, SnapshotFrame.DATA_OFFSET, want);
                }
                catch (final RuntimeException ex)
                {
                    // unreadable now (perhaps only for now): not served; the requester asks again, and a file that
                    // stays damaged is found by its check and reported
                    ProcessCrash.rethrowIfCrash(ex);
                    errorHandler.onError(ex);
                    position[i] = 0;
                    break;
                }
                if (n <= 0)
                {
                    position[i] = 0; // deleted meanwhile (retention): the requester asks again and gets the newest
                    break;
                }
                frame.encode(buffer, 0, selfId, clusterId, epoch, memberIds[i], position[i], chk[i], log.base(),
                    log.chkAt(log.base()), log.baseEpoch(), fileLength[i], next[i], n);
                FrameHeader.configuration(buffer, 0, configurationWord);
                if (!transport.publish(buffer, 0, frame.encodedLength()))
                {
                    counters.publishBackPressure++;
                    break;
                }
                counters.frameOut(MessageType.SNAPSHOT);
                counters.snapshotBytesServed += n;
                next[i] += n;
                sent++;
            }
            frames += sent;
        }
        return frames;
    }

    private long newestOfferable()
    {
        long at = checkpoints.latestAtOrBelow(log.have());
        while (at > 0 && at >= log.base())
        {
            if (offerable(at))
            {
                return at;
            }
            at = checkpoints.latestAtOrBelow(at - 1);
        }
        return 0;
    }

    /** A checkpoint of this log at or above its base, not found damaged. */
    private boolean offerable(final long at)
    {
        return at >= log.base() && at <= log.have() && !isDamaged(at) && checkpoints.recordedWith(at, log.chkAt(at));
    }

    private boolean isDamaged(final long at)
    {
        for (int i = 0; i < Math.min(damagedCount, damaged.length); i++)
        {
            if (damaged[i] == at)
            {
                return true;
            }
        }
        return false;
    }
}
