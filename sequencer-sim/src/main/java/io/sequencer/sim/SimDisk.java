package io.sequencer.sim;

import io.sequencer.core.CheckpointStore;
import io.sequencer.core.EntryType;
import io.sequencer.core.EventLog;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.LogEntry;
import io.sequencer.core.NodeStore;
import org.agrona.DirectBuffer;

/**
 * One simulated machine's storage — log, checkpoints and node store — which outlives the processes that use it,
 * with the faults listed in docs/design.md, "The simulator": a crash trap that kills the process at a chosen point
 * inside a storage call, a torn last write, power loss that drops what was not forced, and a wiped disk; and those of
 * issue 9: a crash inside a node-state write (the write is lost: the old state survives) or right after one (before
 * anything is sent: the new state survives), which are the two outcomes the real store's two copies leave, a
 * node-state file lost to the crash (it then reads as a new, uninitialized store: with two copies, a harsher fault
 * than one torn write), and a copy of the whole disk to restore later (an old backup put back).
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
        BEFORE_FORCE,
        /**
         * Inside the snapshot thread's next checkpoint write, part way through the state machine's snapshot: the
         * checkpoint never lands (the real store writes a temporary file and renames it once whole and forced).
         */
        INSIDE_CHECKPOINT,
        /** Inside a snapshot transfer: the process dies while writing the next bytes received. */
        INSIDE_TRANSFER,
        /** Right before the log is reset to an installed snapshot's base (the checkpoint is in place). */
        BEFORE_RESET
    }

    /** Where an armed node-state trap kills the process. */
    enum StoreTrap
    {
        NONE,
        /** Inside the next write: it never lands, the old state survives. */
        LOST_WRITE,
        /** Right after the next write landed, before the protocol sends anything. */
        AFTER_WRITE,
        /** Inside the next write, and the file is damaged: it reads as a new, uninitialized store. */
        TORN_WRITE
    }

    /** A copy of the whole disk at one moment. */
    record Backup(InMemoryEventLog log, InMemoryCheckpointStore checkpoints, InMemoryNodeStore store, long takenNs)
    {
    }

    /** Forces asked for without waiting complete at a later step of the node, as on the log's forcer thread. */
    final InMemoryEventLog log = new InMemoryEventLog(256, 16 * 1024).deferRequestedForces(true);
    final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    final InMemoryNodeStore store = new InMemoryNodeStore();
    long bootId = 1;
    Trap trap = Trap.NONE;
    Trap firedTrap = Trap.NONE;
    StoreTrap storeTrap = StoreTrap.NONE;
    StoreTrap firedStoreTrap = StoreTrap.NONE;
    /**
     * Asked when a {@link StoreTrap#TORN_WRITE} fires: may this disk lose its node state now? If not, the write is
     * lost.
     */
    java.util.function.BooleanSupplier tearAllowed = () -> true;
    /**
     * {@link ProtocolDefect#TEAR_WHEN_FULL}: an append without room returns as if written, as Chronicle's mapped append
     * did before docs/protocol.md §10.7, and the process dies at the next append (the JVM's InternalError for the
     * SIGBUS); the entries written without room are lost with the process ({@link #loseUnwritten}).
     */
    boolean tearWhenFull;
    /** With {@link #tearWhenFull}: the first entry appended without room, not on the disk; 0 when none. */
    private long unwrittenFrom;
    /** The file system turned read-only: node-state writes are refused. */
    boolean readOnly;
    Backup backup;

    Backup copy(final long nowNs)
    {
        return new Backup(log.copy(), checkpoints.copy(), store.copy(), nowNs);
    }

    void restore(final Backup backup)
    {
        log.restore(backup.log());
        checkpoints.restore(backup.checkpoints());
        store.restore(backup.store());
    }

    final EventLog logView = new ForwardingEventLog(log)
    {
        public void resetTo(final long base, final long chk, final long baseEpoch)
        {
            if (trap == Trap.BEFORE_RESET)
            {
                fire("before resetting the log to " + base);
            }
            log.resetTo(base, chk, baseEpoch);
            unwrittenFrom = 0; // gone with the entries the reset replaced
        }

        public long append(final LogEntry entry)
        {
            final InMemoryEventLog disk = SimDisk.this.log;
            if (tearWhenFull && disk.have() - disk.base() >= disk.room())
            {
                if (unwrittenFrom > 0)
                {
                    fire("the InternalError of the append of " + unwrittenFrom + ", which found no room");
                }
                final long room = disk.room();
                disk.room(Long.MAX_VALUE);
                try
                {
                    unwrittenFrom = disk.append(entry);
                }
                finally
                {
                    disk.room(room);
                }
                return unwrittenFrom;
            }
            final long position = log.append(entry);
            if (trap == Trap.TORN_APPEND)
            {
                SimDisk.this.log.tearLastEntry();
                fire("torn append of position " + position);
            }
            if (trap == Trap.AFTER_EPOCH_START && entry.type() == EntryType.EPOCH_START)
            {
                fire("right after appending EpochStart(" + entry.epoch() + ") at " + position);
            }
            return position;
        }

        public void unrollTo(final long position, final long floor)
        {
            if (trap == Trap.INSIDE_UNROLL)
            {
                fire("inside unrollTo(" + position + ") with " + log.have() + " entries");
            }
            log.unrollTo(position, floor);
            if (position < unwrittenFrom)
            {
                unwrittenFrom = 0; // cut with the entries above the position
            }
        }

        public void force()
        {
            if (trap == Trap.BEFORE_FORCE)
            {
                fire("before forcing " + log.have());
            }
            log.force();
        }

        public void requestForce()
        {
            if (trap == Trap.BEFORE_FORCE)
            {
                fire("before forcing " + log.have());
            }
            log.requestForce(); // done later, when the node's step completes it (the log's forcer thread)
        }
    };

    final CheckpointStore checkpointView = new CheckpointStore()
    {
        public void save(final long position, final long chk,
            final java.util.function.Consumer<io.sequencer.core.SnapshotWriter> content)
        {
            if (trap == Trap.INSIDE_CHECKPOINT)
            {
                content.accept(new io.sequencer.core.CheckpointFile.Writer(
                    java.nio.channels.Channels.newChannel(java.io.OutputStream.nullOutputStream()), position, chk));
                fire("inside the checkpoint at " + position);
            }
            checkpoints.save(position, chk, content);
        }

        public long latestAtOrBelow(final long position)
        {
            return checkpoints.latestAtOrBelow(position);
        }

        public long chkAt(final long position)
        {
            return checkpoints.chkAt(position);
        }

        public boolean recordedWith(final long position, final long chk)
        {
            return checkpoints.recordedWith(position, chk);
        }

        public io.sequencer.core.CheckpointFile.Reader open(final long position)
        {
            return checkpoints.open(position);
        }

        public void retainFrom(final long position)
        {
            checkpoints.retainFrom(position);
        }

        public void unrollUntil(final long position)
        {
            checkpoints.unrollUntil(position);
        }

        public long fileLength(final long position)
        {
            return checkpoints.fileLength(position);
        }

        public int readFile(
            final long position, final long fileOffset, final org.agrona.MutableDirectBuffer destination,
            final int offset, final int length)
        {
            return checkpoints.readFile(position, fileOffset, destination, offset, length);
        }

        public Incoming receive(final long position, final long chk)
        {
            final Incoming incoming = checkpoints.receive(position, chk);
            return new Incoming()
            {
                public long received()
                {
                    return incoming.received();
                }

                public void write(final DirectBuffer source, final int offset, final int length)
                {
                    if (trap == Trap.INSIDE_TRANSFER)
                    {
                        fire("inside the transfer of the checkpoint at " + position + ", at byte " +
                            incoming.received());
                    }
                    incoming.write(source, offset, length);
                }

                public void complete()
                {
                    incoming.complete();
                }

                public void close()
                {
                    incoming.close();
                }
            };
        }

        public void close()
        {
        }
    };

    final NodeStore storeView = new NodeStore()
    {
        public boolean initialized()
        {
            return store.initialized();
        }

        public void initialize()
        {
            write("initialize", store::initialize);
        }

        public long logId()
        {
            return store.logId();
        }

        public void logId(final long logId)
        {
            write("logId=" + logId, () -> store.logId(logId));
        }

        public long highWater()
        {
            return store.highWater();
        }

        public void highWater(final long position)
        {
            write("highWater=" + position, () -> store.highWater(position));
        }

        public long currentEpoch()
        {
            return store.currentEpoch();
        }

        public void currentEpoch(final long epoch)
        {
            write("currentEpoch=" + epoch, () -> store.currentEpoch(epoch));
        }

        public void epochChange(final long epoch, final long guaranteed, final long highWater)
        {
            // One write in the real store (both copies): lost, torn or followed by a crash as a whole.
            write("epochChange(" + epoch + ", " + guaranteed + ", " + highWater + ")",
                () -> store.epochChange(epoch, guaranteed, highWater));
        }

        public long guaranteed()
        {
            return store.guaranteed();
        }

        public void guaranteed(final long guaranteed)
        {
            write("guaranteed=" + guaranteed, () -> store.guaranteed(guaranteed));
        }

        public boolean amnesia()
        {
            return store.amnesia();
        }

        public void amnesia(final boolean amnesia)
        {
            write("amnesia=" + amnesia, () -> store.amnesia(amnesia));
        }

        public long bootId()
        {
            return store.bootId();
        }

        public void bootId(final long bootId)
        {
            write("bootId=" + bootId, () -> store.bootId(bootId));
        }

        public long unrollIntent()
        {
            return store.unrollIntent();
        }

        public void unrollIntent(final long position)
        {
            write("unrollIntent=" + position, () -> store.unrollIntent(position));
        }

        public void close()
        {
        }
    };

    private void write(final String what, final Runnable write)
    {
        if (readOnly)
        {
            throw new java.io.UncheckedIOException("node state: " + what + " refused",
                new java.io.IOException("Read-only file system"));
        }
        switch (storeTrap)
        {
            case NONE:
                write.run();
                return;
            case AFTER_WRITE:
                write.run();
                fireStore("right after the node-state write " + what);
                return;
            case TORN_WRITE:
                if (tearAllowed.getAsBoolean())
                {
                    store.wipe();
                    fireStore("inside the node-state write " + what + ", which tore the file");
                    return;
                }
                storeTrap = StoreTrap.LOST_WRITE;
                fireStore("inside the node-state write " + what + ", which was lost");
                return;
            case LOST_WRITE:
            default:
                fireStore("inside the node-state write " + what + ", which was lost");
        }
    }

    private void fireStore(final String where)
    {
        firedStoreTrap = storeTrap;
        storeTrap = StoreTrap.NONE;
        throw new SimulatedCrash(where);
    }

    /**
     * The process died: an entry {@link #tearWhenFull} let through without room never reached the disk, and the next
     * open finds it torn and cuts it (with everything after it).
     */
    void loseUnwritten()
    {
        if (unwrittenFrom > log.base() && unwrittenFrom <= log.have())
        {
            log.tearEntry(unwrittenFrom);
        }
        unwrittenFrom = 0;
    }

    private void fire(final String where)
    {
        firedTrap = trap;
        trap = Trap.NONE;
        throw new SimulatedCrash(where);
    }
}
