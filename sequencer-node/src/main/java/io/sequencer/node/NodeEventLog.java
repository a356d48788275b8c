package io.sequencer.node;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EpochTrigger;
import io.sequencer.core.LeftOutReason;
import io.sequencer.core.ProtocolListener;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;

/**
 * The member's log of what its protocol does, one line each: every epoch it enters and why, every decision, what it
 * probes, fetches and follows, a long fetch's progress, a long wait for a decision and whom it hears, and when it
 * runs. These happen at epoch changes only, never in steady state. The {@code node} command prints them on its
 * standard output with a timestamp; a member launched by an application ({@link DurableMember#launch(NodeConfig, int,
 * io.sequencer.core.StateMachine, boolean)}) logs them through SLF4J (logger {@value #LOGGER_NAME}, INFO), where
 * the application's logging configuration takes them.
 */
final class NodeEventLog implements ProtocolListener
{
    static final String LOGGER_NAME = "io.sequencer.events";

    private final java.util.function.Consumer<String> sink;
    private final ClusterConfig cluster;
    private final int selfId;

    /** Lines on {@code out}, each with the time first. */
    NodeEventLog(final PrintWriter out, final ClusterConfig cluster, final int selfId)
    {
        this(text ->
        {
            out.println(Instant.now() + " " + text);
            out.flush();
        }, cluster, selfId);
    }

    /** Lines through SLF4J, at INFO on the logger {@value #LOGGER_NAME}. */
    static NodeEventLog slf4j(final ClusterConfig cluster, final int selfId)
    {
        final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(LOGGER_NAME);
        return new NodeEventLog(logger::info, cluster, selfId);
    }

    private NodeEventLog(final java.util.function.Consumer<String> sink, final ClusterConfig cluster, final int selfId)
    {
        this.sink = sink;
        this.cluster = cluster;
        this.selfId = selfId;
    }

    @Override
    public void onEpochEntered(final long previousEpoch, final long epoch, final EpochTrigger trigger,
        final int memberId)
    {
        line("epoch " + previousEpoch + " -> " + epoch + ": " + trigger.description() +
            (memberId >= 0 ? " (member " + memberId + ")" : ""));
    }

    @Override
    public void onDecided(
        final long epoch, final int coordinatorId, final int activeMask, final int baseOwnerId, final long basePosition)
    {
        final StringBuilder active = new StringBuilder();
        for (int i = 0; i < cluster.size(); i++)
        {
            if ((activeMask & (1 << i)) != 0)
            {
                active.append(active.length() == 0 ? "" : ",").append(cluster.memberId(i));
            }
        }
        line((coordinatorId == selfId ? "decided epoch " : "member " + coordinatorId + " decided epoch ") + epoch +
            ": active " + active + ", base member " + baseOwnerId + " at " + basePosition);
    }

    @Override
    public void onLeftOut(final long epoch, final int memberId, final LeftOutReason reason, final int otherMemberId,
        final long sinceEntryNs)
    {
        line("epoch " + epoch + " leaves out member " + memberId + ": " + reason.description() +
            (otherMemberId >= 0 ? " (with member " + otherMemberId + ")" : "") +
            String.format(" (%.1f ms after entering it)", sinceEntryNs / 1e6));
    }

    @Override
    public void onProbing(final long epoch, final int baseOwnerId, final long position)
    {
        line("epoch " + epoch + ": probing member " + baseOwnerId + "'s log from position " + position);
    }

    @Override
    public void onFetching(final long epoch, final int sourceId, final long from, final long to)
    {
        line("epoch " + epoch + ": fetching " + (to - from + 1) + " entries (" + from + ".." + to + ") from member " +
            sourceId);
    }

    @Override
    public void onFetchSource(final long epoch, final int fromMemberId, final int toMemberId)
    {
        line("epoch " + epoch + ": member " + fromMemberId + " did not answer; fetching from member " + toMemberId);
    }

    @Override
    public void onFollowing(final long epoch, final int baseOwnerId, final long from, final long to)
    {
        line("epoch " + epoch + ": outside it, following member " + baseOwnerId + ": fetching " + (to - from + 1) +
            " durable entries (" + from + ".." + to + ")");
    }

    @Override
    public void onWaiting(final long epoch, final int heardMask, final long waitedNs)
    {
        final StringBuilder heard = new StringBuilder();
        final StringBuilder silent = new StringBuilder();
        for (int i = 0; i < cluster.size(); i++)
        {
            final StringBuilder list = (heardMask & (1 << i)) != 0 ? heard : silent;
            list.append(list.length() == 0 ? "" : ", ").append(cluster.memberId(i));
        }
        line(String.format(Locale.ROOT, "epoch %d: waiting %.1f s for a decision; hears members %s%s", epoch,
            waitedNs / 1e9, heard, silent.length() == 0 ? "" : "; silent: " + silent +
            " (a decision needs reports from a quorum of " + cluster.quorum() + ")"));
    }

    @Override
    public void onFetchProgress(final long epoch, final int sourceId, final long from, final long fetchedTo,
        final long to)
    {
        line(String.format(Locale.ROOT, "epoch %d: fetched %d of %d entries from member %d (at %d of %d)", epoch,
            fetchedTo - from + 1, to - from + 1, sourceId, fetchedTo, to));
    }

    @Override
    public void onOverload(final long epoch, final long refused, final long overNs, final int inFlight,
        final int pending)
    {
        line(String.format(Locale.ROOT, "epoch %d: overloaded: %d submits refused as back-pressured in the last " +
            "%.1f s (%d own events in flight, %d events waiting for their order)", epoch, refused, overNs / 1e9,
            inFlight, pending));
    }

    @Override
    public void onAligned(final long epoch, final long position)
    {
        line("aligned to epoch " + epoch + ": EpochStart at " + position);
    }

    @Override
    public void onRunning(final long epoch, final long position)
    {
        line("running in epoch " + epoch + " from position " + position);
    }

    private void line(final String text)
    {
        sink.accept("member " + selfId + ": " + text);
    }
}
