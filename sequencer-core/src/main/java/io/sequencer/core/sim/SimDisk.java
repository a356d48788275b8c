package io.sequencer.core.sim;

import io.sequencer.core.CheckpointStore;
import io.sequencer.core.EntryType;
import io.sequencer.core.EventLog;
import io.sequencer.core.InMemoryCheckpointStore;
import io.sequencer.core.InMemoryEventLog;
import io.sequencer.core.InMemoryNodeStore;
import io.sequencer.core.LogEntry;
import io.sequencer.core.NodeStore;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * One simulated machine's storage — log, checkpoints and node store — which outlives the processes that use it,
 * with the faults of PROTOCOL.md §7: a crash trap that kills the process at a chosen point inside a storage call,
 * a torn last write, power loss that drops what was not forced, and a wiped disk.
 */
final class SimDisk
{
    /** Where the armed trap kills the process. */
    enum Trap
    {
        NONE,
        /** The next append is half written: the entry is torn, then the process dies. */
        TORN_APPEND,
        /** Inside an unroll: after the intent is recorded and the checkpoints cut, before the log is cut. */
        INSIDE_UNROLL,
        /** Right after an {@code EpochStart} is appended. */
        AFTER_EPOCH_START,
        /** At the next force (batch): after the bytes are written, before they are known durable. */
        BEFORE_FORCE
    }

    final InMemoryEventLog log = new InMemoryEventLog(256, 16 * 1024);
    final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    final InMemoryNodeStore store = new InMemoryNodeStore();
    long bootId = 1;
    Trap trap = Trap.NONE;
    Trap firedTrap = Trap.NONE;

    final EventLog logView = new EventLog()
    {
        public long logId()
        {
            return log.logId();
        }

        public long have()
        {
            return log.have();
        }

        public long chkAt(final long position)
        {
            return log.chkAt(position);
        }

        public long append(
            final int type, final long epoch, final long counter, final int originId, final long incarnation,
            final long localSeq, final DirectBuffer payload, final int payloadOffset, final int payloadLength)
        {
            final long position = log.append(
                type, epoch, counter, originId, incarnation, localSeq, payload, payloadOffset, payloadLength);
            if (trap == Trap.TORN_APPEND)
            {
                log.tearLastEntry();
                fire("torn append of position " + position);
            }
            if (trap == Trap.AFTER_EPOCH_START && type == EntryType.EPOCH_START)
            {
                fire("right after appending EpochStart(" + epoch + ") at " + position);
            }
            return position;
        }

        public boolean read(final long position, final LogEntry entry)
        {
            return log.read(position, entry);
        }

        public void unrollTo(final long position, final long floor)
        {
            if (trap == Trap.INSIDE_UNROLL)
            {
                fire("inside unrollTo(" + position + ") with " + log.have() + " entries");
            }
            log.unrollTo(position, floor);
        }

        public long lastEpochStartPosition()
        {
            return log.lastEpochStartPosition();
        }

        public boolean damagedAtOpen()
        {
            return log.damagedAtOpen();
        }

        public void force()
        {
            if (trap == Trap.BEFORE_FORCE)
            {
                fire("before forcing " + log.have());
            }
            log.force();
        }

        public long forcedPosition()
        {
            return log.forcedPosition();
        }

        public void close()
        {
        }
    };

    final CheckpointStore checkpointView = new CheckpointStore()
    {
        public void save(final long position, final long chk, final DirectBuffer data, final int offset,
            final int length)
        {
            checkpoints.save(position, chk, data, offset, length);
        }

        public long latestAtOrBelow(final long position)
        {
            return checkpoints.latestAtOrBelow(position);
        }

        public long chkAt(final long position)
        {
            return checkpoints.chkAt(position);
        }

        public int read(final long position, final ExpandableArrayBuffer into)
        {
            return checkpoints.read(position, into);
        }

        public void unrollUntil(final long position)
        {
            checkpoints.unrollUntil(position);
        }

        public void close()
        {
        }
    };

    final NodeStore storeView = store;

    private void fire(final String where)
    {
        firedTrap = trap;
        trap = Trap.NONE;
        throw new SimulatedCrash(where);
    }
}
