package io.sequencer.core.protocol;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EpochTrigger;
import io.sequencer.core.NodeMode;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MessageType;
import org.agrona.DirectBuffer;

/**
 * Every received frame, valid or not (docs/protocol.md §2, §10.3): the structure checked by FrameValidator, then
 * cluster, sender and epoch (an epoch too far ahead is dropped, and the window widened only for a sender that keeps
 * sending it; a higher epoch is adopted), the sign of life noted, and the frame handed by type to the part that
 * handles it. Every drop is counted by reason. Reads and changes the protocol's state through the protocol it belongs
 * to.
 */
final class FrameDispatch
{
    /**
     * How many times a process reports members configured otherwise ({@link #reportOtherConfiguration}) and,
     * separately, other clusters on its channel ({@link #reportWrongCluster}).
     */
    static final int MAX_OTHER_CONFIGURATION_REPORTS = 16;

    /** Each sender's latest epoch beyond the window, since when and in how many frames: widened towards it if the
     *  sender keeps at it (§10.3). */
    final long[] farEpoch;
    final long[] farEpochSinceNs;
    final int[] farEpochFrames;
    /** The highest epoch a frame may carry, once widened beyond {@code maxKnownEpoch + MAX_EPOCH_STEP} (§10.3). */
    long widenedEpochTop;
    /** The configuration each sender id was last reported running with ({@link #reportOtherConfiguration}); 0: none. */
    private final int[] otherConfigurationReported = new int[ClusterConfig.MAX_MEMBER_ID + 1];
    private int otherConfigurationReports;
    private final int[] wrongClusterReported = new int[MAX_OTHER_CONFIGURATION_REPORTS];
    private int wrongClusterReports;
    private final SequencerProtocol p;

    FrameDispatch(final SequencerProtocol protocol)
    {
        this.p = protocol;
        farEpoch = new long[p.memberCount];
        farEpochSinceNs = new long[p.memberCount];
        farEpochFrames = new int[p.memberCount];
    }

    /**
     * Say once per sender and configuration that a member runs with another member list or durability: an
     * operator's edit of one member's configuration, which no frame of it can repair. Without the check a member with
     * another list counted its own quorum, asked in at every boot timeout and moved the others to a new epoch each
     * time (every 1-2 s, with a second's stall of their acknowledgements), and one under another durability had its
     * unforced reports counted towards a batch member's acknowledgements; and nothing said why.
     */
    private void reportOtherConfiguration(final int senderId, final int configuration)
    {
        // Only a configuration some member could have, naming its sender, and at most a few reports in all: forged
        // frames (authentication off) must not fill the error log the real errors go to.
        if (senderId < 0 || senderId > ClusterConfig.MAX_MEMBER_ID ||
            otherConfigurationReported[senderId] == configuration ||
            otherConfigurationReports >= MAX_OTHER_CONFIGURATION_REPORTS || !ClusterConfig.wellFormed(configuration) ||
            !ClusterConfig.namesMember(configuration, senderId))
        {
            return;
        }
        otherConfigurationReported[senderId] = configuration;
        otherConfigurationReports++;
        p.errorHandler.onError(new io.sequencer.core.RecoveredFault("member " + p.selfId + " runs with " +
            ClusterConfig.describe(p.configurationWord) + "; member " + senderId + " with " +
            ClusterConfig.describe(configuration) + ": every member's cluster.members and durability must be the " +
            "same; its frames are dropped (counter \"frames dropped: other configuration\")"));
    }

    /**
     * Say once per cluster id, a few in all, that frames of another cluster reach this member: two clusters share a
     * channel and port, or one member's {@code cluster.id} differs from the others' (then it looks down to them, and
     * they to it, and only the counter said why).
     */
    private void reportWrongCluster(final int senderId, final int clusterId)
    {
        if (wrongClusterReports >= MAX_OTHER_CONFIGURATION_REPORTS)
        {
            return;
        }
        for (int i = 0; i < wrongClusterReports; i++)
        {
            if (wrongClusterReported[i] == clusterId)
            {
                return;
            }
        }
        wrongClusterReported[wrongClusterReports++] = clusterId;
        p.errorHandler.onError(new io.sequencer.core.RecoveredFault("member " + p.selfId + " of cluster " +
            p.clusterId + " hears frames of cluster " + clusterId + " (from member " + senderId + "): another " +
            "cluster shares this channel and port, or a member's cluster.id differs from the others'; they are " +
            "dropped (counter \"frames dropped: wrong cluster\")"));
    }

