package io.sequencer.core;

/**
 * The mode of a node's protocol.
 */
public enum NodeMode
{
    /** Created, not yet started. */
    INIT,
    /** In an epoch change (PROTOCOL.md §4): reporting, aligning to the base, waiting for a quorum. */
    BOOT,
    /** Ordering, serializing and acknowledging events in the current epoch (PROTOCOL.md §3). */
    RUNNING,
    /** Stopped by a fatal protocol assertion, or left out of the configuration. */
    STOPPED
}
