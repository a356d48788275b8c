package io.sequencer.sim;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.CompletionHandler;
import io.sequencer.core.Durability;
import io.sequencer.core.EntryType;
import io.sequencer.core.EventLog;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.LogEntry;
import io.sequencer.core.protocol.SequencerProtocol;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the invariants of docs/protocol.md §7 ("Invariants") over a simulated cluster after every step, from the
 * outside: it reads the nodes' logs and watermarks, every frame published and every completion delivered, and keeps its
 * own reference ledger over the canonical log. It knows nothing of how the protocol reaches its decisions.
 * <ul>
 *   <li>I1 canonical log: the entry at a position, once at or below some node's {@code g}, is held by a quorum
 *       then and is the same on every node whose {@code g} covers it.</li>
 *   <li>I2 log matching: same {@code (epoch, position)} on two nodes means the same {@code chk}.</li>
 *   <li>I3 (and I9): at its acknowledgement an event lies at its position in the logs of {@code q} nodes (forced,
 *       under {@code batch}), and it is the canonical entry there; acknowledged events stay there.</li>
 *   <li>I4 no event id twice in any log.</li>
 *   <li>I5 real-time order, and every result equals the reference ledger's over the canonical prefix.</li>
 *   <li>I6 {@code g} and the epoch never decrease.</li>
 *   <li>I7 no {@code NewEvent} at or below a promise its sender already sent in that epoch.</li>
 *   <li>At the end (the liveness part of I8): every accepted submit acknowledged, all logs and states identical.</li>
 *   <li>I10 integrity: every event in any log is one a client submitted, under the id it was given, with exactly the
 *       payload the client submitted.</li>
 * </ul>
 * I3 after the acknowledgement is checked against the fault budget: with {@code k} members lost or not intact at a
 * moment, every acknowledged event lies (forced, under {@code batch}) at its canonical place in the logs of at least
 * {@code q − k} of the others; with no member impaired that is {@code q} copies.
 */
final class InvariantChecker
{
    record EventId(int origin, long incarnation, long localSeq)
    {
        public String toString()
        {
            return origin + "/" + incarnation + "/" + localSeq;
        }
    }

    private static final class Submission
    {
        final int node;
        final long correlationId;
        final EventId id;
        final long submittedNs;
        final long maxAckedPositionAtSubmit;
        final byte[] payload;
        boolean acked;
        boolean abandoned;
        long position;

        Submission(final int node, final long correlationId, final EventId id, final long submittedNs,
            final long maxAckedPositionAtSubmit, final byte[] payload)
        {
            this.node = node;
            this.correlationId = correlationId;
            this.id = id;
            this.submittedNs = submittedNs;
            this.maxAckedPositionAtSubmit = maxAckedPositionAtSubmit;
            this.payload = payload;
        }
    }

    private record Completion(int node, long correlationId, long position, int status, byte[] result)
    {
    }

    private final ClusterConfig cluster;
    private final Durability durability;
    private final SequencerProtocol[] nodes;
    private final InMemoryEventLog[] logs;
    private final Trace trace;
    private final int n;
    private final int quorum;

    private final List<Long> canonicalChk = new ArrayList<>();
    private final List<EventId> canonicalId = new ArrayList<>();
    private final List<byte[]> canonicalResult = new ArrayList<>();
    private final AccountLedger referenceLedger = new AccountLedger();
    /** The reference ledger's timers: a timer a member fired elsewhere changes a result or the state (§12). */
    private final ReplayClock referenceClock = new ReplayClock();
    private final UnsafeBuffer referenceResult = new UnsafeBuffer(new byte[AccountLedger.RESULT_LENGTH]);

    private final long[] canonicalChecked;
    private final long[][] matchChecked;
    private final long[] idsChecked;
    private final long[] idsResets;
    private final List<Set<EventId>> idsInLog = new ArrayList<>();
    private final long[] lastGuaranteed;
    private final long[] lastEpoch;
    private final List<List<long[]>> ghosts = new ArrayList<>();
    private long abandoned;

    private final Map<Long, Submission> submissions = new HashMap<>();
    /** What each event id was submitted with (null payload: not known, no comparison). */
    private final Map<EventId, byte[]> submittedPayloads = new HashMap<>();
    private final List<Submission> acked = new ArrayList<>();
    private final List<Completion> completionsThisStep = new ArrayList<>();
    private long maxAckedPosition;
    private long resultsUnknown;
    private long accepted;

