package io.sequencer.core.protocol;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.CommittedEntries;
import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.sim.AccountLedger;
import io.sequencer.sim.SimCommittedEntries;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot thread chains every entry it applies onto the one before by its hash, from the checkpoint it started
 * at: the node's reader of committed entries no longer hashes them (it checks their CRC32C, stored position and the
 * predecessor they name), so this is the check that keeps an entry whose checksum does not follow from its content
 * out of every checkpoint.
 */
class SnapshotterChainTest
{
    private static final long MILLISECOND = 1_000_000L;
    private static final long ENTRIES = 100;
    private static final long BROKEN = 60;
    private static final long INTERVAL = 10;

    @Test
    void anEntryWhoseChecksumDoesNotFollowFromItsContentIsNeverApplied()
    {
        final InMemoryEventLog log = new InMemoryEventLog();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        final LogEntry appending = new LogEntry();
        for (long k = 1; k <= ENTRIES; k++)
        {
            payload.putLong(0, k);
            log.append(appending.header(EntryType.EVENT, 1, k, 0, 1, k, k).payload(payload, 0, 16));
        }
        // hands on the log's entries as stored, but entry 60 with a checksum one off: what a reader that does not
        // hash would hand on from a log whose entry was altered with its CRC32C made to match
        final CommittedEntries.Handler[] downstream = new CommittedEntries.Handler[1];
        final CommittedEntries.Handler tamper = entry ->
        {
            if (entry.position() == BROKEN)
            {
                entry.at(BROKEN, entry.chk() + 1);
            }
            downstream[0].onEntry(entry);
        };
        final List<Throwable> errors = new ArrayList<>();
        final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        try (Snapshotter snapshotter = new Snapshotter(
            new ProtocolContext().cluster(ClusterConfig.ofSize(9, 1)).memberId(0).checkpointInterval(INTERVAL),
            new AccountLedger(), checkpoints,
            from -> new CommittedEntries()
            {
                private final SimCommittedEntries entries = new SimCommittedEntries(log, () -> ENTRIES, from);

                public int poll(final Handler handler, final int limit)
                {
                    downstream[0] = handler;
                    return entries.poll(tamper, limit);
                }

                public void close()
                {
                    entries.close();
                }
            },
            () -> true, SnapshotterChainTest::retainUpTo, SnapshotterChainTest::checkpointNeeded, errors::add))
        {
            for (int cycle = 0; cycle < 20; cycle++)
            {
                snapshotter.doWork(cycle * MILLISECOND);
            }

            assertEquals(BROKEN - 1, snapshotter.position(), "applied up to the entry before the one that does not " +
                "chain, and no further");
            assertEquals(BROKEN - INTERVAL, checkpoints.latestAtOrBelow(Long.MAX_VALUE), "no checkpoint past it");
            assertTrue(snapshotter.failures() > 1, "reported, and met again after each start from the checkpoint " +
                "below it: " + snapshotter.failures());
            assertTrue(errors.get(0).getMessage().contains("does not chain"), errors.get(0).getMessage());
        }
    }

    /** The log here is never discarded. */
    private static void retainUpTo(final long position)
    {
    }

    /** The log here starts at position 1: a start never needs the duty cycle's checkpoint. */
    private static void checkpointNeeded()
    {
    }
}
