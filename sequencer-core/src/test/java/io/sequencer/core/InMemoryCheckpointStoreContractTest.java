package io.sequencer.core;

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
