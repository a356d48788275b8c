package io.sequencer.transport.aeron;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.FrameHandler;
import io.sequencer.core.MemberStreamListener;
import io.sequencer.core.Transport;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentTerminationException;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The protocol's {@link Transport} on Aeron. One exclusive publication for the shared channel, and one subscription
 * to each peer's on multicast (one receive socket per sender, {@link AeronTransportContext}) or one on this node's
 * endpoint with multi-destination unicast; one subscription for catch-up on this node's endpoint and one exclusive
 * publication to each peer's. {@link ChannelPublisher} routes outgoing frames by type;
 * {@link ChannelAdapter} checks incoming ones and turns image events into {@link MemberStreamListener} signals.
 * <p>
 * The Aeron client runs on the caller's thread ({@code useConductorAgentInvoker}): {@link #poll} services it, so
 * image events reach the protocol on its own duty-cycle thread, between frames, and the transport needs no locks.
 * With {@link ThreadingMode#INVOKER} the embedded driver runs there too, and a node is one thread in all.
 * <p>
 * Lifecycle: {@link #launch} starts the embedded driver (its directory deleted first), connects and creates every
 * stream, or fails with an {@link IllegalStateException} naming the setting at fault; {@link #close} closes them
 * and removes the driver's directory.
 */
public final class AeronTransport implements Transport
{
    private final AeronTransportContext context;
    private final TransportCounters counters = new TransportCounters();
    private final ChannelAdapter adapter;
    private final ChannelPublisher publisher;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker clientInvoker;
    private final ExclusivePublication sharedPublication;
    private final ExclusivePublication[] catchUpPublications;
    private final Subscription[] sharedSubscriptions;
    private final Subscription catchUpSubscription;
    private final FragmentAssembler sharedAssembler;
    private final FragmentAssembler catchUpAssembler;
    private int nextShared;
    private boolean polled;
    private boolean closed;

    private AeronTransport(final AeronTransportContext context)
    {
        this.context = context;
        final ClusterConfig cluster = context.cluster();
        final int selfIndex = cluster.indexOf(context.memberId());
        final FrameAuthenticator authenticator = context.authentication() == Authentication.NONE ?
            null : new FrameAuthenticator(context.secret());
        final FrameAuthenticator publishAuthenticator = context.authentication() == Authentication.NONE ?
            null : new FrameAuthenticator(context.secret());
        adapter = new ChannelAdapter(cluster, context.memberId(), context.maxEventLength(), context.authentication(),
            authenticator, counters);
        adapter.errorHandler(context.errorHandler());
        sharedAssembler = new FragmentAssembler(adapter.sharedFragmentHandler());
        catchUpAssembler = new FragmentAssembler(adapter.catchUpFragmentHandler());

        MediaDriver driver = null;
        Aeron aeron = null;
        final ExclusivePublication[] catchUp = new ExclusivePublication[cluster.size()];
        ExclusivePublication shared = null;
        final String[] sharedChannels = context.sharedSubscriptionChannels();
        final Subscription[] sharedSubs = new Subscription[sharedChannels.length];
        Subscription catchUpSub = null;
        try
        {
            if (context.embeddedDriver())
            {
                driver = launchDriver(context);
            }
            final MediaDriver launched = driver;
            aeron = step("aeronDirectoryName", () -> connect(context, launched));
            final Aeron client = aeron;
            if (context.sharedPublicationChannel() != null)
            {
                shared = step("channel", () -> client.addExclusivePublication(
                    context.sharedPublicationChannel(), context.streamId()));
                final String[] destinations = context.sharedDestinations();
                for (int i = 0; i < destinations.length; i++)
                {
                    if (destinations[i] != null)
                    {
                        final ExclusivePublication publication = shared;
                        final String destination = destinations[i];
                        step("memberEndpoints[" + cluster.memberId(i) + "]", () ->
                        {
                            publication.addDestination(destination);
                            return publication;
                        });
                    }
                }
                adapter.ownSharedSession(shared.sessionId());
            }
            for (int i = 0; i < sharedChannels.length; i++)
            {
                final String channel = sharedChannels[i];
                sharedSubs[i] = step(context.unicast() ? "memberEndpoints[" + context.memberId() + "]" : "channel",
                    () -> client.addSubscription(channel, context.streamId(),
                        image -> adapter.onImageAvailable(false, image.sessionId()),
                        image ->
                        {
                            sharedAssembler.freeSessionBuffer(image.sessionId());
                            adapter.onImageUnavailable(false, image.sessionId());
                        }));
            }
            catchUpSub = step("memberEndpoints[" + context.memberId() + "]", () -> client.addSubscription(
                context.catchUpSubscriptionChannel(), context.catchUpStreamId(),
                image -> adapter.onImageAvailable(true, image.sessionId()),
                image ->
                {
                    catchUpAssembler.freeSessionBuffer(image.sessionId());
                    adapter.onImageUnavailable(true, image.sessionId());
                }));
            final String[] catchUpChannels = context.catchUpPublicationChannels();
            for (int i = 0; i < catchUpChannels.length; i++)
            {
                if (i != selfIndex)
                {
                    final String channel = catchUpChannels[i];
                    catchUp[i] = step("memberEndpoints[" + cluster.memberId(i) + "]",
                        () -> client.addExclusivePublication(channel, context.catchUpStreamId()));
                }
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(catchUp);
            CloseHelper.quietCloseAll(sharedSubs);
            CloseHelper.quietCloseAll(catchUpSub, shared, aeron, driver);
            if (driver != null)
            {
                IoUtil.delete(new File(context.aeronDirectoryName()), true);
            }
            throw ex;
        }

        this.driver = driver;
        this.aeron = aeron;
        this.driverInvoker = driver != null && context.threadingMode() == ThreadingMode.INVOKER ?
            driver.sharedAgentInvoker() : null;
        this.clientInvoker = aeron.conductorAgentInvoker();
        this.sharedPublication = shared;
        this.catchUpPublications = catchUp;
        this.sharedSubscriptions = sharedSubs;
        this.catchUpSubscription = catchUpSub;
        this.publisher = new ChannelPublisher(
            cluster, context.memberId(), context.authentication(), publishAuthenticator, counters, shared, catchUp);
    }

    /**
     * Start the transport: conclude the context, launch the embedded media driver (unless external), connect and
     * create every stream.
     *
     * @throws IllegalArgumentException for a bad setting, naming it.
     * @throws IllegalStateException    when a stream or the driver cannot start, naming the setting at fault.
     */
    public static AeronTransport launch(final AeronTransportContext context)
    {
        context.conclude();
        return new AeronTransport(context);
    }

    /**
     * The embedded driver's counter values: room for 8,192 counters of 128 bytes (Aeron's least), where a member uses
     * far fewer. Aeron 1.51's 8 MiB default, with four times as much metadata, made a 48 MB {@code cnc.dat} (11.5 MB
     * now) that the driver zero-fills page by page as it starts: a third of a restarting node's CPU samples, on a
     * 2-core machine it shares with two running members.
     */
    static final int DRIVER_COUNTERS_VALUES_LENGTH = 1024 * 1024;

    /**
     * How long the node and its embedded media driver wait for each other before either takes the other for dead
     * (Aeron's client liveness timeout in the driver, its driver timeout in the client: 10 s by default). They live and
     * pause in one process, so a gap between them is the process's own pause (SIGSTOP, a frozen VM, a long stall), not
     * a failure: with Aeron's defaults a node paused for more than 10 s came back with its Aeron client closed, and
     * ran on deaf and mute for good (CatchUpFigures with {@code -Dsequencer.figures.paused=true}, an 87 s pause).
     */
    static final long EMBEDDED_PAUSE_TOLERANCE_NS = TimeUnit.HOURS.toNanos(24);

    /** How long the embedded driver's name-resolving thread sleeps when it has nothing to do (Aeron's default: 1). */
    private static final long ASYNC_EXECUTOR_SLEEP_MS = 10;

    /**
     * How old a driver's heartbeat may be for it to count as active, and how long its CnC file may stay uninitialised
     * before it is taken for a driver that died while starting (one value in Aeron's check).
     */
    static final long DRIVER_ACTIVE_TIMEOUT_MS = 500;

    /**
     * Whether a media driver is active in {@code directory}. A CnC file that stays uninitialised is a driver that
     * died while it started (a process killed in its first milliseconds, SIGKILL or power loss): Aeron throws there
     * ("created but not initialised"), and every later start of this member failed alike until an operator deleted
     * the file. It is no driver: the directory is taken over (the driver deletes it at start), and the error handler
     * says so. A driver still starting initialises its file within milliseconds, inside the timeout.
     */
    private static boolean driverActive(final File directory, final AeronTransportContext context)
    {
        final boolean heartbeat;
        try
        {
            heartbeat = CommonContext.isDriverActive(directory, DRIVER_ACTIVE_TIMEOUT_MS, message -> {});
        }
        catch (final io.aeron.exceptions.DriverTimeoutException ex)
        {
            context.errorHandler().onError(new io.sequencer.core.RecoveredFault("media driver directory " + directory +
                " held the CnC file of a driver that never finished starting (" + ex.getMessage() + "): replaced"));
            return false;
        }
        if (!heartbeat)
        {
            return false;
        }
        // A heartbeat younger than the timeout is also what a driver killed a moment ago leaves: a member killed and
        // restarted at once (a supervisor's restart, a fast JVM start) was refused as if two nodes shared the
        // directory. The driver's process is named in its CnC file; gone, the driver is too.
        final long pid = DriverProcess.goneOwner(directory);
        if (pid > 0)
        {
            context.errorHandler().onError(new io.sequencer.core.RecoveredFault("media driver directory " + directory +
                " held the CnC file of a driver whose process " + pid + " is gone (its last heartbeat less than " +
                DRIVER_ACTIVE_TIMEOUT_MS + " ms old: killed a moment ago): replaced"));
            return false;
        }
        return true;
    }

    private static MediaDriver launchDriver(final AeronTransportContext context)
    {
        final File directory = new File(context.aeronDirectoryName());
        final File parent = directory.getAbsoluteFile().getParentFile();
        if (parent == null || (!parent.isDirectory() && !parent.mkdirs()) || !parent.canWrite())
        {
            throw new IllegalStateException("aeronDirectoryName: cannot create the media driver directory " +
                directory + " (its parent is missing or not writable)");
        }
        if (driverActive(directory, context))
        {
            throw new IllegalStateException("aeronDirectoryName: another media driver is active in " + directory +
                "; give each node its own directory");
        }
        final Supplier<org.agrona.concurrent.IdleStrategy> idle = context.driverIdleStrategy();
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(directory.getPath())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .counterValuesBufferLength(DRIVER_COUNTERS_VALUES_LENGTH)
            .threadingMode(context.threadingMode())
            .conductorIdleStrategy(idle.get())
            .senderIdleStrategy(idle.get())
            .receiverIdleStrategy(idle.get())
            .sharedNetworkIdleStrategy(idle.get())
            .sharedIdleStrategy(idle.get())
            // the thread that resolves endpoint names (a DNS lookup never blocks the conductor) woke every 1 ms,
            // Aeron's default, for names that are almost always addresses: on two cores, three members' wake-ups
            // were a third runnable thread beside the duty cycle and the load for 5 % of the time
            .asyncExecutorIdleStrategy(new org.agrona.concurrent.SleepingMillisIdleStrategy(ASYNC_EXECUTOR_SLEEP_MS))
            .imageLivenessTimeoutNs(context.imageLivenessTimeoutNs())
            .flowControlReceiverTimeoutNs(context.flowControlReceiverTimeoutNs())
            .clientLivenessTimeoutNs(EMBEDDED_PAUSE_TOLERANCE_NS)
            .publicationUnblockTimeoutNs(EMBEDDED_PAUSE_TOLERANCE_NS + TimeUnit.SECONDS.toNanos(10)) // Aeron: above it
            .errorHandler(context.errorHandler());
        final long slackNs = context.timerSlackNs();
        if (slackNs > 0)
        {
            final java.util.concurrent.ThreadFactory slack = runnable -> new Thread(() ->
            {
                io.sequencer.core.runtime.TimerSlack.set(slackNs);
                runnable.run();
            });
            driverContext.sharedThreadFactory(slack).sharedNetworkThreadFactory(slack).conductorThreadFactory(slack)
                .senderThreadFactory(slack).receiverThreadFactory(slack);
        }
        return step("aeronDirectoryName", () -> MediaDriver.launch(driverContext));
    }

    private static Aeron connect(final AeronTransportContext context, final MediaDriver driver)
    {
        final Aeron.Context clientContext = new Aeron.Context()
            .aeronDirectoryName(context.aeronDirectoryName())
            .useConductorAgentInvoker(true)
            .driverTimeoutMs(driver != null ? TimeUnit.NANOSECONDS.toMillis(EMBEDDED_PAUSE_TOLERANCE_NS) :
                context.driverTimeoutMs())
            .errorHandler(context.errorHandler());
        if (driver != null && context.threadingMode() == ThreadingMode.INVOKER)
        {
            clientContext.driverAgentInvoker(driver.sharedAgentInvoker());
        }
        return Aeron.connect(clientContext);
    }

    /** Run one start-up step; a failure becomes an exception that names the setting behind it. */
    private static <T> T step(final String setting, final Supplier<T> action)
    {
        try
        {
            return action.get();
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            if (ex.getMessage() != null && ex.getMessage().startsWith(setting + ":"))
            {
                throw ex;
            }
            throw new IllegalStateException(setting + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException(
                setting + ": " + ex.getClass().getSimpleName() + ": " + ex.getMessage(), ex);
        }
    }

    /** Who hears about members' streams coming and going: the protocol, once it exists. */
    public AeronTransport listener(final MemberStreamListener listener)
    {
        adapter.listener(listener);
        return this;
    }

    public boolean publish(final DirectBuffer buffer, final int offset, final int length)
    {
        return publisher.publish(buffer, offset, length);
    }

    /**
     * Send this duty cycle's shared-channel frames as one message ({@link ChannelPublisher#flush}). Under {@code
     * INVOKER} the driver then runs once more, so that the message leaves in this cycle rather than at the start of
     * the next: with several members' duty cycles on one thread, the next one comes only after each of theirs.
     */
    public int flush()
    {
        final int sent = publisher.flush();
        if (sent > 0)
        {
            invokeDriver();
        }
        return sent;
    }

    /**
     * Under {@code INVOKER}, run the embedded driver's duty cycle once (what {@link #poll} does first), and nothing
     * else: no frame is delivered and no client callback runs. For the thread that holds the transport after its start
     * and before a duty cycle takes it over, so that the driver answers its peers meanwhile; under the other threading
     * modes the driver runs on its own threads and this does nothing.
     *
     * @return the driver's work count (0 when it runs on its own threads).
     */
    public int invokeDriver()
    {
        return driverInvoker == null ? 0 : driverInvoker.invoke();
    }

    /** The Aeron client (tests close it under the transport, as a driver that times it out does). */
    Aeron client()
    {
        return aeron;
    }

    /**
     * Send what was published and not flushed, service the Aeron client (and the driver under {@code INVOKER}), then
     * deliver up to {@code limit} fragments' worth of frames from the shared channel and the catch-up stream.
     *
     * @return frames taken off the streams (delivered, or dropped and counted).
     */
    public int poll(final FrameHandler handler, final int limit)
    {
        publisher.flush(); // what a caller that never flushes published last cycle, before the driver sends
        invokeDriver();
        clientInvoker.invoke();
        if (clientInvoker.isClosed())
        {
            // Its conductor ended (the driver timed it out, or the driver stopped): the publications and subscriptions
            // went with it, and the member would run on deaf and mute. Its duty cycle stops instead.
            throw new AgentTerminationException("the transport's Aeron client is closed (its media driver timed it " +
                "out or stopped; with an external driver, a pause of this process longer than driver.timeout.ms " +
                "does that): this member can neither send nor receive");
        }
        if (!polled)
        {
            polled = true;
            skipBacklog();
        }
        adapter.handler(handler);
        int fragments = 0;
        final int count = sharedSubscriptions.length;
        for (int i = 0; i < count && fragments < limit; i++)
        {
            // Start at a different peer each cycle, so that a busy one cannot keep the others' frames waiting.
            final int index = (nextShared + i) % count;
            fragments += sharedSubscriptions[index].poll(sharedAssembler, limit - fragments);
        }
        nextShared = count == 0 ? 0 : (nextShared + 1) % count;
        if (fragments < limit)
        {
            catchUpSubscription.poll(catchUpAssembler, limit - fragments);
        }
        return adapter.takePolled();
    }

    /**
     * What the driver received between the streams' creation and the first poll (a member's whole storage open, a
     * second or more at a restart beside a loaded cluster) is stale: peers' heartbeats, promises and events of that
     * time. Taken in order, a few dozen a duty cycle, while the member's first cycles run on code not yet compiled, it
     * kept the member a few hundred milliseconds behind its peers' streams, and a decision sent again on its request
     * waited behind it (kill cycles of real processes: 150-350 ms of a restart). Skipped unread, it is as if the
     * streams had been joined at the first poll, which is what a driver started that late gives: nothing the protocol
     * relies on is lost (a member that joins a stream misses what was sent before, and its peers repeat what it needs:
     * their epoch, hears mask and reports every heartbeat, a decision on request).
     */
    private void skipBacklog()
    {
        final io.aeron.logbuffer.FragmentHandler skip = (buffer, offset, length, header) -> counters.skippedAtStart++;
        for (final Subscription subscription : sharedSubscriptions)
        {
            subscription.forEachImage(image -> drain(image, skip));
        }
        catchUpSubscription.forEachImage(image -> drain(image, skip));
    }

    private static void drain(final io.aeron.Image image, final io.aeron.logbuffer.FragmentHandler skip)
    {
        while (image.poll(skip, Integer.MAX_VALUE) > 0)
        {
            // on to the end of what has arrived, a term at a time
        }
    }

    /** Whether at least one peer is connected to this node's shared publication (never, in a 1-member cluster). */
    public boolean isConnected()
    {
        return sharedPublication != null && sharedPublication.isConnected();
    }

    /** This node's publisher session on the shared channel. */
    public int sessionId()
    {
        if (sharedPublication == null)
        {
            throw new IllegalStateException("a 1-member cluster has no shared publication");
        }
        return sharedPublication.sessionId();
    }

    /** How far this node's shared publication has been written, in bytes of its stream: for tests. */
    long sharedPosition()
    {
        return sharedPublication.position();
    }

    /** Whether a catch-up publication to {@code memberId} has a connected receiver. */
    public boolean isCatchUpConnected(final int memberId)
    {
        final int index = context.cluster().indexOf(memberId);
        return index >= 0 && catchUpPublications[index] != null && catchUpPublications[index].isConnected();
    }

    public TransportCounters counters()
    {
        return counters;
    }

    public AeronTransportContext context()
    {
        return context;
    }

    /** The receive path, for tests that feed it frames in-process. */
    ChannelAdapter adapter()
    {
        return adapter;
    }

    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        publisher.flush(); // a member that stops sends what it published (a closed publication refuses, no throw)
        CloseHelper.quietCloseAll(catchUpPublications);
        CloseHelper.quietCloseAll(sharedSubscriptions);
        CloseHelper.quietCloseAll(catchUpSubscription, sharedPublication, aeron, driver);
        if (driver != null)
        {
            IoUtil.delete(new File(context.aeronDirectoryName()), true);
        }
    }
}
