package io.sequencer.core;

/**
 * The one namespace of submit outcomes that are not a completion: what {@link SequencerProtocol#submit} returns, what
 * a node answers a refused submit with ({@code CompletionListener.onRejected}), and what a client's
 * {@code submit} and {@code submitAndWait} return when no completion is to be had. Non-negative means accepted; every
 * refusal is negative, so it never collides with a completion's status ({@link CompletionHandler#OK} and up).
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
    /** The client was closed: nothing was accepted. */
    public static final int CLOSED = -4;
    /**
     * The event WAS accepted, but its outcome did not arrive within the time a blocking submit waited: it may still
     * become durable (its completion then arrives through the client's {@code poll}, under the same correlation id).
     * Not a refusal: submitting the same event again may order it twice.
     */
    public static final int TIMED_OUT = -5;

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
            case CLOSED: return "CLOSED";
            case TIMED_OUT: return "TIMED_OUT";
            default: return "UNKNOWN(" + status + ")";
        }
    }
}
