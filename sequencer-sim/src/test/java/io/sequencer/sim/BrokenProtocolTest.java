package io.sequencer.sim;

import io.sequencer.core.NodeMode;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.protocol.SequencerProtocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The checker has teeth: each deliberately broken protocol is caught within a bounded number of seeds, by an
 * invariant that should catch it (not by the protocol's own assertions, which the boot-mode defects switch off),
 * and the failing seed replays to the same violation.
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class BrokenProtocolTest
{
    private static final long SECOND = 1_000_000_000L;

    @ParameterizedTest(name = "{0} on {1} nodes, faults {2}, is caught by {3}")
    @CsvSource({
        "NO_ORIGIN_TIE_BREAK, 3, NONE, I2, 50",
        "NO_ORIGIN_TIE_BREAK, 2, NONE, I2, 50",
        "STRICT_PROMISE, 3, NONE, I8, 50",
        "STRICT_PROMISE, 2, NONE, I8, 50",
        "ACK_AT_HAVE, 3, NONE, I3, 50",
        "ACK_AT_HAVE, 2, NONE, I3, 50",
        "PROMISE_BEFORE_EVENT, 3, NONE, I7, 50",
        "PROMISE_BEFORE_EVENT, 2, NONE, I7, 50",
        "LITERAL_CUT_RULE, 3, ALL, I1|I3|I6, 100",
        "LITERAL_CUT_RULE, 2, ALL, I1|I3|I6, 100",
        // A member found not intact (a lost log) hands each decision on, and with every node deciding alone that
        // becomes an epoch change per duty cycle: caught as a liveness failure first on two nodes as often as not, and
        // on three in seed 1 since a refused bootstrap leaves its epoch at once (§10.2; seeds 2 to 12 are I2).
        "NO_COORDINATOR, 3, ALL, I1|I2|I8, 100",
        "NO_COORDINATOR, 2, ALL, I1|I2|I8, 100",
        // Members left out of an epoch align to its base at once (§10.5), which leaves fewer stale logs for a wrong
        // base choice to pick: first caught at seed 937 since (at seed 300 or below before). Retention (§13) leaves
        // fewer still (members that were away install the base's snapshot): seed 3900 with it, so this one runs
        // without, first caught at seed 1889; RecoveryScenariosTest.baseByHaveAloneLosesTheNewerEpoch is the directed
        // case. Since reports under batch follow the force only (2026-12-07), the first seed caught (588) is caught
        // by the member's own check before the checker's: the wrong base put one of its own events where it had not
        // submitted it, and it stopped (a fatal error, which the checker counts as a failure). Since the disk-full
        // fault joined `all` (2026-12-07, another draw per fault), the first seed caught was 3018, the same way; since
        // fs-read-only joined it, 1352, by I6.
        "BASE_BY_HAVE_ONLY, 3, ALL, I1|I3|I6|error at member [0-9]: java.lang.IllegalStateException: fatal, 3500",
        // Resubmission (B6) after an epoch change, with the payload damaged: only the checker's comparison of every
        // logged payload with what its client submitted can see it (the ids, order and acknowledgements are right).
        "CORRUPT_RESUBMITTED_PAYLOAD, 3, ALL, I10, 10",
        "CORRUPT_RESUBMITTED_PAYLOAD, 2, ALL, I10, 10",
        "CORRUPT_RESUBMITTED_PAYLOAD, 3, CRASH, I10, 10",
        // A member whose disk is full reports an entry its disk never took (docs/protocol.md §10.7 undone): first
        // caught at seed 24 on three nodes and 28 on two; since fs-read-only joined `all`, 30 and 1.
        "TEAR_WHEN_FULL, 3, ALL, I3, 100",
        "TEAR_WHEN_FULL, 2, ALL, I3, 100",
        // A member whose file system turned read-only comes back intact in the same boot, the tail it never wrote
        // back gone (docs/protocol.md §10.7 undone). Most such losses its peers still see (it reports less than they
        // counted it holding); caught where the coordinator had not counted it: seed 528 with crashes beside it, 1276
        // with every fault.
        "UNRECORDED_WRITE_FAILURE, 3, 'fs-read-only,crash', I1|I3, 600",
    })
    void brokenVariantIsCaught(
        final ProtocolDefect defect, final int nodes, final String faults, final String invariants,
        final int maxSeeds)
    {
        final Pattern expected = Pattern.compile("^(I[0-9]/)?(" + invariants + "):");
        for (long seed = 1; seed <= maxSeeds; seed++)
        {
            final Simulation.Options options = new Simulation.Options()
                .seed(seed).nodes(nodes).events(100).defects(EnumSet.of(defect))
                .retention(defect != ProtocolDefect.BASE_BY_HAVE_ONLY);
            if (faults.equals(faults.toLowerCase(java.util.Locale.ROOT)))
            {
                // fault classes by their flags, as --faults takes them: one class and what it needs beside it
                options.faults(Simulation.Fault.parse(faults));
            }
            else
            {
                options.faults(Simulation.Faults.valueOf(faults));
            }
            final Simulation.Result result = Simulation.run(options);
            if (!result.passed())
            {
                assertTrue(expected.matcher(result.violation()).find(),
                    defect + " should be caught by " + invariants + ", was:\n" + result.report());
                assertTrue(result.report().contains("seed " + seed), "the report names the seed");
                assertTrue(!result.trace().isEmpty(), "the report shows the last steps");

                final Simulation.Result replay = Simulation.run(options);
                assertNotNull(replay.violation(), "the seed replays");
                assertEquals(result.violation(), replay.violation(), "the seed replays to the same violation");
                assertEquals(result.steps(), replay.steps(), "the seed replays step for step");
                return;
            }
        }
        fail(defect + " on " + nodes + " nodes was not caught in " + maxSeeds + " seeds");
    }

    /**
     * §10.3: a boot report that contradicts its receiver's log where no correct member's log can (the receiver's own
     * last normal epoch, another chk at a position the receiver holds) is no vote. Member 1 is crashed; while members
     * 0 and 2 change epoch without it, a report in member 1's name reaches each of them at every step of their boot,
     * naming the receiver's last normal epoch and a wrong chk at position 5: refused every time, the epoch is decided
     * on the two real reports, and nothing acknowledged is lost. With the check switched off
     * ({@code COUNT_CONTRADICTING_REPORTS}) the same reports count. The sweep that found the rule's need: 10,000 seeds
     * of three members with every fault, where seed 583 (authentication off) had one such report shape a decision that
     * left out acknowledged entries, and a restarted member with a {@code g} from before a lost write applied it (I3);
     * the protocol's course at that seed has moved since, so it is this directed case that shows the rule.
     */
    @Test
    void aBootReportThatContradictsTheReceiversLogIsNoVote()
    {
        assertTrue(forgeReportsDuringAnEpochChange(EnumSet.noneOf(ProtocolDefect.class)) > 0, "reports refused");
        assertEquals(0, forgeReportsDuringAnEpochChange(EnumSet.of(ProtocolDefect.COUNT_CONTRADICTING_REPORTS)),
            "with the check off, none is refused");
    }

    /** @return the forged reports members 0 and 2 refused. */
    private static long forgeReportsDuringAnEpochChange(final EnumSet<ProtocolDefect> defects)
    {
        final ScenarioCluster c = new ScenarioCluster(3, defects);
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        c.submitMany(20, 0, 2);
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        final long epoch = c.nodes[0].currentEpoch();
        c.crash(1);
        final MySerializeCounterFrame report = new MySerializeCounterFrame();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final long deadline = c.nowNs + SECOND;
        while (!(c.running(0, 2) && c.nodes[0].currentEpoch() > epoch))
        {
            assertTrue(c.nowNs < deadline, "members 0 and 2 never ran without member 1: " + c.state());
            for (final int member : new int[] { 0, 2 })
            {
                final SequencerProtocol p = c.nodes[member];
                if (p.currentEpoch() > epoch && p.mode() == NodeMode.BOOT)
                {
                    final int length = report.encode(buffer, 0, c.cluster.memberId(1), c.cluster.clusterId(),
                        p.currentEpoch(), 0, 5, 0x5EED_CAFEL, p.lastNormalEpoch(), true, 5).encodedLength();
                    final byte[] frame = new byte[length];
                    buffer.getBytes(0, frame);
                    c.network.inject(c.cluster.memberId(member), c.cluster.memberId(1), frame, c.nowNs);
                }
            }
            c.runFor(ScenarioCluster.STEP_NS);
        }
        assertNull(c.checker.violation(), c.state());
        return c.nodes[0].counters().bootReportsRefused() + c.nodes[2].counters().bootReportsRefused();
    }
}
