package io.sequencer.core.memory;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.FrameHandler;
import io.sequencer.core.Transport;
import io.sequencer.core.codec.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import java.util.PriorityQueue;

/**
 * A shared channel in memory with the guarantees of the real one (docs/protocol.md §0, "Terms": channel): every frame
 * reaches every other endpoint, in order per publisher, with a delay chosen per frame and receiver by a
 * {@link DelayModel}, so frames of different publishers overtake each other. Time is whatever its driver says it is
 * ({@link #time}).
 * <p>
 * And, for the simulator's faults, what the real network does beyond those guarantees: links cut both ways or one
 * way ({@link #cut}, {@link #cutOneWay}), links that hold every frame until they heal ({@link #stall}: a partition
 * the transport never reports, repaired by retransmission), frames delivered twice ({@link #duplication}), frames
 * a receiver already had delivered again much later, of older epochs and of earlier processes of their publisher
 * ({@link #replay}), and frames that no member sent ({@link #inject}: garbage and forgeries), which an
 * authenticating transport drops before the protocol sees them ({@link #authentication}).
 * <p>
 * For tests and the simulator: it copies each frame, which the real transport does not.
 */
public final class InMemoryNetwork
{
    /** Chooses how long a frame from {@code from} takes to reach {@code to}. */
    @FunctionalInterface
    public interface DelayModel
    {
        long delayNs(int from, int to);
    }

    /** Decides whether a publication accepts a frame now; refusing models Aeron's back-pressure. */
    @FunctionalInterface
    public interface BackPressureModel
    {
        boolean refuse(int from);
    }

    /** Sees every frame as it is published, before delivery (the simulator's checker uses it). */
    @FunctionalInterface
    public interface PublishObserver
    {
        void onPublish(int from, DirectBuffer buffer, int offset, int length);
    }

    /** Sees every frame as it is delivered ({@link #deliveringKind()} tells what kind of frame it is). */
    @FunctionalInterface
    public interface DeliveryObserver
    {
        void onDeliver(int from, int to, DirectBuffer buffer, int offset, int length);
    }

    /**
     * Decides, for a frame just delivered from {@code from} to {@code to}, whether a second copy follows and when:
     * the delay in nanoseconds after now, or a negative value for none.
     */
    @FunctionalInterface
    public interface DuplicationModel
    {
        long duplicateAfterNs(int from, int to);
    }

    /**
     * Told when a receiver gets the first frame of a publisher's new session (its process restarted), before that
     * frame: what the real transport reports as a second session of a member binding (a new image).
     */
    @FunctionalInterface
    public interface SessionObserver
    {
        void onNewSession(int receiver, int publisher);
    }

    /** A frame published by a member, as its publisher sent it. */
    public static final int SENT = 0;
    /** A second copy of a frame the receiver was just delivered. */
    public static final int DUPLICATE = 1;
    /** A frame the receiver was delivered earlier (perhaps much earlier), delivered again. */
    public static final int REPLAYED = 2;
    /** Bytes no member sent: noise, or a forgery whose fields do not hold up. */
    public static final int INJECTED = 3;

    private static final int RECENT_HISTORY = 64;
    private static final int OLD_HISTORY = 64;
    private static final int OLD_HISTORY_STRIDE = 16;

    private static final class InFlight implements Comparable<InFlight>
    {
        final long deliverAtNs;
        final long sendSeq;
        final int from;
        final int session;
        final byte[] frame;
        final int kind;

        InFlight(final long deliverAtNs, final long sendSeq, final int from, final int session, final byte[] frame)
        {
            this(deliverAtNs, sendSeq, from, session, frame, SENT);
        }

        InFlight(final long deliverAtNs, final long sendSeq, final int from, final int session, final byte[] frame,
            final int kind)
        {
            this.deliverAtNs = deliverAtNs;
            this.sendSeq = sendSeq;
            this.from = from;
            this.session = session;
            this.frame = frame;
            this.kind = kind;
        }

        InFlight at(final long deliverAtNs)
        {
            return new InFlight(deliverAtNs, sendSeq, from, session, frame, kind);
        }

        public int compareTo(final InFlight other)
        {
            final int byTime = Long.compare(deliverAtNs, other.deliverAtNs);
            return byTime != 0 ? byTime : Long.compare(sendSeq, other.sendSeq);
        }
    }

