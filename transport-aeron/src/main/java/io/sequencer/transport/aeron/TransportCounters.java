package io.sequencer.transport.aeron;

/**
 * What one node's transport counts. Plain fields written by the duty-cycle thread, like the protocol's counters.
 * Every received frame is exactly one of: delivered to the protocol, looped back (this node's own), or dropped by
 * a {@link TransportDropReason}; a batch looped back or dropped whole counts once, the frames of one unpacked count
 * one by one. Messages the driver received before the first poll are skipped unread, and counted apart
 * ({@link #skippedAtStart}).
 */
public final class TransportCounters
{
    private final long[] dropped = new long[TransportDropReason.values().length];
    long delivered;
    long loopedBack;
    long published;
    long messages;
    long batches;
    long batchesReceived;
    long claimed;
    long offered;
    long notConnected;
    long backPressured;
    long adminAction;
    long closed;
    long maxPositionExceeded;
    long unroutable;
    long oversize;
    long imagesAvailable;
    long imagesUnavailable;
    long memberAvailableSignals;
    long memberUnavailableSignals;
    long skippedAtStart;

    void drop(final TransportDropReason reason)
    {
        dropped[reason.ordinal()]++;
    }

    public long dropped(final TransportDropReason reason)
    {
        return dropped[reason.ordinal()];
    }

    public long droppedTotal()
    {
        long total = 0;
        for (final long d : dropped)
        {
            total += d;
        }
        return total;
    }

    /** Frames handed to the protocol. */
    public long delivered()
    {
        return delivered;
    }

    /** This node's own frames received back over multicast: skipped, not dropped. */
    public long loopedBack()
    {
        return loopedBack;
    }

    /** Frames received in total: delivered, looped back or dropped. */
    public long received()
    {
        return delivered + loopedBack + droppedTotal();
    }

    /** Frames accepted by a publication (alone or in a batch). */
    public long published()
    {
        return published;
    }

    /**
     * Messages accepted by the shared channel's publication: frames sent alone and batches (each one Aeron message,
     * one tag). What every other member receives; divided by events acknowledged, the frames per event of issue 11.
     */
    public long messages()
    {
        return messages;
    }

    /** Messages of several frames sent ({@link FrameBatch}). */
    public long batches()
    {
        return batches;
    }

    /** Batches received and unpacked (their frames count as received one by one). */
    public long batchesReceived()
    {
        return batchesReceived;
    }

    /** Messages (of {@link #messages()}, and catch-up frames) written in place with {@code tryClaim}. */
    public long claimed()
    {
        return claimed;
    }

    /** Messages (of {@link #messages()}, and catch-up frames) above the claim limit, copied with {@code offer}. */
    public long offered()
    {
        return offered;
    }

    /** Send attempts refused because no receiver is connected (a held batch is tried again each cycle). */
    public long notConnected()
    {
        return notConnected;
    }

    /** Send attempts refused by flow control (a held batch is tried again each cycle). */
    public long backPressured()
    {
        return backPressured;
    }

    public long adminAction()
    {
        return adminAction;
    }

    public long closed()
    {
        return closed;
    }

    public long maxPositionExceeded()
    {
        return maxPositionExceeded;
    }

    /** Catch-up frames for a target that is not a peer: refused. */
    public long unroutable()
    {
        return unroutable;
    }

    /** Frames longer than the publication's largest message: refused (a configuration error). */
    public long oversize()
    {
        return oversize;
    }

    public long imagesAvailable()
    {
        return imagesAvailable;
    }

    public long imagesUnavailable()
    {
        return imagesUnavailable;
    }

    /** {@code onMemberAvailable} signals given to the listener: a new session of a member already seen. */
    public long memberAvailableSignals()
    {
        return memberAvailableSignals;
    }

    /** {@code onMemberUnavailable} signals given to the listener: the current session of a member went away. */
    public long memberUnavailableSignals()
    {
        return memberUnavailableSignals;
    }

    /**
     * Messages (Aeron fragments) that the driver had received before the first poll: skipped unread, as if the
     * streams had been joined at the first poll ({@link AeronTransport#poll}).
     */
    public long skippedAtStart()
    {
        return skippedAtStart;
    }

    /**
     * Each of these counters with a label for an operator ({@code sequencer stat}): to be read on the thread that
     * polls and publishes, as they are plain fields.
     */
    public void forEach(final java.util.function.BiConsumer<String, java.util.function.LongSupplier> sink)
    {
        sink.accept("transport: frames delivered", this::delivered);
        sink.accept("transport: own frames looped back", this::loopedBack);
        sink.accept("transport: frames published", this::published);
        sink.accept("transport: channel messages published", this::messages);
        sink.accept("transport: batches published", this::batches);
        sink.accept("transport: batches received", this::batchesReceived);
        sink.accept("transport: publish refused, not connected", this::notConnected);
        sink.accept("transport: publish refused, back-pressured", this::backPressured);
        sink.accept("transport: publish refused, admin action", this::adminAction);
        sink.accept("transport: publish refused, closed", this::closed);
        sink.accept("transport: publish refused, max position", this::maxPositionExceeded);
        sink.accept("transport: catch-up frames unroutable", this::unroutable);
        sink.accept("transport: frames oversize", this::oversize);
        sink.accept("transport: images available", this::imagesAvailable);
        sink.accept("transport: images unavailable (a stream lost)", this::imagesUnavailable);
        sink.accept("transport: messages received before the first poll, skipped", this::skippedAtStart);
        for (final TransportDropReason reason : TransportDropReason.values())
        {
            sink.accept("transport: dropped " + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                () -> dropped(reason));
        }
    }
}