    /** {@link SequencerProtocol#onFrame}'s work. */
    void dispatchFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final int verdict = p.validator.validate(buffer, offset, length);
        final int type = length >= FrameHeader.LENGTH && offset >= 0 && offset + length <= buffer.capacity() ?
            FrameHeader.type(buffer, offset) : 0;
        p.counters.frameIn(type);
        if (verdict != FrameValidator.VALID)
        {
            p.counters.dropped(verdict);
            return;
        }
        if (FrameHeader.clusterId(buffer, offset) != p.clusterId)
        {
            p.counters.dropped(DropReason.WRONG_CLUSTER.ordinal());
            reportWrongCluster(FrameHeader.senderId(buffer, offset), FrameHeader.clusterId(buffer, offset));
            return;
        }
        final int configuration = FrameHeader.configuration(buffer, offset);
        if (configuration != 0 && configuration != p.configurationWord) // 0: not said (FrameHeader)
        {
            // before the sender's check: a member that another list leaves out is named, not counted as a stranger
            p.counters.dropped(DropReason.OTHER_CONFIGURATION.ordinal());
            reportOtherConfiguration(FrameHeader.senderId(buffer, offset), configuration);
            return;
        }
        final int sender = p.cluster.indexOf(FrameHeader.senderId(buffer, offset));
        if (sender < 0)
        {
            p.counters.dropped(DropReason.UNKNOWN_SENDER.ordinal());
            return;
        }
        if (sender == p.selfIndex)
        {
            return; // our own frame looped back by a multicast transport
        }
        final long epoch = FrameHeader.epoch(buffer, offset);
        if (p.epochs.listening && epoch <= p.maxKnownEpoch + SequencerProtocol.MAX_EPOCH_STEP)
        {
            p.detector.heardWhileListening(sender, p.nowNs); // heard at the entry into an epoch that follows
            final long rejoinEpoch = p.epochs.rejoinEpoch;
            final boolean mayTakeUp = epoch == rejoinEpoch ? p.epochs.reentersEpoch : epoch > rejoinEpoch;
            if (rejoinEpoch == 0 || epoch < rejoinEpoch || epoch < p.maxKnownEpoch ||
                mayTakeUp && !showsDecided(sender, epoch, type, buffer, offset, length))
            {
                p.maxKnownEpoch = Math.max(p.maxKnownEpoch, epoch); // learning the epochs in use (B1)
                return;
            }
            if (mayTakeUp && epoch == rejoinEpoch)
            {
                p.epochs.rejoin(sender);
            }
            else if (mayTakeUp)
            {
                p.epochs.adoptAtStart(epoch, sender);
            }
            else
            {
                // its own epoch runs still and it may not go back into it: enter one above all heard, as at any start,
                // and adopt the sender's below
                p.epochs.endListening();
            }
            // the frame is then taken in the epoch entered, like any other
        }
        if (p.mode == NodeMode.INIT || p.mode == NodeMode.STOPPED)
        {
            p.counters.dropped(DropReason.UNEXPECTED.ordinal());
            return;
        }
        if (epoch > Math.max(p.maxKnownEpoch + SequencerProtocol.MAX_EPOCH_STEP, widenedEpochTop))
        {
            p.counters.dropped(DropReason.BAD_FIELD.ordinal());
            noteFarEpoch(sender, epoch);
            if (type == MessageType.NEW_EVENT)
            {
                p.ordering.noteDroppedEventEpoch(epoch);
            }
            return;
        }
        p.detector.heard(sender, p.nowNs);
        final boolean carriesHears = type == MessageType.MY_ORDER_COUNTER || type == MessageType.MY_SERIALIZE_COUNTER;
        final int senderHears = carriesHears ? hearsMaskOf(type, buffer, offset, length) : 0;
        if (carriesHears)
        {
            p.peerHears[sender] = senderHears;
            if (p.epochs.decisionMissedSinceNs >= 0 && epoch == p.currentEpoch &&
                sender == p.epochs.coordinatorIndex(epoch))
            {
                p.epochs.checkCoordinatorHearsSelf(); // B6: a decision missed can come again once it hears us
            }
        }
        if ((senderHears & (1 << p.selfIndex)) != 0 || !p.rules.heedsHearsMasks())
        {
            p.detector.signOfLife(sender, p.nowNs);
        }
        if (epoch == p.currentEpoch && p.decided && sentAligned(type, epoch)) // the wrap above is the frame's
        {
            p.ordering.orderingSeenMask |= 1 << sender;
        }
        if (epoch < p.currentEpoch)
        {
            p.counters.dropped(DropReason.STALE_EPOCH.ordinal());
            return;
        }
        if (epoch > p.currentEpoch)
        {
            if ((carriesHears || type == MessageType.DEL_NODE) && p.rules.heedsHearsMasks() &&
                Integer.bitCount(p.peerHears[sender] & p.liveness.allMembersMask()) < p.quorum)
            {
                // Pre-vote: a member that does not hear a quorum cannot complete an epoch, so its epoch is not
                // followed; it is adopted once the sender hears enough members. A suspicion carries no hears mask:
                // the sender's latest one is taken (a deaf member's DelNode pulled the others into its epochs). A
                // NewNode is not held back: its sender asks in only once it hears the whole active set.
                p.counters.epochAdoptionsRefused++;
                return;
            }
            p.counters.epochAdoptions++;
            p.maxKnownEpoch = Math.max(p.maxKnownEpoch, epoch);
            // adopt: never chase upwards, take exactly the sender's epoch
            p.epochs.enterBoot(epoch, EpochTrigger.ADOPTED, sender);
            if (p.currentEpoch != epoch)
            {
                return; // it went above: events of that epoch were dropped as too far ahead (§10.3); a stale frame now
            }
        }

