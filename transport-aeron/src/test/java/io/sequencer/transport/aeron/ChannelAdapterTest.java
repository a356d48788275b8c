package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.MemberStreamListener;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

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
    private static final byte[] SECRET = "the secret of cluster five......".getBytes(StandardCharsets.US_ASCII);

    private final ClusterConfig cluster = ClusterConfig.ofSize(CLUSTER, 3);
    private final TransportCounters counters = new TransportCounters();
    private final List<String> events = new ArrayList<>();
    private final List<Integer> deliveredLengths = new ArrayList<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final FrameAuthenticator authenticator = new FrameAuthenticator(SECRET);

    private ChannelAdapter adapter(final Authentication authentication)
    {
        final ChannelAdapter adapter = new ChannelAdapter(cluster, 0, authentication, authenticator, counters);
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

        assertEquals(List.of(24, 24), deliveredLengths);
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

        new NewEventFrame().encode(buffer, 0, 2, CLUSTER, 3, 1, 1, 1, buffer, 200, 8);
        adapter.onFrame(false, 102, buffer, 0, NewEventFrame.PAYLOAD_OFFSET + 8);
        assertEquals(2, counters.dropped(TransportDropReason.UNAUTHENTICATED_SESSION), "an event from a stranger");

        final ChannelAdapter all = adapter(Authentication.ALL);
        all.onFrame(false, 101, buffer, 0, promise(1, 3));
        assertEquals(2, counters.dropped(TransportDropReason.AUTH_FAILED), "under ALL every frame needs its tag");
    }
}