    private final Endpoint[] endpoints = new Endpoint[ClusterConfig.MAX_MEMBER_ID + 1];
    private final boolean[][] cutLinks = new boolean[ClusterConfig.MAX_MEMBER_ID + 1][ClusterConfig.MAX_MEMBER_ID + 1];
    private final boolean[][] cutPointToPoint =
        new boolean[ClusterConfig.MAX_MEMBER_ID + 1][ClusterConfig.MAX_MEMBER_ID + 1];
    private final long[][] stalledUntil = new long[ClusterConfig.MAX_MEMBER_ID + 1][ClusterConfig.MAX_MEMBER_ID + 1];
    private final int[] endpointIds;
    private final DelayModel delayModel;
    private BackPressureModel backPressure = from -> false;
    private PublishObserver publishObserver;
    private DeliveryObserver deliveryObserver;
    private long nowNs;
    private long sendSeq;
    private long reorders;
    private long staleSessionFrames;
    private DuplicationModel duplication;
    private SessionObserver sessionObserver;
    private boolean keepHistory;
    private boolean authentication;
    private int deliveringKind = SENT;
    private long duplicatesDelivered;
    private long replaysDelivered;
    private long injectedDelivered;
    private long injectedRejected;

    /** A network joining the given member ids, with delays from {@code delayModel}. */
    public InMemoryNetwork(final DelayModel delayModel, final int... memberIds)
    {
        this.delayModel = delayModel;
        this.endpointIds = memberIds.clone();
        for (final int id : memberIds)
        {
            endpoints[id] = new Endpoint(id);
        }
    }

    /** A network that delivers every frame at once, in publish order. */
    public static InMemoryNetwork immediate(final int... memberIds)
    {
        return new InMemoryNetwork((from, to) -> 0, memberIds);
    }

    public Transport endpoint(final int memberId)
    {
        return endpoints[memberId];
    }