        switch (type)
        {
            case MessageType.NEW_EVENT:
                if (acceptsEpochTraffic(sender))
                {
                    p.ordering.onNewEvent(sender, buffer, offset, length);
                }
                break;

            case MessageType.MY_ORDER_COUNTER:
                if (acceptsEpochTraffic(sender))
                {
                    p.orderCounterFrame.wrap(buffer, offset, length);
                    if (!p.ordering.plausibleCounter(p.orderCounterFrame.counter()))
                    {
                        p.counters.dropped(DropReason.BAD_FIELD.ordinal());
                        break;
                    }
                    // R3
                    p.ordering.promise[sender] = Math.max(p.ordering.promise[sender], p.orderCounterFrame.counter());
                }
                break;

            case MessageType.MY_SERIALIZE_COUNTER:
                p.reports.onSerializeCounter(sender, buffer, offset, length);
                break;

            case MessageType.NEW_NODE:
                p.reports.onNewNode(sender);
                break;

            case MessageType.DEL_NODE:
                break; // its epoch was adopted above; the coordinator leaves out whoever does not report

            case MessageType.CLUSTER_NODES:
                p.reports.onClusterNodes(sender, buffer, offset, length);
                break;

            case MessageType.FETCH:
                p.fetchFrame.wrap(buffer, offset, length);
                if (p.fetchFrame.target() == p.selfId)
                {
                    switch (p.fetchFrame.kind())
                    {
                        case FetchFrame.ENTRIES:
                            p.serving.onFetch(sender, p.fetchFrame.from(), p.fetchFrame.to());
                            break;
                        case FetchFrame.ENTRIES_OF_EPOCH:
                            if (p.catchUp.holdsEpochLog())
                            {
                                p.serving.onFetch(sender, p.fetchFrame.from(), p.fetchFrame.to());
                            }
                            else
                            {
                                p.counters.dropped(DropReason.UNEXPECTED.ordinal()); // its log may not be the epoch's
                            }
                            break;
                        case FetchFrame.SNAPSHOT:
                            p.entriesServing.stop(sender);
                            if (!p.snapshotServing.request(sender, p.fetchFrame.from(), p.fetchFrame.to()))
                            {
                                p.liveCheckpoints.offerSnapshot(sender);
                            }
                            break;
                        default:
                            p.snapshotServing.damaged(sender, p.fetchFrame.from(), p.nowNs);
                    }
                }
                break;

            case MessageType.SNAPSHOT:
                p.snapshotFrame.wrap(buffer, offset, length);
                if (p.snapshotFrame.target() == p.selfId)
                {
                    p.receiving.onSnapshot(sender);
                }
                break;

            case MessageType.ENTRIES:
                p.entriesFrame.wrap(buffer, offset, length);
                if (p.entriesFrame.target() == p.selfId)
                {
                    p.catchUp.onEntries(sender);
                }
                break;

            default:
                p.counters.dropped(DropReason.UNEXPECTED.ordinal());
                break;
        }
    }

    /**
     * Whether a {@code NewEvent} or {@code MyOrderCounter} of the current epoch from {@code sender} is taken in.
     * Before the decision, traffic of the epoch is buffered (the sender may be running already); traffic from the
     * coordinator itself means the decision went out before this node listened, so it asks to be admitted.
     */
    private boolean acceptsEpochTraffic(final int sender)
    {
        if (p.decided)
        {
            if (!p.liveness.isActive(sender) || !p.liveness.isActive(p.selfIndex))
            {
                p.counters.dropped(DropReason.NOT_ACTIVE.ordinal());
                return false;
            }
            return true;
        }
        if (sender == p.epochs.coordinatorIndex(p.currentEpoch) && p.rules.coordinated())
        {
            p.reports.decisionMissed();
            return false;
        }
        return true;
    }

    /**
     * B1, a restarted member listening for the epoch it may rejoin: whether this frame shows that epoch's coordinator
     * decided it (its decision, or its events, promises or reports once aligned to it, as B6's late adopter reads).
     */
    private boolean showsDecided(
        final int sender, final long epoch, final int type, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (sender != p.epochs.coordinatorIndex(epoch))
        {
            return false;
        }
        if (type == MessageType.MY_SERIALIZE_COUNTER)
        {
            p.serializeCounterFrame.wrap(buffer, offset, length);
        }
        return type == MessageType.CLUSTER_NODES || sentAligned(type, epoch);
    }

    /**
     * Whether a frame of {@code type} shows its sender aligned to {@code epoch}: only a member aligned to it sends an
     * event or a promise of it, and a report says so by its lastNormalEpoch ({@code serializeCounterFrame} wrapped
     * over the frame).
     */
    private boolean sentAligned(final int type, final long epoch)
    {
        return type == MessageType.NEW_EVENT || type == MessageType.MY_ORDER_COUNTER ||
            (type == MessageType.MY_SERIALIZE_COUNTER && p.serializeCounterFrame.lastNormalEpoch() == epoch);
    }

    /** @return the hears mask of a {@code MyOrderCounter} or {@code MySerializeCounter} frame. */
    private int hearsMaskOf(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == MessageType.MY_ORDER_COUNTER)
        {
            p.orderCounterFrame.wrap(buffer, offset, length);
            return p.orderCounterFrame.hearsMask();
        }
        p.serializeCounterFrame.wrap(buffer, offset, length);
        return p.serializeCounterFrame.hearsMask();
    }

    /**
     * A frame of an epoch beyond the window ({@code maxKnownEpoch + MAX_EPOCH_STEP}) is dropped, but a member that
     * really is up there (pushed by a forged frame its peers did not see, or running on while this one was away for
     * more than a window of epochs) would otherwise never be heard again. One sender sending the same far epoch for
     * {@code T_fd} ({@link SequencerProtocol#FAR_EPOCH_FRAMES} frames at least) widens the window by at most a step
     * (this node's own
     * epoch and its next epoch changes stay where they are): once the window reaches it, its frames are taken as any
     * others (pre-vote and all), and the epoch space still cannot be spent faster than a step per {@code T_fd}.
     */
    private void noteFarEpoch(final int sender, final long epoch)
    {
        if (epoch != farEpoch[sender])
        {
            farEpoch[sender] = epoch;
            farEpochSinceNs[sender] = p.nowNs;
            farEpochFrames[sender] = 1;
            return;
        }
        farEpochFrames[sender]++;
        if (farEpochFrames[sender] >= SequencerProtocol.FAR_EPOCH_FRAMES
            && p.nowNs - farEpochSinceNs[sender] >= p.failureTimeoutNs)
        {
            widenedEpochTop =
                Math.min(epoch, Math.max(p.maxKnownEpoch + SequencerProtocol.MAX_EPOCH_STEP, widenedEpochTop)
                    + SequencerProtocol.MAX_EPOCH_STEP);
            p.counters.epochWindowsWidened++;
            farEpoch[sender] = 0; // the next step, if one is needed, takes another T_fd
        }
    }
}
