package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.PriorityQueue;

/**
 * A shared channel in memory with the guarantees of the real one (PROTOCOL.md §0): every frame reaches every
 * other endpoint, in order per publisher, with a delay chosen per frame and receiver by a {@link DelayModel}, so
 * frames of different publishers overtake each other. Time is whatever its driver says it is ({@link #time}).
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

    /** Sees every frame as it is delivered. */
    @FunctionalInterface
    public interface DeliveryObserver
    {
        void onDeliver(int from, int to, DirectBuffer buffer, int offset, int length);
    }

    private static final class InFlight implements Comparable<InFlight>
    {
        final long deliverAtNs;
        final long sendSeq;
        final int from;
        final int session;
        final byte[] frame;

        InFlight(final long deliverAtNs, final long sendSeq, final int from, final int session, final byte[] frame)
        {
            this.deliverAtNs = deliverAtNs;
            this.sendSeq = sendSeq;
            this.from = from;
            this.session = session;
            this.frame = frame;
        }

        public int compareTo(final InFlight other)
        {
            final int byTime = Long.compare(deliverAtNs, other.deliverAtNs);
            return byTime != 0 ? byTime : Long.compare(sendSeq, other.sendSeq);
        }
    }

    private final Endpoint[] endpoints = new Endpoint[ClusterConfig.MAX_MEMBER_ID + 1];
    private final boolean[][] cutLinks = new boolean[ClusterConfig.MAX_MEMBER_ID + 1][ClusterConfig.MAX_MEMBER_ID + 1];
    private final int[] endpointIds;
    private final DelayModel delayModel;
    private BackPressureModel backPressure = from -> false;
    private PublishObserver publishObserver;
    private DeliveryObserver deliveryObserver;
    private long nowNs;
    private long sendSeq;
    private long reorders;
    private long staleSessionFrames;

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
        cutLinks[a][b] = cut;
        cutLinks[b][a] = cut;
        if (cut)
        {
            endpoints[a].queue.removeIf(f -> f.from == b);
            endpoints[b].queue.removeIf(f -> f.from == a);
        }
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
                if (to == id || !receiver.up || cutLinks[id][to])
                {
                    continue;
                }
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                final long deliverAt = Math.max(nowNs + delayModel.delayNs(id, to), receiver.lastDeliverAtFrom[id]);
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
                if (head.session < newestSessionFrom[head.from])
                {
                    staleSessionFrames++; // a newer session of this publisher was seen: its process restarted
                    continue;
                }
                newestSessionFrom[head.from] = head.session;
                for (final int other : endpointIds)
                {
                    if (other != head.from && maxSendSeqDeliveredFrom[other] > head.sendSeq)
                    {
                        reorders++;
                        break;
                    }
                }
                maxSendSeqDeliveredFrom[head.from] = Math.max(maxSendSeqDeliveredFrom[head.from], head.sendSeq);
                view.wrap(head.frame);
                if (deliveryObserver != null)
                {
                    deliveryObserver.onDeliver(head.from, id, view, 0, head.frame.length);
                }
                handler.onFrame(view, 0, head.frame.length);
                delivered++;
            }
            return delivered;
        }

        public void close()
        {
            queue.clear();
        }
    }
}
