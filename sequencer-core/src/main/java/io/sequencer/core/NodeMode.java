package io.sequencer.core;

/**
 * The mode of a node's protocol.
 */
public enum NodeMode
{
    /** Created, not yet started. */
    INIT,
    /** Ordering, serializing and acknowledging events in the current epoch (PROTOCOL.md §3). */
    RUNNING
}
