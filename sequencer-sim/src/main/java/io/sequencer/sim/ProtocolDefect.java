package io.sequencer.sim;

/**
 * Deliberately broken variants of the protocol. They exist only to prove that the simulator's invariant checker
 * catches a wrong protocol (a checker that cannot fail proves nothing). Each is a {@code ProtocolRules} override in
 * {@link io.sequencer.core.protocol.BrokenProtocols}, but {@link #TEAR_WHEN_FULL} and
 * {@link #UNRECORDED_WRITE_FAILURE}, behaviours of the simulated disk and the log: none of them exists in the library
 * the protocol ships in.
 */
public enum ProtocolDefect
{
    /** R5 without the tie-break on origin id: equal counters are ordered by arrival instead. */
    NO_ORIGIN_TIE_BREAK,
    /** R5 with {@code >} instead of {@code ≥}: an event waits for a promise strictly above its counter. */
    STRICT_PROMISE,
    /** R9 at {@code have} instead of {@code g}: callers hear "done" before a quorum holds the event. */
    ACK_AT_HAVE,
    /** R2a broken: the promise {@code MyOrderCounter(L)} leaves before the own {@code NewEvent}s it covers. */
    PROMISE_BEFORE_EVENT,
    /** B3 as the design note says it: the cut is the highest {@code have} held by a majority of those present. */
    LITERAL_CUT_RULE,
    /** B2–B4 without a coordinator: every node decides alone from the reports it has heard. */
    NO_COORDINATOR,
    /** B3 choosing the base by {@code have} alone, without {@code lastNormalEpoch}. */
    BASE_BY_HAVE_ONLY,
    /**
     * §10.4 without hears masks: every valid frame is a sign of life, a member moves to a new epoch on its own
     * whatever it hears (no check-quorum), and a higher epoch is adopted whatever its sender hears (no pre-vote).
     * Safe, not live: a deaf member stalls the others (issue 9 found 0 acknowledgements in 3 s).
     */
    NO_HEARS_MASKS,
    /** B6 resubmission that damages what it resends: the last payload byte of every resubmitted event is flipped. */
    CORRUPT_RESUBMITTED_PAYLOAD,
    /**
     * B1 without its condition: a restarted member goes back into the epoch it was in even when it ran there (it was
     * in the active set), and orders there again with its promises and events of its earlier life forgotten.
     */
    REJOIN_AFTER_RUNNING,
    /**
     * §10.3 without its boot-report check: a report that contradicts the receiver's log where no correct member's log
     * can (the same last normal epoch, another chk at a position both hold) counts as a vote. Without authentication
     * one forged report then shapes a decision that leaves acknowledged entries out.
     */
    COUNT_CONTRADICTING_REPORTS,
    /**
     * §10.7 undone, with the disk-full fault: an append that finds no room returns as if written (the log's mapped
     * write was a SIGBUS, thrown by the JVM one append later), so the member reports an entry its disk never took, and
     * loses it when its process dies, at that next append.
     */
    TEAR_WHEN_FULL,
    /**
     * §10.7 undone, with the fs-read-only fault: under durability {@code none} the log does not record that its file
     * system refused a write, so the member comes back in the same boot as intact, with the tail the file system never
     * wrote back gone.
     */
    UNRECORDED_WRITE_FAILURE
}