    private final long[] promiseEpoch;
    private final long[] maxPromiseSent;
    private final FrameValidator publishValidator = new FrameValidator(Integer.MAX_VALUE);
    private final NewEventFrame newEvent = new NewEventFrame();
    private final MyOrderCounterFrame orderCounter = new MyOrderCounterFrame();

    private final LogEntry entryA = new LogEntry();
    private final LogEntry entryB = new LogEntry();

    private String violation;
    private long nowNs;

    InvariantChecker(final ClusterConfig cluster, final Durability durability, final int nodeCount, final Trace trace)
    {
        this.cluster = cluster;
        this.durability = durability;
        this.nodes = new SequencerProtocol[nodeCount];
        this.logs = new InMemoryEventLog[nodeCount];
        this.trace = trace;
        this.n = nodeCount;
        this.quorum = cluster.quorum();
        referenceLedger.onStart(referenceClock);
        canonicalChecked = new long[n];
        matchChecked = new long[n][n];
        idsChecked = new long[n];
        idsResets = new long[n];
        for (int i = 0; i < n; i++)
        {
            idsInLog.add(new HashSet<>());
        }
        lastGuaranteed = new long[n];
        lastEpoch = new long[n];
        for (int i = 0; i < n; i++)
        {
            ghosts.add(new ArrayList<>());
        }
        promiseEpoch = new long[ClusterConfig.MAX_MEMBER_ID + 1];
        maxPromiseSent = new long[ClusterConfig.MAX_MEMBER_ID + 1];
    }

    String violation()
    {
        return violation;
    }

    long accepted()
    {
        return accepted;
    }

    long ackedCount()
    {
        return acked.size();
    }

    /** Every accepted submit acknowledged, except those whose process died before it could hear. */
    boolean allAcked()
    {
        return acked.size() + abandoned == accepted;
    }

    void onDisk(final int node, final InMemoryEventLog log)
    {
        logs[node] = log;
    }

    void onProcessStarted(final int node, final SequencerProtocol protocol)
    {
        nodes[node] = protocol;
        lastGuaranteed[node] = 0;
        lastEpoch[node] = 0;
    }

    /** The process died: its callers died with it, so its unacknowledged submits will never be heard of. */
    void onProcessDied(final int node)
    {
        nodes[node] = null;
        for (final Submission s : submissions.values())
        {
            if (s.node == node && !s.acked && !s.abandoned)
            {
                s.abandoned = true;
                abandoned++;
            }
        }
    }

    /**
     * A fault within the durability policy's promise is about to take data from this node's log (power loss under
     * {@code none}, a wiped disk). What it held still counted for the quorum that acknowledged an event on the
     * strength of its earlier report; keep a ghost of it for the "held by q at acknowledgement" checks only.
     */
    void onDataLoss(final int node)
    {
        final EventLog log = logs[node];
        final long[] chks = new long[(int)log.have() + 1];
        // below the base only a checkpoint holds them: the canonical ones when the log's chain at its base is canonical
        final int base = (int)log.base();
        if (base > 0 && base <= canonicalChk.size() && log.chkAt(base) == canonicalChk.get(base - 1))
        {
            for (int p = 1; p <= base; p++)
            {
                chks[p] = canonicalChk.get(p - 1);
            }
        }
        for (int p = base + 1; p <= log.have(); p++)
        {
            chks[p] = log.chkAt(p);
        }
        ghosts.get(node).add(chks);
    }

    private boolean ghostHolds(final int node, final long position, final long chk)
    {
        for (final long[] ghost : ghosts.get(node))
        {
            if (position < ghost.length && ghost[(int)position] == chk)
            {
                return true;
            }
        }
        return false;
    }

    private static long key(final int node, final long correlationId)
    {
        return ((long)node << 48) | correlationId;
    }

    /** The highest position acknowledged so far, anywhere: a submit initiated now must land above it (I5). */
    long maxAckedPosition()
    {
        return maxAckedPosition;
    }

