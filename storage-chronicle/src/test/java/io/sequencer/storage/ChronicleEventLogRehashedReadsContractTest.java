package io.sequencer.storage;

import java.nio.file.Path;

/**
 * The {@link io.sequencer.core.EventLogContract} again with {@link ChronicleLogContext#rehashOnRead()} on: reads
 * that also recompute the chain hash must return the same entries and find the same damage.
 */
class ChronicleEventLogRehashedReadsContractTest extends ChronicleEventLogContractTest
{
    protected ChronicleLogContext logContext(final Path directory)
    {
        return context(directory).rehashOnRead(true);
    }
}
