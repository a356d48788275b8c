package io.sequencer.core;

/**
 * The mode of a node's protocol.
 */
public enum NodeMode
{
    /** Created, not yet started. */
    INIT,
    /** In an epoch change (docs/protocol.md §4, "Boot mode"): reporting, aligning to the base, waiting for a quorum. */
    BOOT,
    /** Ordering, serializing and acknowledging events in the current epoch (docs/protocol.md §3, "Running mode"). */
    RUNNING,
    /** Stopped by a fatal protocol assertion, or left out of the configuration. */
    STOPPED
}