    /**
     * The protocol accepted a submit that a client initiated at {@code initiatedNs}, when the highest acknowledged
     * position was {@code maxAckedPositionAtInitiation}.
     */
    void onSubmitted(final int node, final long correlationId, final long incarnation, final long localSeq,
        final long initiatedNs, final long maxAckedPositionAtInitiation, final byte[] payload)
    {
        final EventId id = new EventId(cluster.memberId(node), incarnation, localSeq);
        submissions.put(key(node, correlationId),
            new Submission(node, correlationId, id, initiatedNs, maxAckedPositionAtInitiation, payload));
        if (submittedPayloads.put(id, payload) != null)
        {
            fail("I4: member " + cluster.memberId(node) + " gave event id " + id + " to a second submit");
        }
        accepted++;
    }

    /** An event written into a log before the run (a hand-built scenario): its payload is what was "submitted". */
    void onWritten(final int origin, final long incarnation, final long localSeq, final byte[] payload)
    {
        submittedPayloads.putIfAbsent(new EventId(origin, incarnation, localSeq), payload);
    }

    /** Completions are checked after the step, once the canonical log has caught up with the step's effects. */
    void onCompleted(final int node, final long correlationId, final long position, final int status,
        final DirectBuffer result, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        result.getBytes(offset, copy);
        completionsThisStep.add(new Completion(node, correlationId, position, status, copy));
    }

    /** I7, from every frame as it is published. */
    void onPublish(final int from, final DirectBuffer buffer, final int offset, final int length)
    {
        if (publishValidator.validate(buffer, offset, length) != FrameValidator.VALID)
        {
            fail("a node published a malformed frame: member " + from + " type " +
                (length >= FrameHeader.LENGTH ? MessageType.name(FrameHeader.type(buffer, offset)) : "?"));
            return;
        }
        if (FrameHeader.configuration(buffer, offset) != cluster.configurationWord(durability))
        {
            // every frame a member sends names its C and durability (docs/protocol.md §10.8): one that does not would
            // be taken from a member configured otherwise
            fail("a node published a frame without its configuration: member " + from + " type " +
                MessageType.name(FrameHeader.type(buffer, offset)));
            return;
        }
        final long epoch = FrameHeader.epoch(buffer, offset);
        if (epoch != promiseEpoch[from])
        {
            if (epoch < promiseEpoch[from])
            {
                return; // an old epoch's frame says nothing about promises in the newer one
            }
            promiseEpoch[from] = epoch;
            maxPromiseSent[from] = 0;
        }
        final int type = FrameHeader.type(buffer, offset);
        if (type == MessageType.NEW_EVENT)
        {
            newEvent.wrap(buffer, offset, length);
            final long counter = newEvent.counter();
            if (counter <= maxPromiseSent[from])
            {
                fail("I7: member " + from + " sent NewEvent counter " + counter + " in epoch " + epoch +
                    " at or below its earlier promise " + maxPromiseSent[from]);
            }
            maxPromiseSent[from] = Math.max(maxPromiseSent[from], counter);
        }
        else if (type == MessageType.MY_ORDER_COUNTER)
        {
            orderCounter.wrap(buffer, offset, length);
            maxPromiseSent[from] = Math.max(maxPromiseSent[from], orderCounter.counter());
        }
    }

    void afterStep(final long nowNs)
    {
        this.nowNs = nowNs;
        for (int i = 0; i < n; i++)
        {
            noticeCuts(i);
        }
        for (int i = 0; i < n && violation == null; i++)
        {
            checkMonotonic(i);
            checkCanonical(i);
            checkIds(i);
            for (int j = i + 1; j < n && violation == null; j++)
            {
                checkMatching(i, j);
            }
        }
        for (int c = 0; c < completionsThisStep.size() && violation == null; c++)
        {
            checkCompletion(completionsThisStep.get(c));
        }
        completionsThisStep.clear();
    }

    /** A log was cut (unroll, power loss, wipe, torn tail): re-read it from the cut on. */
    private void noticeCuts(final int i)
    {
        final long low = logs[i].takeLowMark();
        if (logs[i].resets() != idsResets[i])
        {
            // A reset replaced every entry read, even when its base lies above them (a snapshot installed past this
            // log's end: the low mark, that base, cuts nothing read). Their ids are no longer in the log: an own event
            // of a discarded tail, resubmitted (B6), is in it once (seed 32 --long, 3 nodes, read it twice).
            idsResets[i] = logs[i].resets();
            idsInLog.get(i).clear();
            idsChecked[i] = 0;
        }
        if (low >= logs[i].have() && low >= canonicalChecked[i] && low >= idsChecked[i])
        {
            return;
        }
        if (nodes[i] != null && low < lastGuaranteed[i] && nodes[i].isIntact())
        {
            fail("I6: member " + cluster.memberId(i) + " cut its log to " + low + ", below its g=" +
                lastGuaranteed[i]);
        }
        canonicalChecked[i] = Math.min(canonicalChecked[i], low);
        for (int j = 0; j < n; j++)
        {
            matchChecked[i][j] = Math.min(matchChecked[i][j], low);
            matchChecked[j][i] = Math.min(matchChecked[j][i], low);
        }
        if (low < idsChecked[i])
        {
            idsInLog.get(i).clear();
            idsChecked[i] = 0;
        }
    }

