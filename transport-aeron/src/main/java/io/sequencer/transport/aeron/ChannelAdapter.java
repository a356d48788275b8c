package io.sequencer.transport.aeron;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.FrameHandler;
import io.sequencer.core.MemberStreamListener;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Int2IntHashMap;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Decodes what arrives on the shared channel and the catch-up stream into frames for the protocol: unpacks
 * {@link FrameBatch}es, checks and strips the HMAC tag, binds each Aeron publisher session to the member it speaks for,
 * drops what must not reach the protocol (counted by {@link TransportDropReason}), and turns image events into
 * {@link MemberStreamListener} signals.
 * <p>
 * A session is bound to a member only by a frame that passes every check: the core's {@link FrameValidator}
 * (structure, lengths, field domains, epoch), this cluster's id and member list, a sender in {@code C} other than this
 * node, and, with authentication on, a valid tag (the tag covers the session id, so only a holder of the secret can
 * bind a session). From then on the session may speak only for that member. When a member's second session binds (it
 * restarted, or its image came back after going unavailable) the protocol hears {@code onMemberAvailable}, and the
 * older session's stragglers are dropped as stale, until the newer session's image goes away: then the older one, if
 * it still speaks, is current again (a valid but forged frame, possible without authentication, silences a member
 * for an image liveness timeout at most). A frame of a session not yet bound that fails any check binds
 * nothing and declares nothing stale: it only counts, so one forged datagram cannot silence a member. Frames of
 * another cluster or from outside {@code C} go to the protocol, which drops them by exact checks and counts them by
 * its own reasons; so do malformed frames of a bound session (the protocol validates every frame it is given), which
 * keeps the full validation off the path of a bound member's frames.
 * <p>
 * Allocation-free once the session tables have grown to the number of sessions seen. Single-threaded: called from
 * the duty cycle (the Aeron client runs on the caller's thread, see {@link AeronTransport}).
 */
public final class ChannelAdapter
{
    private static final int NO_MEMBER = -1;
    /** How many publishers a process reports whose frames fail authentication ({@link #authenticationFailed}). */
    static final int MAX_AUTHENTICATION_REPORTS = 16;
    /** See {@link TransportDropReason#IMPLAUSIBLE_EPOCH}. */
    static final long MAX_PLAUSIBLE_EPOCH = 1L << 62;

    private final ClusterConfig cluster;
    private final int membersWord;
    private final int selfId;
    private final int selfIndex;
    private final Authentication authentication;
    private final FrameAuthenticator authenticator;
    private final FrameValidator validator;
    private final TransportCounters counters;
    private final SessionTable shared;
    private final SessionTable catchUp;
    private final FragmentHandler sharedFragments = this::onSharedFragment;
    private final FragmentHandler catchUpFragments = this::onCatchUpFragment;
    private MemberStreamListener listener;
    private FrameHandler handler;
    private int ownSharedSessionId;
    private boolean ownSharedSessionKnown;
    private int polled;
    private ErrorHandler errorHandler;
    /** The sessions {@link #authenticationFailed} reported, at most {@link #MAX_AUTHENTICATION_REPORTS}. */
    private final int[] authenticationReported = new int[MAX_AUTHENTICATION_REPORTS];
    private int authenticationReports;

    /**
     * @param maxEventLength the largest event payload the protocol accepts ({@code ProtocolContext.maxEventLength}):
     *                       a frame above it binds no session.
     * @param authenticator  required unless {@code authentication} is {@link Authentication#NONE}.
     */
    public ChannelAdapter(
        final ClusterConfig cluster,
        final int selfId,
        final int maxEventLength,
        final Authentication authentication,
        final FrameAuthenticator authenticator,
        final TransportCounters counters)
    {
        if (authentication != Authentication.NONE && authenticator == null)
        {
            throw new IllegalArgumentException("authentication " + authentication + " needs an authenticator");
        }
        this.cluster = cluster;
        this.membersWord = cluster.membersWord();
        this.selfId = selfId;
        this.selfIndex = cluster.indexOf(selfId);
        this.authentication = authentication;
        this.authenticator = authenticator;
        this.validator = new FrameValidator(maxEventLength);
        this.counters = counters;
        this.shared = new SessionTable(cluster.size());
        this.catchUp = new SessionTable(cluster.size());
    }

    /**
     * Where the adapter reports, a few times a process, a publisher whose frames fail authentication: a member with
     * another key or mode, otherwise silent (its frames only counted), looks to the others like a member that is down.
     */
    public void errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
    }

    /** Who hears about members' streams coming and going (the protocol); may be null until the protocol exists. */
    public void listener(final MemberStreamListener listener)
    {
        this.listener = listener;
    }

    /** Where delivered frames go until the next call. */
    public void handler(final FrameHandler handler)
    {
        this.handler = handler;
    }

    /** This node's own publication session on the shared channel: its frames come back over multicast. */
    public void ownSharedSession(final int sessionId)
    {
        this.ownSharedSessionId = sessionId;
        this.ownSharedSessionKnown = true;
    }

    /** The handler to poll the shared channel's subscription with (behind a fragment assembler). */
    public FragmentHandler sharedFragmentHandler()
    {
        return sharedFragments;
    }

    /** The handler to poll the catch-up subscription with (behind a fragment assembler). */
    public FragmentHandler catchUpFragmentHandler()
    {
        return catchUpFragments;
    }

    /** Frames taken off the streams since the last call (delivered, looped back or dropped); resets to 0. */
    public int takePolled()
    {
        final int n = polled;
        polled = 0;
        return n;
    }

    private void onSharedFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onFrame(false, header.sessionId(), buffer, offset, length);
    }

    private void onCatchUpFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onFrame(true, header.sessionId(), buffer, offset, length);
    }

    /**
     * Take one received message (reassembled, tag included) from publisher session {@code sessionId}: a frame, or a
     * {@link FrameBatch} of frames. Deliver each frame to the current {@link #handler(FrameHandler)} or count why
     * not. Never throws for any content.
     *
     * @param catchUpStream whether it arrived on the catch-up stream rather than the shared channel.
     */
    public void onFrame(
        final boolean catchUpStream, final int sessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        polled++;
        if (!catchUpStream && ownSharedSessionKnown && sessionId == ownSharedSessionId)
        {
            counters.loopedBack++; // a batch of our own counts once
            return;
        }
        if (length < FrameHeader.LENGTH)
        {
            deliver(buffer, offset, length); // the protocol counts it as truncated
            return;
        }

        if (!FrameHeader.ofThisSchema(buffer, offset))
        {
            counters.drop(TransportDropReason.UNKNOWN_SCHEMA); // not this protocol's traffic: nothing to read
            return;
        }
        if (FrameHeader.version(buffer, offset) != FrameHeader.WIRE_VERSION)
        {
            counters.drop(TransportDropReason.UNSUPPORTED_VERSION); // a member of another release: nothing to read
            return;
        }
        final int type = FrameHeader.type(buffer, offset);
        if (type == MessageType.BATCH)
        {
            onBatch(catchUpStream, sessionId, buffer, offset, length);
            return;
        }
        int frameLength = length;
        final boolean tagged = authentication.covers(type, catchUpStream);
        if (tagged)
        {
            if (length < FrameHeader.LENGTH + FrameAuthenticator.TAG_LENGTH ||
                !authenticator.verify(buffer, offset, length, sessionId))
            {
                authenticationFailed(catchUpStream, sessionId, buffer, offset);
                return;
            }
            frameLength = length - FrameAuthenticator.TAG_LENGTH;
        }
        onCheckedFrame(catchUpStream, sessionId, tagged, buffer, offset, frameLength);
    }

    /**
     * A batch: its tag, when it has one, checked once over the whole; its structure checked before any frame in it
     * is read; then each frame, in order, as if it had arrived alone (with the batch's tag as its own).
     */
    private void onBatch(
        final boolean catchUpStream, final int sessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (catchUpStream)
        {
            counters.drop(TransportDropReason.BAD_BATCH); // catch-up frames travel alone
            return;
        }
        final boolean tagged = FrameBatch.tagged(buffer, offset);
        int batchLength = length;
        if (tagged)
        {
            if (authentication == Authentication.NONE)
            {
                counters.drop(TransportDropReason.BAD_BATCH); // a member of another mode: nothing to check it with
                return;
            }
            if (length < FrameBatch.HEADER_LENGTH + FrameAuthenticator.TAG_LENGTH ||
                !authenticator.verify(buffer, offset, length, sessionId))
            {
                authenticationFailed(false, sessionId, buffer, firstFrameOf(buffer, offset, length));
                return;
            }
            batchLength = length - FrameAuthenticator.TAG_LENGTH;
        }
        else if (authentication == Authentication.ALL)
        {
            authenticationFailed(false, sessionId, buffer, firstFrameOf(buffer, offset, length));
            return;
        }
        if (!FrameBatch.wellFormed(buffer, offset, batchLength))
        {
            counters.drop(TransportDropReason.BAD_BATCH);
            return;
        }
        counters.batchesReceived++;
        final int count = FrameBatch.frameCount(buffer, offset);
        polled += count - 1;
        int at = offset + FrameBatch.HEADER_LENGTH;
        RuntimeException failure = null;
        for (int i = 0; i < count; i++)
        {
            final int frameLength = buffer.getInt(at, LITTLE_ENDIAN);
            at += FrameBatch.FRAME_PREFIX;
            if (!tagged && authentication.covers(FrameHeader.type(buffer, at), false))
            {
                counters.drop(TransportDropReason.AUTH_FAILED); // Authentication.CONTROL: this type needs a tag
            }
            else
            {
                try
                {
                    onCheckedFrame(false, sessionId, tagged, buffer, at, frameLength);
                }
                catch (final RuntimeException ex)
                {
                    // The image moves past the whole batch whatever its handler throws: the frames after this one
                    // must still be delivered, or the member's stream would have a gap no signal reports (R2a, R5).
                    // A log without room is the one that must reach the duty cycle, which stops the member on it.
                    if (failure == null ||
                        ex instanceof io.sequencer.core.LogUnwritableException &&
                        !(failure instanceof io.sequencer.core.LogUnwritableException))
                    {
                        failure = ex;
                    }
                }
            }
            at += frameLength;
        }
        if (failure != null)
        {
            throw failure; // counted and logged by the duty cycle, as a frame that threw alone would be
        }
    }

    /** One frame whose tag, if its type needs one, is checked ({@code tagged}) and stripped. */
    private void onCheckedFrame(
        final boolean catchUpStream,
        final int sessionId,
        final boolean tagged,
        final DirectBuffer buffer,
        final int offset,
        final int frameLength)
    {
        final int type = FrameHeader.type(buffer, offset);
        final long epoch = FrameHeader.epoch(buffer, offset);
        if (epoch < 0 || epoch > MAX_PLAUSIBLE_EPOCH)
        {
            counters.drop(TransportDropReason.IMPLAUSIBLE_EPOCH);
            return;
        }

        final boolean catchUpType = MessageType.isPointToPoint(type);
        if (catchUpType != catchUpStream)
        {
            counters.drop(TransportDropReason.MISROUTED);
            return;
        }
        final long target = MessageType.pointToPointTarget(buffer, offset, frameLength);
        if (target != MessageType.NO_TARGET && target != selfId)
        {
            counters.drop(TransportDropReason.MISROUTED); // point to point: never meant for this node
            return;
        }

        final int senderIndex = cluster.indexOf(FrameHeader.senderId(buffer, offset));
        final int configuration = FrameHeader.configuration(buffer, offset);
        // the member list only: another durability binds a session as usual, and the protocol drops its frames
        final boolean otherMembers = configuration != 0 && !ClusterConfig.sameMembers(configuration, membersWord);
        if (otherMembers && authentication != Authentication.NONE && !tagged)
        {
            // an untagged frame (Authentication.CONTROL) says nothing of its sender: no report of its list
            counters.drop(TransportDropReason.UNAUTHENTICATED_SESSION);
            return;
        }
        if (FrameHeader.clusterId(buffer, offset) != cluster.clusterId() || senderIndex < 0 || otherMembers)
        {
            // the protocol counts another cluster, an unknown sender or another member list, and binds no session:
            // a member configured with another list must not look like a member that restarted
            deliver(buffer, offset, frameLength);
            return;
        }

        final SessionTable table = catchUpStream ? catchUp : shared;
        final int boundMember = table.sessionToMember.get(sessionId);
        if (boundMember == NO_MEMBER)
        {
            if (senderIndex == selfIndex)
            {
                counters.drop(TransportDropReason.SESSION_MISMATCH); // another process claims to be this node
                return;
            }
            if (authentication != Authentication.NONE && !tagged)
            {
                counters.drop(TransportDropReason.UNAUTHENTICATED_SESSION);
                return;
            }
            if (validator.validate(buffer, offset, frameLength) != FrameValidator.VALID)
            {
                // binds nothing: the member's real session, bound or yet to come, stays current
                counters.drop(TransportDropReason.MALFORMED);
                return;
            }
            bind(table, sessionId, senderIndex, !catchUpStream);
        }
        else if (boundMember != senderIndex)
        {
            counters.drop(TransportDropReason.SESSION_MISMATCH);
            return;
        }
        else if (table.currentSession[senderIndex] != sessionId)
        {
            if (!table.lost[senderIndex])
            {
                counters.drop(TransportDropReason.STALE_SESSION);
                return;
            }
            // The member's newer session is gone while this older one still speaks: the newer one was not the
            // member's (a forged frame from another process, without authentication) or died. This one is current
            // again, so that a forger that stopped silences nobody beyond its image's liveness timeout.
            bind(table, sessionId, senderIndex, !catchUpStream);
        }

        deliver(buffer, offset, frameLength);
    }

    /**
     * Count a frame or batch that failed authentication, and say so once per publisher session (a few in all, so
     * that forgeries cannot fill the error log), naming whom its first frame claims to be when its header can be read
     * ({@code frameOffset} -1 when not).
     */
    private void authenticationFailed(
        final boolean catchUpStream, final int sessionId, final DirectBuffer buffer, final int frameOffset)
    {
        counters.drop(TransportDropReason.AUTH_FAILED);
        if (errorHandler == null || authenticationReports >= MAX_AUTHENTICATION_REPORTS)
        {
            return;
        }
        for (int i = 0; i < authenticationReports; i++)
        {
            if (authenticationReported[i] == sessionId)
            {
                return;
            }
        }
        authenticationReported[authenticationReports++] = sessionId;
        final String claims = frameOffset < 0 ? "" : ", claiming to be member " +
            FrameHeader.senderId(buffer, frameOffset) + " of cluster " + FrameHeader.clusterId(buffer, frameOffset);
        errorHandler.onError(new io.sequencer.core.RecoveredFault("member " + selfId + ": the frames of publisher " +
            "session " + sessionId + " on the " + (catchUpStream ? "catch-up stream" : "shared channel") + claims +
            ", fail authentication: a member started with another key (authentication.key.file) or another " +
            "authentication mode, or a forger; they are dropped (counter \"transport: dropped auth failed\")"));
    }

    /** The offset of a batch's first frame when its header lies within the batch, else -1. */
    private static int firstFrameOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final int first = offset + FrameBatch.HEADER_LENGTH + FrameBatch.FRAME_PREFIX;
        return length >= FrameBatch.HEADER_LENGTH + FrameBatch.FRAME_PREFIX + FrameHeader.LENGTH &&
            FrameBatch.frameCount(buffer, offset) > 0 ? first : -1;
    }

    private void bind(final SessionTable table, final int sessionId, final int memberIndex, final boolean signal)
    {
        final boolean seenBefore = table.bound[memberIndex];
        table.sessionToMember.put(sessionId, memberIndex);
        table.currentSession[memberIndex] = sessionId;
        table.bound[memberIndex] = true;
        table.lost[memberIndex] = false;
        if (signal && seenBefore)
        {
            // A new session of a member already seen: it restarted, or its image came back. Tell the protocol
            // before it sees the new session's first frame.
            counters.memberAvailableSignals++;
            if (listener != null)
            {
                listener.onMemberAvailable(cluster.memberId(memberIndex));
            }
        }
    }

    private void deliver(final DirectBuffer buffer, final int offset, final int length)
    {
        counters.delivered++;
        handler.onFrame(buffer, offset, length);
    }

    /** An image (a publisher session) appeared on one of the streams. */
    public void onImageAvailable(final boolean catchUpStream, final int sessionId)
    {
        counters.imagesAvailable++;
    }

    /**
     * An image went away (its publisher closed, died or stopped being heard). When it was the current session of a
     * member on the shared channel the protocol hears {@code onMemberUnavailable} (docs/protocol.md §3 "Running mode",
     * R10).
     */
    public void onImageUnavailable(final boolean catchUpStream, final int sessionId)
    {
        counters.imagesUnavailable++;
        final SessionTable table = catchUpStream ? catchUp : shared;
        final int memberIndex = table.sessionToMember.remove(sessionId);
        if (memberIndex == NO_MEMBER || table.currentSession[memberIndex] != sessionId || table.lost[memberIndex])
        {
            return;
        }
        table.lost[memberIndex] = true;
        if (!catchUpStream)
        {
            counters.memberUnavailableSignals++;
            if (listener != null)
            {
                listener.onMemberUnavailable(cluster.memberId(memberIndex));
            }
        }
    }

    /** The id of the member publisher {@code sessionId} is bound to on a stream, or -1: for tests. */
    int boundMemberId(final boolean catchUpStream, final int sessionId)
    {
        final int index = (catchUpStream ? catchUp : shared).sessionToMember.get(sessionId);
        return index == NO_MEMBER ? -1 : cluster.memberId(index);
    }

    private static final class SessionTable
    {
        final Int2IntHashMap sessionToMember = new Int2IntHashMap(NO_MEMBER);
        final int[] currentSession;
        final boolean[] bound;
        final boolean[] lost;

        SessionTable(final int members)
        {
            currentSession = new int[members];
            bound = new boolean[members];
            lost = new boolean[members];
        }
    }
}
