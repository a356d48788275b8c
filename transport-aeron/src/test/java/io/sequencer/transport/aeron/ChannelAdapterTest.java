package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EntryType;
import io.sequencer.core.MemberStreamListener;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.codec.EntriesFrame;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.SnapshotFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The receive path's session rules, one case at a time: binding, impersonation, stale sessions, image signals,
 * routing and authentication.
 */
class ChannelAdapterTest
{
    private static final int CLUSTER = 5;
    private static final int OWN = 4242;
    private static final int ROGUE = 666;
    private static final int SHARED_KINDS = 5;
    private static final int CATCH_UP_KINDS = 3;
    private static final byte[] SECRET = "the secret of cluster five......".getBytes(StandardCharsets.US_ASCII);

    private final ClusterConfig cluster = ClusterConfig.ofSize(CLUSTER, 3);
    private final TransportCounters counters = new TransportCounters();
    private final List<String> events = new ArrayList<>();
    private final List<Integer> deliveredLengths = new ArrayList<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer rogue = new UnsafeBuffer(new byte[8192]);
    private final UnsafeBuffer bigPayload = new UnsafeBuffer(new byte[ProtocolContext.DEFAULT_MAX_EVENT_LENGTH + 1]);
    private final FrameAuthenticator authenticator = new FrameAuthenticator(SECRET);

    private ChannelAdapter adapter(final Authentication authentication)
    {
        final ChannelAdapter adapter = new ChannelAdapter(
            cluster, 0, ProtocolContext.DEFAULT_MAX_EVENT_LENGTH, authentication, authenticator, counters);
        adapter.ownSharedSession(OWN);
        adapter.handler((b, offset, length) -> deliveredLengths.add(length));
        adapter.listener(new MemberStreamListener()
        {
            public void onMemberUnavailable(final int memberId)
            {
                events.add("unavailable " + memberId);
            }

            public void onMemberAvailable(final int memberId)
            {
                events.add("available " + memberId);
            }
        });
        return adapter;
    }

    private int promise(final int sender, final long epoch)
    {
        return new MyOrderCounterFrame().encode(buffer, 0, sender, CLUSTER, epoch, 9).encodedLength();
    }

    @Test
    void aForgedSessionSilencesAMemberOnlyUntilItsImageGoesAway()
    {
        // Without authentication a valid frame naming member 1 from another process binds like a restart would.
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        adapter.onFrame(false, 101, buffer, 0, promise(1, 3));
        adapter.onFrame(false, ROGUE, buffer, 0, promise(1, (1L << 62) - 1));
        adapter.onFrame(false, 101, buffer, 0, promise(1, 3));
        assertEquals(1, counters.dropped(TransportDropReason.STALE_SESSION), "while the forger's image lives");

        adapter.onImageUnavailable(false, ROGUE); // the forger stopped: its image times out
        deliveredLengths.clear();
        for (int i = 0; i < 5; i++)
        {
            adapter.onFrame(false, 101, buffer, 0, promise(1, 3));
        }
        assertEquals(5, deliveredLengths.size(), "the member's own session is current again");
        assertEquals(1, counters.dropped(TransportDropReason.STALE_SESSION));
        assertEquals(List.of("available 1", "unavailable 1", "available 1"), events);
    }

