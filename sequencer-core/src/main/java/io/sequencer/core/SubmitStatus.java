package io.sequencer.core;

/**
 * Result codes of {@link SequencerProtocol#submit}. Non-negative means accepted.
 */
public final class SubmitStatus
{
    /** Accepted: the completion arrives once the event is durable. */
    public static final int ACCEPTED = 0;
    /** Too many own events in flight, or the channel refused the frame: nothing was accepted; retry later. */
    public static final int BACK_PRESSURED = -1;
    /** The event is larger than the configured maximum event length: refused, nothing was accepted. */
    public static final int TOO_LARGE = -2;
    /** The node is not running (booting, or stopped): refused, nothing was accepted. */
    public static final int NOT_RUNNING = -3;

    private SubmitStatus()
    {
    }

    public static String name(final int status)
    {
        switch (status)
        {
            case ACCEPTED: return "ACCEPTED";
            case BACK_PRESSURED: return "BACK_PRESSURED";
            case TOO_LARGE: return "TOO_LARGE";
            case NOT_RUNNING: return "NOT_RUNNING";
            default: return "UNKNOWN(" + status + ")";
        }
    }
}