    /** I6. */
    private void checkMonotonic(final int i)
    {
        final SequencerProtocol node = nodes[i];
        if (node == null)
        {
            return;
        }
        if (node.guaranteed() < lastGuaranteed[i])
        {
            fail("I6: g of member " + node.memberId() + " fell from " + lastGuaranteed[i] + " to " + node.guaranteed());
        }
        if (node.currentEpoch() < lastEpoch[i])
        {
            fail("I6: epoch of member " + node.memberId() + " fell from " + lastEpoch[i] + " to " +
                node.currentEpoch());
        }
        lastGuaranteed[i] = node.guaranteed();
        lastEpoch[i] = node.currentEpoch();
    }

    /** I1: extend the canonical log from each node's durable prefix and compare every node's durable prefix to it. */
    private void checkCanonical(final int i)
    {
        final SequencerProtocol node = nodes[i];
        if (node == null)
        {
            return;
        }
        final EventLog log = logs[i];
        final long upTo = Math.min(node.guaranteed(), log.have());
        // below the log's base the entries are gone (retention, an installed snapshot): they were checked while held
        for (long p = Math.max(canonicalChecked[i], log.base()) + 1; p <= upTo && violation == null; p++)
        {
            if (p > canonicalChk.size() + 1)
            {
                canonicalChecked[i] = Math.max(canonicalChecked[i], p - 1);
                return; // above a gap the canonical log does not reach yet: another member's g brings it there
            }
            log.read(p, entryA);
            if (p == canonicalChk.size() + 1)
            {
                final int holders = holders(p, entryA.chk());
                if (holders < quorum)
                {
                    fail("I1: position " + p + " is within g=" + node.guaranteed() + " of member " +
                        node.memberId() + " but only " + holders + " of the " + quorum + " nodes needed hold it" +
                        (durability == Durability.BATCH ? " forced" : ""));
                    return;
                }
                addCanonical(entryA);
            }
            else if (canonicalChk.get((int)p - 1) != entryA.chk())
            {
                fail("I1: member " + node.memberId() + " holds " + entryA + " within its g=" + node.guaranteed() +
                    " but the canonical entry at " + p + " is " + canonicalId.get((int)p - 1) + " chk=" +
                    Long.toHexString(canonicalChk.get((int)p - 1)));
                return;
            }
        }
        canonicalChecked[i] = Math.max(canonicalChecked[i], upTo);
    }

    private void addCanonical(final LogEntry entry)
    {
        canonicalChk.add(entry.chk());
        referenceClock.beforeEntry(entry.position(), entry.timestamp(), referenceLedger);
        if (entry.type() == EntryType.EVENT)
        {
            canonicalId.add(new EventId(entry.originId(), entry.incarnation(), entry.localSeq()));
            final int length = referenceLedger.apply(
                entry.position(), entry.payload(), entry.payloadOffset(), entry.payloadLength(), referenceResult, 0);
            final byte[] result = new byte[length];
            referenceResult.getBytes(0, result);
            canonicalResult.add(result);
        }
        else
        {
            canonicalId.add(null);
            canonicalResult.add(null);
        }
    }

    /** Nodes whose log holds, at {@code position}, the entry with checksum {@code chk} (forced under batch). */
    private int holders(final long position, final long chk)
    {
        int holders = 0;
        for (int i = 0; i < n; i++)
        {
            final EventLog log = logs[i];
            final long held = durability == Durability.BATCH ? log.forcedPosition() : log.have();
            if ((held >= position && position > log.base() && log.chkAt(position) == chk) ||
                ghostHolds(i, position, chk))
            {
                holders++;
            }
        }
        return holders;
    }

