package io.sequencer.core.memory;

import io.sequencer.core.CheckpointStore;
import io.sequencer.core.CheckpointStoreContract;

/**
 * {@link InMemoryCheckpointStore} against the {@link CheckpointStoreContract}.
 */
class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract
{
    protected CheckpointStore newStore()
    {
        return new InMemoryCheckpointStore();
    }

    protected CheckpointStore reopen(final CheckpointStore store)
    {
        return store;
    }

    protected void damage(final CheckpointStore store, final long position)
    {
        ((InMemoryCheckpointStore)store).damage(position);
    }
}