    /** Set the network's current time: frames due at or before it may be polled. */
    public void time(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    public void backPressure(final BackPressureModel model)
    {
        this.backPressure = model;
    }

    public void publishObserver(final PublishObserver observer)
    {
        this.publishObserver = observer;
    }

    public void deliveryObserver(final DeliveryObserver observer)
    {
        this.deliveryObserver = observer;
    }

    /** Be told of new sessions of publishers as receivers meet them (null: nobody is told). */
    public void sessionObserver(final SessionObserver observer)
    {
        this.sessionObserver = observer;
    }

    /** Deliver a second copy of some frames, as {@code model} says (null: never). */
    public void duplication(final DuplicationModel model)
    {
        this.duplication = model;
    }

    /**
     * Keep, per receiver, the last frames it was delivered and a sample of older ones, for {@link #replay}. Off by
     * default: it costs a few array writes per delivery.
     */
    public void keepHistory(final boolean keep)
    {
        this.keepHistory = keep;
    }

    /**
     * An authenticating transport: frames no member sent ({@link #inject}) are dropped before the protocol sees them
     * and counted in {@link #injectedRejected()}. Frames a member did send, duplicated or replayed, still pass: they
     * carry a valid tag.
     */
    public void authentication(final boolean on)
    {
        this.authentication = on;
    }

    /**
     * While a {@link DeliveryObserver} runs: {@link #SENT}, {@link #DUPLICATE}, {@link #REPLAYED} or {@link #INJECTED}.
     */
    public int deliveringKind()
    {
        return deliveringKind;
    }

    /** Second copies delivered. */
    public long duplicatesDelivered()
    {
        return duplicatesDelivered;
    }

    /** Earlier frames delivered again. */
    public long replaysDelivered()
    {
        return replaysDelivered;
    }

    /** Injected frames that reached a receiver's handler (authentication off). */
    public long injectedDelivered()
    {
        return injectedDelivered;
    }

    /** Injected frames dropped by authentication. */
    public long injectedRejected()
    {
        return injectedRejected;
    }

    /**
     * Deliver {@code frame} to {@code to} at {@code deliverAtNs} as if {@code from} had sent it, outside any
     * publisher's order: garbage or a forgery.
     */
    public void inject(final int to, final int from, final byte[] frame, final long deliverAtNs)
    {
        final Endpoint receiver = endpoints[to];
        if (receiver != null && receiver.up)
        {
            receiver.queue.add(new InFlight(deliverAtNs, ++sendSeq, from, Integer.MAX_VALUE, frame, INJECTED));
        }
    }

    /**
     * Deliver again, at {@code deliverAtNs}, one frame that {@code to} was delivered before: one of the last few
     * ({@code old} false) or one of a sample kept since the start, of earlier epochs and earlier processes of its
     * publisher ({@code old} true). Needs {@link #keepHistory}.
     *
     * @return whether a frame was found to replay.
     */
    public boolean replay(final int to, final boolean old, final java.util.SplittableRandom random,
        final long deliverAtNs)
    {
        final Endpoint receiver = endpoints[to];
        if (receiver == null || !receiver.up)
        {
            return false;
        }
        final InFlight[] history = old ? receiver.oldHistory : receiver.recentHistory;
        final long count = old ? receiver.oldCount : receiver.delivered;
        final int size = (int)Math.min(count, history.length);
        if (size == 0)
        {
            return false;
        }
        final InFlight original = history[random.nextInt(size)];
        receiver.queue.add(new InFlight(deliverAtNs, ++sendSeq, original.from, Integer.MAX_VALUE, original.frame,
            REPLAYED));
        return true;
    }

    /**
     * Deliveries that broke the global send order: a frame reaching a receiver after the receiver already saw a frame
     * that another publisher, the receiver itself included, sent later. Each is a point where two members see two
     * publishers' frames in different orders.
     */
    public long crossPublisherReorders()
    {
        return reorders;
    }

    /**
     * Frames of an old session (a publisher's process before its restart) dropped because the receiver had already
     * seen the new session, as the real transport drops frames of an image older than the newest of a member.
     */
    public long staleSessionFrames()
    {
        return staleSessionFrames;
    }

    /**
     * A process on {@code memberId} starts: a new session, whose frames may overtake the old one's stragglers; a
     * receiver that has seen the new session drops the old one's.
     */
    public void connect(final int memberId)
    {
        final Endpoint endpoint = endpoints[memberId];
        endpoint.up = true;
        endpoint.session++;
        for (final int other : endpointIds)
        {
            endpoints[other].lastDeliverAtFrom[memberId] = 0;
        }
    }

    /**
     * The process on {@code memberId} dies: nothing more reaches it, and of the frames it had in flight each
     * receiver gets a prefix of random length (a dying publisher's tail reaches some subscribers and not others).
     */
    public void disconnect(final int memberId, final java.util.SplittableRandom random)
    {
        final Endpoint endpoint = endpoints[memberId];
        endpoint.up = false;
        endpoint.queue.clear();
        for (final int other : endpointIds)
        {
            if (other != memberId)
            {
                dropTailFrom(endpoints[other], memberId, random);
            }
        }
    }

    /** Cut (or heal) the link between two members: frames in flight between them are lost, and so are new ones. */
    public void cut(final int a, final int b, final boolean cut)
    {
        cutOneWay(a, b, cut);
        cutOneWay(b, a, cut);
    }

    /**
     * Cut (or heal) one direction of a link: frames from {@code from} in flight to {@code to} are lost, and so are new
     * ones; {@code to}'s frames still reach {@code from}.
     */
    public void cutOneWay(final int from, final int to, final boolean cut)
    {
        cutLinks[from][to] = cut;
        if (cut)
        {
            endpoints[to].queue.removeIf(f -> f.from == from && f.kind == SENT);
        }
    }

    /**
     * Cut (or heal) one direction of the point-to-point path only (catch-up: {@code Fetch}, {@code Entries},
     * {@code Snapshot}): a member's endpoint unreachable from one peer, or its route to it broken, while the shared
     * channel still carries everything else, so each still hears the other. Frames in flight on it are lost.
     */
    public void cutPointToPointOneWay(final int from, final int to, final boolean cut)
    {
        cutPointToPoint[from][to] = cut;
        if (cut)
        {
            endpoints[to].queue.removeIf(f -> f.from == from && f.kind == SENT &&
                MessageType.pointToPointTarget(new UnsafeBuffer(f.frame), 0, f.frame.length) != MessageType.NO_TARGET);
        }
    }

    /**
     * Hold every frame from {@code from} to {@code to}, in flight or sent later, until {@code untilNs}: a link that
     * stops carrying frames without either end being told, and carries them again, in order, once it heals (the
     * retransmission of a reliable transport). Nothing is lost.
     */
    public void stall(final int from, final int to, final long untilNs)
    {
        stalledUntil[from][to] = Math.max(stalledUntil[from][to], untilNs);
        final Endpoint receiver = endpoints[to];
        final java.util.List<InFlight> held = new java.util.ArrayList<>();
        receiver.queue.removeIf(f ->
        {
            if (f.from == from && f.kind == SENT && f.deliverAtNs < untilNs)
            {
                held.add(f);
                return true;
            }
            return false;
        });
        for (final InFlight f : held)
        {
            receiver.queue.add(f.at(untilNs)); // same time for all: their sendSeq keeps them in order
        }
        receiver.lastDeliverAtFrom[from] = Math.max(receiver.lastDeliverAtFrom[from], untilNs);
    }

    private static void dropTailFrom(final Endpoint receiver, final int from, final java.util.SplittableRandom random)
    {
        final java.util.List<InFlight> fromDead = new java.util.ArrayList<>();
        for (final InFlight f : receiver.queue)
        {
            if (f.from == from)
            {
                fromDead.add(f);
            }
        }
        if (fromDead.isEmpty())
        {
            return;
        }
        fromDead.sort(null);
        final int keep = random.nextInt(fromDead.size() + 1);
        for (int i = keep; i < fromDead.size(); i++)
        {
            receiver.queue.remove(fromDead.get(i));
        }
    }

    private final class Endpoint implements Transport
    {
        final int id;
        boolean up = true;
        int session;
        final int[] newestSessionFrom = new int[ClusterConfig.MAX_MEMBER_ID + 1];
        final PriorityQueue<InFlight> queue = new PriorityQueue<>();
        final InFlight[] recentHistory = new InFlight[RECENT_HISTORY];
        final InFlight[] oldHistory = new InFlight[OLD_HISTORY];
        long delivered;
        long oldCount;
        final long[] lastDeliverAtFrom = new long[ClusterConfig.MAX_MEMBER_ID + 1];
        final long[] maxSendSeqDeliveredFrom = new long[ClusterConfig.MAX_MEMBER_ID + 1];
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);

        Endpoint(final int id)
        {
            this.id = id;
        }

        public boolean publish(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!up || backPressure.refuse(id))
            {
                return false;
            }
            if (publishObserver != null)
            {
                publishObserver.onPublish(id, buffer, offset, length);
            }
            final long seq = ++sendSeq;
            maxSendSeqDeliveredFrom[id] = seq; // a publisher observes its own frame at once
            for (final int to : endpointIds)
            {
                final Endpoint receiver = endpoints[to];
                if (to == id || !receiver.up || cutLinks[id][to] || (cutPointToPoint[id][to] &&
                    MessageType.pointToPointTarget(buffer, offset, length) != MessageType.NO_TARGET))
                {
                    continue;
                }
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                final long deliverAt = Math.max(
                    Math.max(nowNs, stalledUntil[id][to]) + delayModel.delayNs(id, to), receiver.lastDeliverAtFrom[id]);
                receiver.lastDeliverAtFrom[id] = deliverAt; // per-publisher FIFO
                receiver.queue.add(new InFlight(deliverAt, seq, id, session, copy));
            }
            return true;
        }

