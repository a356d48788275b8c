package io.sequencer.core;

/**
 * What a transport tells the protocol about its peers' streams (docs/protocol.md §3 "Running mode", R10; §4
 * "Boot mode", B1): a stream lost (an Aeron image gone unavailable) or a new one appearing (a restart, or a link that
 * healed). {@link SequencerProtocol} implements both as {@link SequencerProtocol#onMemberUnavailable} and
 * {@link SequencerProtocol#onMemberAvailable}.
 */
public interface MemberStreamListener
{
    void onMemberUnavailable(int memberId);

    void onMemberAvailable(int memberId);
}
