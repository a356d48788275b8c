package io.sequencer.core;

/**
 * Why a coordinator left a configured member out of the active set it decided (docs/protocol.md B2, B4): what the node
 * log and {@link ProtocolListener#onLeftOut} report. A member left out asks in again (B6), so each of these costs
 * epochs: an operator reads from them what to fix.
 */
public enum LeftOutReason
{
    /** It did not report and was silent (not heard within its failure timeout). */
    SILENT("silent"),
    /** It did not report within the coordinator's grace though it was heard. */
    NOT_REPORTED("no report in time"),
    /** It did not report, and a member that did does not hear it (the coordinator still does, for now: B2). */
    NOT_HEARD("silent to a member that reported"),
    /** It reported, but it and another member of the set do not both hear each other (B4, §10.4). */
    NOT_CONNECTED("not connected"),
    /** It reported more than {@code admissionLag} entries behind the base: it catches up outside the epoch (§10.5). */
    FAR_BEHIND("far behind the base");

    private final String description;

    LeftOutReason(final String description)
    {
        this.description = description;
    }

    /** What happened, in a few words, for logs. */
    public String description()
    {
        return description;
    }
}