        public int poll(final FrameHandler handler, final int limit)
        {
            int delivered = 0;
            while (delivered < limit)
            {
                final InFlight head = queue.peek();
                if (head == null || head.deliverAtNs > nowNs)
                {
                    break;
                }
                queue.poll();
                if (head.kind == SENT)
                {
                    if (head.session < newestSessionFrom[head.from])
                    {
                        staleSessionFrames++; // a newer session of this publisher was seen: its process restarted
                        continue;
                    }
                    final boolean newSession = head.session > newestSessionFrom[head.from] &&
                        newestSessionFrom[head.from] > 0;
                    newestSessionFrom[head.from] = head.session;
                    if (newSession && sessionObserver != null)
                    {
                        sessionObserver.onNewSession(id, head.from);
                    }
                    for (final int other : endpointIds)
                    {
                        if (other != head.from && maxSendSeqDeliveredFrom[other] > head.sendSeq)
                        {
                            reorders++;
                            break;
                        }
                    }
                    maxSendSeqDeliveredFrom[head.from] = Math.max(maxSendSeqDeliveredFrom[head.from], head.sendSeq);
                    if (keepHistory)
                    {
                        remember(head);
                    }
                }
                else if (head.kind == INJECTED)
                {
                    if (authentication)
                    {
                        injectedRejected++; // no valid tag: the transport drops it
                        continue;
                    }
                    injectedDelivered++;
                }
                else if (head.kind == DUPLICATE)
                {
                    duplicatesDelivered++;
                }
                else
                {
                    replaysDelivered++;
                }
                view.wrap(head.frame);
                deliveringKind = head.kind;
                if (deliveryObserver != null)
                {
                    deliveryObserver.onDeliver(head.from, id, view, 0, head.frame.length);
                }
                handler.onFrame(view, 0, head.frame.length);
                deliveringKind = SENT;
                delivered++;
                if (head.kind == SENT && duplication != null)
                {
                    final long afterNs = duplication.duplicateAfterNs(head.from, id);
                    if (afterNs >= 0)
                    {
                        queue.add(new InFlight(nowNs + afterNs, ++sendSeq, head.from, Integer.MAX_VALUE, head.frame,
                            DUPLICATE));
                    }
                }
            }
            return delivered;
        }

        private void remember(final InFlight frame)
        {
            recentHistory[(int)(this.delivered % RECENT_HISTORY)] = frame;
            if (this.delivered % OLD_HISTORY_STRIDE == 0)
            {
                // The first OLD_HISTORY samples stay for good (the earliest epochs and processes); later ones rotate.
                final int slot = oldCount < OLD_HISTORY ? (int)oldCount :
                    OLD_HISTORY / 2 + (int)(oldCount % (OLD_HISTORY / 2));
                oldHistory[slot] = frame;
                oldCount++;
            }
            this.delivered++;
        }

        public void close()
        {
            queue.clear();
        }
    }
}
