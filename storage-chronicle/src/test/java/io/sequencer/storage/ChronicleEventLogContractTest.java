package io.sequencer.storage;

import io.sequencer.core.EventLog;
import io.sequencer.core.EventLogContract;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@link ChronicleEventLog} against the {@link EventLogContract}, with 8 entries per cycle file so that every
 * boundary test crosses several files. Damage is a flipped byte in the entry's stored fields, found in its cycle file.
 */
class ChronicleEventLogContractTest extends EventLogContract
{
    static final int CLUSTER_ID = 7;
    static final int ENTRIES_PER_CYCLE = 8;

    @TempDir
    Path root;

    private int logs;

    static ChronicleLogContext context(final Path directory)
    {
        return new ChronicleLogContext()
            .directory(directory)
            .clusterId(CLUSTER_ID)
            .entriesPerCycle(ENTRIES_PER_CYCLE)
            .blockSize(256 * 1024);
    }

    /** The context every log of this suite opens with. */
    protected ChronicleLogContext logContext(final Path directory)
    {
        return context(directory);
    }

    protected EventLog newLog()
    {
        return ChronicleEventLog.open(logContext(root.resolve("log-" + logs++)));
    }

    protected EventLog reopen(final EventLog log)
    {
        final Path directory = ((ChronicleEventLog)log).directory();
        log.close();
        return ChronicleEventLog.open(logContext(directory));
    }

    protected EventLog damageAndReopen(final EventLog log, final long position)
    {
        final ChronicleEventLog chronicleLog = (ChronicleEventLog)log;
        final long chk = log.chkAt(position);
        final Path file = chronicleLog.directory().resolve(ChronicleEventLog.QUEUE_DIRECTORY)
            .resolve(ChronicleEventLog.cycleFileName(chronicleLog.cycleOf(position)));
        log.close();
        try
        {
            QueueFiles.flipByteAfter(file, chk, 8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        // an open that walks every cycle: a plain one trusts the seals of full cycles and finds damage in them only
        // when it reads them (ChronicleEventLogDamageTest.damageInASealedCycleIsFoundByTheReadThatMeetsIt)
        return ChronicleEventLog.open(logContext(chronicleLog.directory()).verifyWholeLogAtOpen(true));
    }

    protected int cycleLength()
    {
        return ENTRIES_PER_CYCLE;
    }
}