    /** I2. */
    private void checkMatching(final int a, final int b)
    {
        final EventLog logA = logs[a];
        final EventLog logB = logs[b];
        final long upTo = Math.min(logA.have(), logB.have());
        for (long p = Math.max(matchChecked[a][b], Math.max(logA.base(), logB.base())) + 1; p <= upTo; p++)
        {
            logA.read(p, entryA);
            logB.read(p, entryB);
            if (entryA.epoch() == entryB.epoch() && entryA.chk() != entryB.chk())
            {
                fail("I2: logs of members " + cluster.memberId(a) + " and " + cluster.memberId(b) +
                    " differ at position " + p + " in the same epoch " + entryA.epoch() + ":\n    " + entryA +
                    "\n    " + entryB);
                return;
            }
        }
        matchChecked[a][b] = Math.max(matchChecked[a][b], upTo);
    }

    /** I4. */
    private void checkIds(final int i)
    {
        final EventLog log = logs[i];
        final Set<EventId> ids = idsInLog.get(i);
        for (long p = Math.max(idsChecked[i], log.base()) + 1; p <= log.have(); p++)
        {
            log.read(p, entryA);
            if (entryA.type() != EntryType.EVENT)
            {
                continue;
            }
            final EventId id = new EventId(entryA.originId(), entryA.incarnation(), entryA.localSeq());
            if (!ids.add(id))
            {
                fail("I4: event " + id + " appears twice in the log of member " + cluster.memberId(i) + ", again at " +
                    p);
                return;
            }
            final byte[] submitted = submittedPayloads.get(id);
            if (submitted == null)
            {
                fail("I10: the log of member " + cluster.memberId(i) + " holds at " + p + " event " + id +
                    ", which no client submitted");
                return;
            }
            if (!samePayload(submitted, entryA))
            {
                fail("I10: the log of member " + cluster.memberId(i) + " holds event " + id + " at " + p +
                    " with payload " + hex(entryA) + " but its client submitted " + hex(submitted));
                return;
            }
        }
        idsChecked[i] = Math.max(idsChecked[i], log.have());
    }

    /** I3, I5 and I9 at an acknowledgement. */
    private void checkCompletion(final Completion completion)
    {
        Completion c = completion;
        if (c.status == CompletionHandler.RESULT_UNKNOWN && c.position == 0)
        {
            // below the base of a snapshot its member installed: its place is the canonical one, checked as any other
            final Submission submitted = submissions.get(key(c.node, c.correlationId));
            final int at = submitted == null ? -1 : canonicalId.indexOf(submitted.id);
            if (at < 0)
            {
                fail("I3: event " + (submitted == null ? "?" : submitted.id) + " acknowledged at member " +
                    cluster.memberId(c.node) + " without a position, and it is not in the canonical log");
                return;
            }
            c = new Completion(c.node, c.correlationId, at + 1, c.status, c.result);
        }
        final Submission s = submissions.get(key(c.node, c.correlationId));
        final int memberId = cluster.memberId(c.node);
        if (s == null)
        {
            fail("completion at member " + memberId + " for correlation id " + c.correlationId +
                " that was never accepted");
            return;
        }
        if (s.acked)
        {
            fail("completion at member " + memberId + " for event " + s.id + " delivered twice");
            return;
        }
        s.acked = true;
        s.position = c.position;
        acked.add(s);

        final long canonical = c.position <= canonicalChk.size() ? canonicalChk.get((int)c.position - 1) : 0;
        int holders = 0;
        for (int i = 0; i < n; i++)
        {
            final EventLog log = logs[i];
            final long held = durability == Durability.BATCH ? log.forcedPosition() : log.have();
            if ((held >= c.position && holds(log, s)) || ghostHolds(i, c.position, canonical))
            {
                holders++;
            }
        }
        if (holders < quorum)
        {
            final StringBuilder logs = new StringBuilder();
            for (int i = 0; i < n; i++)
            {
                logs.append(i == 0 ? " (" : ", ").append("member ").append(cluster.memberId(i)).append(": base ")
                    .append(this.logs[i].base()).append(" have ").append(this.logs[i].have()).append(" forced ")
                    .append(this.logs[i].forcedPosition());
                for (final long[] ghost : ghosts.get(i))
                {
                    logs.append(" ghost ").append(ghost.length - 1).append(ghost.length > c.position ?
                        (ghost[(int)c.position] == canonical ? " holding it" : " not holding it") : "");
                }
            }
            fail((cluster.size() < 3 ? "I9/" : "") + "I3: event " + s.id + " acknowledged at member " + memberId +
                " at position " + c.position + " while only " + holders + " of the " + quorum +
                " nodes needed hold it" + (durability == Durability.BATCH ? " forced" : "") + logs +
                "; canonical up to " +
                canonicalChk.size() + ")");
            return;
        }
        if (c.position > canonicalId.size() || !s.id.equals(canonicalId.get((int)c.position - 1)))
        {
            fail("I3: event " + s.id + " acknowledged at position " + c.position + " which is not its canonical place" +
                (c.position <= canonicalId.size() ? " (canonical: " + canonicalId.get((int)c.position - 1) + ")" :
                " (canonical log ends at " + canonicalId.size() + ")"));
            return;
        }
        if (c.position <= s.maxAckedPositionAtSubmit)
        {
            fail("I5: event " + s.id + " landed at position " + c.position + " although an event at position " +
                s.maxAckedPositionAtSubmit + " was acknowledged before it was submitted");
            return;
        }
        if (c.status == CompletionHandler.RESULT_UNKNOWN && c.result.length == 0)
        {
            resultsUnknown++; // applied before a snapshot its member installed (§13): the position is what counts
        }
        else if (c.status != CompletionHandler.OK ||
            !Arrays.equals(c.result, canonicalResult.get((int)c.position - 1)))
        {
            fail("I5: event " + s.id + " at position " + c.position + " returned status " + c.status + " result " +
                hex(c.result) + " but the canonical prefix gives " + hex(canonicalResult.get((int)c.position - 1)));
            return;
        }
        maxAckedPosition = Math.max(maxAckedPosition, c.position);
        trace.add(nowNs, "ack   member " + memberId + " event " + s.id + " at #" + c.position + " after " +
            (nowNs - s.submittedNs) / 1000 + " us");
    }

