package io.sequencer.core;

/**
 * When a node counts an entry as its own serialized position {@code ser_self} (docs/protocol.md §6,
 * "Durability and intactness").
 */
public enum Durability
{
    /** Appended to the (memory-mapped) log: survives any process crash, not the power loss of a quorum. */
    NONE,
    /**
     * Forced to the medium before a {@code MySerializeCounter} counts it (a group commit on the log's forcer thread):
     * survives power loss.
     */
    BATCH
}