    @Test
    void theCountersAreNamedForStatEachOnceWithTheirValues()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        adapter.onFrame(false, 101, buffer, 0, promise(1, 3));
        adapter.onFrame(false, 101, buffer, 0, promise(2, 3)); // a session speaks for one member: dropped
        final java.util.Map<String, Long> named = new java.util.LinkedHashMap<>();
        counters.forEach((label, source) ->
            assertEquals(null, named.put(label, source.getAsLong()), "one label, one counter: " + label));
        assertEquals(16 + TransportDropReason.values().length, named.size(), named.toString());
        assertEquals(1L, named.get("transport: frames delivered"));
        assertEquals(1L, named.get("transport: dropped session mismatch"));
        assertEquals(0L, named.get("transport: dropped stale session"));
    }

    /**
     * A member configured with another member list is handed to the protocol (which drops it, naming the list) and
     * binds no session: its frames must not pass for a restart of the member, which would start an epoch change.
     */
    @Test
    void aMemberWithAnotherMemberListBindsNoSession()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        adapter.onFrame(false, 101, buffer, 0, promise(1, 3));
        final int length = promise(1, 4);
        FrameHeader.configuration(buffer, 0, new ClusterConfig(CLUSTER, 0, 1).membersWord());
        adapter.onFrame(false, 201, buffer, 0, length);
        assertEquals(List.of(), events, "no second session of member 1");
        assertEquals(-1, adapter.boundMemberId(false, 201));
        assertEquals(2, deliveredLengths.size(), "handed to the protocol, which counts it");

        FrameHeader.configuration(buffer, 0, cluster.configurationWord(io.sequencer.core.Durability.BATCH));
        adapter.onFrame(false, 201, buffer, 0, length);
        assertEquals(List.of("available 1"), events,
            "with this cluster's list it binds as a restart would, whatever its durability (the protocol checks that)");

        // under CONTROL an untagged frame (a promise) proves nothing of its sender: not even its list is reported
        final ChannelAdapter control = adapter(Authentication.CONTROL);
        final int untagged = promise(1, 4);
        FrameHeader.configuration(buffer, 0, new ClusterConfig(CLUSTER, 0, 1).membersWord());
        control.onFrame(false, 301, buffer, 0, untagged);
        assertEquals(1, counters.dropped(TransportDropReason.UNAUTHENTICATED_SESSION));
        assertEquals(3, deliveredLengths.size(), "not handed to the protocol");
    }

    /**
     * A publisher whose frames fail authentication (a member with another key or mode) is named once per session in
     * the error log, a few sessions in all, and only counted beyond that.
     */
    @Test
    void aPublisherFailingAuthenticationIsNamedOnceAFewInAll()
    {
        final ChannelAdapter adapter = adapter(Authentication.ALL);
        final List<String> errors = new ArrayList<>();
        adapter.errorHandler(ex -> errors.add(ex.getMessage()));
        final int length = promise(1, 3);
        final FrameAuthenticator otherKey = new FrameAuthenticator("another cluster key, 32 bytes....".getBytes(
            StandardCharsets.US_ASCII));
        otherKey.sign(buffer, 0, length, 501, buffer, length);
        adapter.onFrame(false, 501, buffer, 0, length + FrameAuthenticator.TAG_LENGTH);
        adapter.onFrame(false, 501, buffer, 0, length + FrameAuthenticator.TAG_LENGTH);
        assertEquals(2, counters.dropped(TransportDropReason.AUTH_FAILED));
        assertEquals(List.of("member 0: the frames of publisher session 501 on the shared channel, claiming to be " +
            "member 1 of cluster 5, fail authentication: a member started with another key (authentication.key.file) " +
            "or another authentication mode, or a forger; they are dropped (counter \"transport: dropped auth " +
            "failed\")"), errors);
        for (int session = 600; session < 630; session++)
        {
            otherKey.sign(buffer, 0, length, session, buffer, length);
            adapter.onFrame(false, session, buffer, 0, length + FrameAuthenticator.TAG_LENGTH);
        }
        assertEquals(ChannelAdapter.MAX_AUTHENTICATION_REPORTS, errors.size());
        assertEquals(32, counters.dropped(TransportDropReason.AUTH_FAILED));
        assertEquals(List.of(), deliveredLengths);
    }

    @Test
    void sessionsBindToOneMemberAndNewSessionsAreSignalled()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        adapter.onFrame(false, 101, buffer, 0, promise(1, 3));
        assertEquals(List.of(), events, "a member's first session is no news");
        adapter.onFrame(false, 101, buffer, 0, promise(2, 3));
        assertEquals(1, counters.dropped(TransportDropReason.SESSION_MISMATCH), "a session speaks for one member");

        adapter.onFrame(false, 201, buffer, 0, promise(1, 4));
        assertEquals(List.of("available 1"), events, "a second session of member 1: it restarted");
        adapter.onFrame(false, 101, buffer, 0, promise(1, 3));
        assertEquals(1, counters.dropped(TransportDropReason.STALE_SESSION), "the old session's straggler");

        adapter.onImageUnavailable(false, 101);
        assertEquals(List.of("available 1"), events, "losing a stale session is no news");
        adapter.onImageUnavailable(false, 201);
        assertEquals(List.of("available 1", "unavailable 1"), events);
        adapter.onImageUnavailable(true, 301);
        assertEquals(2, events.size(), "an unknown session");

        adapter.onFrame(false, OWN, buffer, 0, promise(0, 4));
        assertEquals(1, counters.loopedBack());
        adapter.onFrame(false, 300, buffer, 0, promise(0, 4));
        assertEquals(2, counters.dropped(TransportDropReason.SESSION_MISMATCH), "another process claims our id");

        adapter.onFrame(false, 102, buffer, 0, promise(2, Long.MAX_VALUE));
        assertEquals(1, counters.dropped(TransportDropReason.IMPLAUSIBLE_EPOCH));

        assertEquals(List.of(MyOrderCounterFrame.LENGTH, MyOrderCounterFrame.LENGTH), deliveredLengths);
        assertEquals(7, counters.received());
    }

    @Test
    void catchUpTrafficStaysPointToPoint()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        final FetchFrame fetch = new FetchFrame();
        adapter.onFrame(false, 101, buffer, 0, fetch.encode(buffer, 0, 1, CLUSTER, 3, 0, 1, 5).encodedLength());
        adapter.onFrame(true, 111, buffer, 0, promise(1, 3));
        adapter.onFrame(true, 111, buffer, 0, fetch.encode(buffer, 0, 1, CLUSTER, 3, 2, 1, 5).encodedLength());
        assertEquals(3, counters.dropped(TransportDropReason.MISROUTED));
        adapter.onFrame(true, 111, buffer, 0, fetch.encode(buffer, 0, 1, CLUSTER, 3, 0, 1, 5).encodedLength());
        assertEquals(List.of(FetchFrame.LENGTH), deliveredLengths);
    }

    /**
     * Catch-up frames are routed by {@link MessageType#pointToPointTarget}: any target but this node's, -1 and the
     * lowest int included, is misrouted, for each point-to-point type; one too short to hold its target is not
     * misrouted but checked like any frame (a session not yet bound: malformed).
     */
    @Test
    void catchUpFramesAreRoutedByTheirTarget()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        final FetchFrame fetch = new FetchFrame();
        final EntriesFrame entries = new EntriesFrame();
        final SnapshotFrame snapshot = new SnapshotFrame();
        for (final int target : new int[] {1, 2, -1, Integer.MIN_VALUE, Integer.MAX_VALUE})
        {
            adapter.onFrame(true, 111, buffer, 0, fetch.encode(buffer, 0, 1, CLUSTER, 3, target, 1, 5)
                .encodedLength());
            adapter.onFrame(true, 111, buffer, 0, entries.encode(buffer, 0, buffer.capacity(), 1, CLUSTER, 3, target,
                1).encodedLength());
            adapter.onFrame(true, 111, buffer, 0, snapshot.encode(buffer, 0, 1, CLUSTER, 3, target, 0, 0, 0, 0, 0, 0,
                0, 0).encodedLength());
        }
        assertEquals(15, counters.dropped(TransportDropReason.MISROUTED));

        fetch.encode(buffer, 0, 1, CLUSTER, 3, 2, 1, 5);
        int shortFrames = 0;
        for (int length = FrameHeader.LENGTH;
            MessageType.pointToPointTarget(buffer, 0, length) == MessageType.NO_TARGET; length++)
        {
            adapter.onFrame(true, 111, buffer, 0, length);
            shortFrames++;
        }
        assertEquals(Integer.BYTES, shortFrames, "a header, then the target");
        assertEquals(15, counters.dropped(TransportDropReason.MISROUTED), "too short to name a target");
        assertEquals(Integer.BYTES, counters.dropped(TransportDropReason.MALFORMED));
        assertEquals(List.of(), deliveredLengths);
    }

    @Test
    void authenticationBindsOnlySessionsThatProveTheSecret()
    {
        final ChannelAdapter adapter = adapter(Authentication.CONTROL);
        final int promiseLength = promise(1, 3);
        adapter.onFrame(false, 101, buffer, 0, promiseLength);
        assertEquals(1, counters.dropped(TransportDropReason.UNAUTHENTICATED_SESSION));

        final int reportLength = new MySerializeCounterFrame().encode(buffer, 0, 1, CLUSTER, 3, 1, 1, 7, 3, true, 1)
            .encodedLength();
        authenticator.sign(buffer, 0, reportLength, 999, buffer, reportLength);
        adapter.onFrame(false, 101, buffer, 0, reportLength + FrameAuthenticator.TAG_LENGTH);
        assertEquals(1, counters.dropped(TransportDropReason.AUTH_FAILED), "a tag made for another session");

        authenticator.sign(buffer, 0, reportLength, 101, buffer, reportLength);
        adapter.onFrame(false, 101, buffer, 0, reportLength + FrameAuthenticator.TAG_LENGTH);
        adapter.onFrame(false, 101, buffer, 0, promise(1, 3));
        assertEquals(List.of(reportLength, promiseLength), deliveredLengths, "tag stripped; the session is trusted");

        new NewEventFrame().encode(buffer, 0, 2, CLUSTER, 3, 1, 1, 1, EntryType.EVENT, 0, buffer, 200, 8);
        adapter.onFrame(false, 102, buffer, 0, NewEventFrame.PAYLOAD_OFFSET + 8);
        assertEquals(2, counters.dropped(TransportDropReason.UNAUTHENTICATED_SESSION), "an event from a stranger");

        final ChannelAdapter all = adapter(Authentication.ALL);
        all.onFrame(false, 101, buffer, 0, promise(1, 3));
        assertEquals(2, counters.dropped(TransportDropReason.AUTH_FAILED), "under ALL every frame needs its tag");
    }

    /**
     * The datagram of issue 9: frames that name member 1 of this cluster but fail validation (a bare header
     * of an event, an unknown type, a promise with trailing bytes, a report with unknown flags, an oversize event),
     * sent by a stranger before member 1 is first heard and again after: they bind the stranger's session to nothing,
     * so member 1's real session binds without a restart signal and is never taken for stale. With authentication on,
     * the stranger's frames fail earlier (no tag, or no trusted session), and even correctly tagged broken frames (a
     * holder of the secret with a bug) bind nothing.
     */
    @ParameterizedTest
    @EnumSource(Authentication.class)
    void malformedFramesOfAStrangerBindNoSession(final Authentication authentication)
    {
        final ChannelAdapter adapter = adapter(authentication);
        sendMalformed(adapter, false, 1, false);
        assertEquals(-1, adapter.boundMemberId(false, ROGUE), "bound to nothing");

        final int report = report(1, 101, authentication);
        adapter.onFrame(false, 101, buffer, 0, report);
        final int promise = promise(1, 101, authentication);
        adapter.onFrame(false, 101, buffer, 0, promise);
        assertEquals(1, adapter.boundMemberId(false, 101));

        sendMalformed(adapter, false, 1, false);
        adapter.onFrame(false, 101, buffer, 0, promise);
        assertEquals(-1, adapter.boundMemberId(false, ROGUE));
        assertEquals(1, adapter.boundMemberId(false, 101), "member 1's session stays current");

        final int stripped = authentication.covers(MessageType.MY_ORDER_COUNTER, false) ?
            promise - FrameAuthenticator.TAG_LENGTH : promise;
        assertEquals(List.of(report - (authentication == Authentication.NONE ? 0 : FrameAuthenticator.TAG_LENGTH),
            stripped, stripped), deliveredLengths, "every frame of member 1 delivered");
        assertEquals(List.of(), events, "no restart of member 1 signalled");
        assertEquals(0, counters.dropped(TransportDropReason.STALE_SESSION));
        assertEquals(2L * SHARED_KINDS, strangerDrops());
        if (authentication == Authentication.NONE)
        {
            assertEquals(2L * SHARED_KINDS, counters.dropped(TransportDropReason.MALFORMED));
        }
        else
        {
            assertEquals(0, counters.dropped(TransportDropReason.MALFORMED));
            sendMalformed(adapter, false, 1, true);
            assertEquals(-1, adapter.boundMemberId(false, ROGUE), "a valid tag on a broken frame binds nothing");
            // under CONTROL only the report's type carries a tag; the other tagged frames are untrusted
            assertEquals(authentication == Authentication.ALL ? SHARED_KINDS : 1,
                counters.dropped(TransportDropReason.MALFORMED));
            assertEquals(3L * SHARED_KINDS, strangerDrops());
        }
        assertEquals(3, counters.delivered());
    }

    /**
     * The same on the catch-up stream: a truncated batch, a fetch of an empty range, a batch with an oversize entry.
     */
    @ParameterizedTest
    @EnumSource(Authentication.class)
    void malformedCatchUpFramesOfAStrangerBindNoSession(final Authentication authentication)
    {
        final ChannelAdapter adapter = adapter(authentication);
        sendMalformed(adapter, true, 1, false);
        assertEquals(-1, adapter.boundMemberId(true, ROGUE));

        final int fetch = fetch(1, 111, authentication);
        adapter.onFrame(true, 111, buffer, 0, fetch);
        sendMalformed(adapter, true, 1, authentication != Authentication.NONE);
        adapter.onFrame(true, 111, buffer, 0, fetch);
        assertEquals(-1, adapter.boundMemberId(true, ROGUE));
        assertEquals(1, adapter.boundMemberId(true, 111));

        assertEquals(List.of(FetchFrame.LENGTH, FetchFrame.LENGTH), deliveredLengths);
        assertEquals(0, counters.dropped(TransportDropReason.STALE_SESSION));
        assertEquals(2L * CATCH_UP_KINDS, strangerDrops());
        assertEquals(authentication == Authentication.NONE ? 2L * CATCH_UP_KINDS : CATCH_UP_KINDS,
            counters.dropped(TransportDropReason.MALFORMED), "the tagged ones fail validation");
    }

    private long strangerDrops()
    {
        return counters.dropped(TransportDropReason.MALFORMED) + counters.dropped(TransportDropReason.AUTH_FAILED) +
            counters.dropped(TransportDropReason.UNAUTHENTICATED_SESSION);
    }

    /** Every malformed kind naming {@code member}, from the stranger's session; tagged with the secret if asked. */
    private void sendMalformed(
        final ChannelAdapter adapter, final boolean catchUp, final int member, final boolean tagged)
    {
        for (int kind = 0; kind < (catchUp ? CATCH_UP_KINDS : SHARED_KINDS); kind++)
        {
            int length = catchUp ? malformedCatchUp(kind, member) : malformedShared(kind, member);
            if (tagged)
            {
                authenticator.sign(rogue, 0, length, ROGUE, rogue, length);
                length += FrameAuthenticator.TAG_LENGTH;
            }
            adapter.onFrame(catchUp, ROGUE, rogue, 0, length);
        }
    }

    /** Frames of the shared channel that name {@code member} of this cluster and fail the core's validator. */
    private int malformedShared(final int kind, final int member)
    {
        switch (kind)
        {
            case 0: // a bare header of an event: truncated
                FrameHeader.write(rogue, 0, MessageType.NEW_EVENT, member, CLUSTER, 3);
                return FrameHeader.LENGTH;
            case 1: // a bare header of no known type
                FrameHeader.write(rogue, 0, 0x7F, member, CLUSTER, 3);
                return FrameHeader.LENGTH;
            case 2: // a promise with trailing bytes
                return new MyOrderCounterFrame().encode(rogue, 0, member, CLUSTER, 3, 9).encodedLength() + 8;
            case 3: // a report with a flag no version defines
            {
                final int length = new MySerializeCounterFrame().encode(rogue, 0, member, CLUSTER, 3, 1, 1, 7, 3,
                    true, 1).encodedLength();
                rogue.putInt(MySerializeCounterFrame.FLAGS_OFFSET, 0x80, java.nio.ByteOrder.LITTLE_ENDIAN);
                return length;
            }
            default: // an event above maxEventLength
                return new NewEventFrame().encode(
                    rogue, 0, member, CLUSTER, 3, 1, 1, 1, EntryType.EVENT, 0, bigPayload, 0, bigPayload.capacity())
                    .encodedLength();
        }
    }

    /** Frames of the catch-up stream for this node (member 0) that name {@code member} and fail the validator. */
    private int malformedCatchUp(final int kind, final int member)
    {
        switch (kind)
        {
            case 0: // a bare header of a batch: truncated
                FrameHeader.write(rogue, 0, MessageType.ENTRIES, member, CLUSTER, 3);
                return FrameHeader.LENGTH;
            case 1: // a fetch of an empty range
                return new FetchFrame().encode(rogue, 0, member, CLUSTER, 3, 0, 9, 1).encodedLength();
            default: // a batch whose one entry is above maxEventLength
            {
                final EntriesFrame entries = new EntriesFrame().encode(rogue, 0, rogue.capacity(), member, CLUSTER,
                    3, 0, 1);
                entries.appendEntry(1, member, 3, 1, 1, 1, 0, 0, bigPayload, 0, bigPayload.capacity());
                return entries.encodedLength();
            }
        }
    }

    /** A report of {@code sender} in {@link #buffer}, tagged for {@code session} when the mode covers it. */
    private int report(final int sender, final int session, final Authentication authentication)
    {
        final int length = new MySerializeCounterFrame().encode(buffer, 0, sender, CLUSTER, 3, 1, 1, 7, 3, true, 1)
            .encodedLength();
        return tagIfCovered(length, session, false, authentication);
    }

    private int promise(final int sender, final int session, final Authentication authentication)
    {
        return tagIfCovered(promise(sender, 3), session, false, authentication);
    }

    private int fetch(final int sender, final int session, final Authentication authentication)
    {
        final int length = new FetchFrame().encode(buffer, 0, sender, CLUSTER, 3, 0, 1, 5).encodedLength();
        return tagIfCovered(length, session, true, authentication);
    }

    private int tagIfCovered(
        final int length, final int session, final boolean catchUp, final Authentication authentication)
    {
        if (!authentication.covers(FrameHeader.type(buffer, 0), catchUp))
        {
            return length;
        }
        authenticator.sign(buffer, 0, length, session, buffer, length);
        return length + FrameAuthenticator.TAG_LENGTH;
    }
}