    private static boolean samePayload(final byte[] submitted, final LogEntry entry)
    {
        if (entry.payloadLength() != submitted.length)
        {
            return false;
        }
        final DirectBuffer payload = entry.payload();
        final int offset = entry.payloadOffset();
        for (int k = 0; k < submitted.length; k++)
        {
            if (payload.getByte(offset + k) != submitted[k])
            {
                return false;
            }
        }
        return true;
    }

    private static String hex(final LogEntry entry)
    {
        final byte[] bytes = new byte[entry.payloadLength()];
        entry.payload().getBytes(entry.payloadOffset(), bytes);
        return hex(bytes);
    }

    /** The highest position a node's log counts as holding: forced under batch, everything under none. */
    private long held(final EventLog log)
    {
        return durability == Durability.BATCH ? log.forcedPosition() : log.have();
    }

    /** Whether {@code log} holds, at or below what it counts as held, the canonical prefix up to {@code position}. */
    private boolean holdsCanonicalPrefix(final EventLog log, final long position)
    {
        if (position == 0)
        {
            return true;
        }
        if (held(log) < position || position > canonicalChk.size())
        {
            return false;
        }
        // at or below the base only a checkpoint covers it: the chain at the base says whose history that is
        final long at = Math.max(position, log.base());
        return at <= canonicalChk.size() && log.chkAt(at) == canonicalChk.get((int)at - 1);
    }

    /** Whether node {@code i} holds every acknowledged event at its place (the canonical prefix up to the highest). */
    boolean holdsEveryAcked(final int i)
    {
        return holdsCanonicalPrefix(logs[i], maxAckedPosition);
    }

    /**
     * I3's "at every later moment", within the fault budget: with {@code impaired} members lost or not intact, every
     * acknowledged event lies at its place in the logs of at least {@code q − impaired} of the members that are not
     * ({@code unimpaired}; a member that is down counts by its disk). Acknowledged events are canonical, and logs
     * hold them as a chained prefix, so the highest acknowledged event is the one held by fewest: checking it checks
     * them all.
     */
    void checkAckedRecoverable(final boolean[] unimpaired, final int impaired)
    {
        final long top = maxAckedPosition;
        final int needed = quorum - impaired;
        if (top == 0 || needed <= 0 || violation != null)
        {
            return;
        }
        int holders = 0;
        for (int i = 0; i < n; i++)
        {
            if (unimpaired[i] && holdsCanonicalPrefix(logs[i], top))
            {
                holders++;
            }
        }
        if (holders < needed)
        {
            fail("I3: acknowledged event " + canonicalId.get((int)top - 1) + " at position " + top +
                " lies in the logs" + (durability == Durability.BATCH ? " (forced)" : "") + " of only " + holders +
                " intact members, with " + impaired + " member(s) lost or not intact: the budget needs " + needed);
        }
    }

    private boolean holds(final EventLog log, final Submission s)
    {
        if (s.position <= log.base())
        {
            // discarded by retention or below an installed snapshot: covered if the log's base is canonical, and the
            // canonical entry there is this event
            return holdsCanonicalPrefix(log, s.position) && s.position <= canonicalId.size() &&
                s.id.equals(canonicalId.get((int)s.position - 1));
        }
        return log.read(s.position, entryA) && entryA.type() == EntryType.EVENT &&
            entryA.originId() == s.id.origin() && entryA.localSeq() == s.id.localSeq() &&
            entryA.incarnation() == s.id.incarnation();
    }

    /** At the end of a run: nothing left unacknowledged, and every node holds the same log and state. */
    void checkQuiescent(final AccountLedger[] ledgers)
    {
        if (violation != null)
        {
            return;
        }
        final String problem = quiescenceProblem(ledgers);
        if (problem != null)
        {
            fail(problem);
        }
    }

    /** What keeps the cluster from being at rest with every invariant's end state, or null. */
    String quiescenceProblem(final AccountLedger[] ledgers)
    {
        for (int k = 0; k < acked.size(); k++)
        {
            final Submission s = acked.get(k);
            for (int i = 0; i < n; i++)
            {
                if (!holds(logs[i], s))
                {
                    return "I3: at rest, acknowledged event " + s.id + " is not at position " + s.position +
                        " in the log of member " + cluster.memberId(i);
                }
            }
        }
        if (!allAcked())
        {
            final StringBuilder sb = new StringBuilder("I8: ").append(accepted - acked.size() - abandoned)
                .append(" accepted events were never acknowledged, for example");
            int shown = 0;
            for (final Submission s : submissions.values())
            {
                if (!s.acked && !s.abandoned && shown++ < 3)
                {
                    sb.append(' ').append(s.id);
                }
            }
            return sb.toString();
        }
        final EventLog first = logs[0];
        for (int i = 1; i < n; i++)
        {
            final EventLog log = logs[i];
            if (log.have() != first.have() || log.chkAt(log.have()) != first.chkAt(first.have()))
            {
                return "I8: logs differ at rest: member " + cluster.memberId(0) + " has " + first.have() + " chk " +
                    Long.toHexString(first.chkAt(first.have())) + ", member " + cluster.memberId(i) + " has " +
                    log.have() + " chk " + Long.toHexString(log.chkAt(log.have()));
            }
        }
        for (int i = 0; i < n; i++)
        {
            if (ledgers[i] == null || ledgers[i].digest() != ledgers[0].digest() ||
                ledgers[i].total() != referenceLedger.total())
            {
                return "I5: state of member " + cluster.memberId(i) + " differs from member " + cluster.memberId(0);
            }
        }
        if (canonicalChk.size() == first.have() && ledgers[0].digest() != referenceLedger.digest())
        {
            return "I5: replicas' state differs from the reference ledger over the canonical log";
        }
        return null;
    }

    /** All nodes have the same log length and final checksum. */
    boolean logsIdentical()
    {
        final EventLog first = logs[0];
        for (int i = 1; i < n; i++)
        {
            final EventLog log = logs[i];
            if (log.have() != first.have() || log.chkAt(log.have()) != first.chkAt(first.have()))
            {
                return false;
            }
        }
        return true;
    }

    /** Acknowledgements that came without a result: their event lies below a snapshot the member installed. */
    long resultsUnknown()
    {
        return resultsUnknown;
    }

    void fail(final String message)
    {
        if (violation == null)
        {
            violation = message;
            trace.add(nowNs, "VIOLATION " + message);
        }
    }

    private static String hex(final byte[] bytes)
    {
        if (bytes == null)
        {
            return "null";
        }
        final StringBuilder sb = new StringBuilder();
        for (final byte b : bytes)
        {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
