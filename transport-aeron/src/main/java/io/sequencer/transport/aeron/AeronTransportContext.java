package io.sequencer.transport.aeron;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.codec.EntriesFrame;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Configuration of one node's {@link AeronTransport}, with defaults, validated once by {@link #conclude()}: every
 * error names the setting and the expected form, so a bad configuration stops the node at start with a sentence
 * rather than a stack trace from inside Aeron.
 * <p>
 * Streams: the shared channel is one Aeron stream id ({@link #streamId()}) on which every member publishes to all
 * the others, on multicast ({@link #channel()}, the default) or, for networks without multicast, as a
 * multi-destination publication to every peer's unicast {@link #memberEndpoint(int) endpoint} ({@link #unicast()}).
 * On multicast, member index {@code i} publishes on the channel's group at the channel's port plus {@code i}, and
 * each member subscribes to its peers' ports only: one receive socket per sender. The JDK's datagram receive
 * allocates the sender's address whenever it differs from the previous datagram's, so one socket that three members
 * send to allocated on nearly every datagram (JFR: 205 MB in 20 s on the demo's duty thread at 10,000 events/s, a
 * young collection every 21 s); and no member receives its own frames back. Catch-up traffic is point to point on its
 * own stream ({@link #catchUpStreamId()}) to each member's endpoint.
 */
public final class AeronTransportContext
{
    /** Loopback multicast; {@code fc=min} because the default max flow control lets a slow receiver lose frames. */
    public static final String DEFAULT_CHANNEL =
        "aeron:udp?endpoint=239.255.0.1:40456|interface=127.0.0.1|fc=min|ttl=0";
    public static final int DEFAULT_STREAM_ID = 1001;
    public static final int DEFAULT_CATCH_UP_STREAM_ID = 1002;
    /**
     * Member {@code i} of {@code C} listens for catch-up on this port plus {@code i}, unless configured: after the
     * default channel's ports, 40456 plus each member's index.
     */
    public static final int DEFAULT_CATCH_UP_PORT_BASE = 40456 + ClusterConfig.MAX_MEMBERS;
    public static final int DEFAULT_TERM_LENGTH = 1024 * 1024;
    /** The protocol's largest frame by default: a 64 KiB {@code Entries} batch, or a 4 KiB event with its header. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 64 * 1024 + 4096;
    /** What an event's frame adds to its payload at most: the header of an {@code Entries} batch and of its entry. */
    public static final int EVENT_OVERHEAD = EntriesFrame.ENTRIES_OFFSET + EntriesFrame.ENTRY_HEADER_LENGTH;
    /**
     * Ten failure timeouts: a member whose stream is silent this long is long since suspected, and with {@code fc=min}
     * a receiver that hears nothing (one-way multicast loss) holds every publisher back until the receiver timeout
     * below drops it, so both are kept short (measured: a deaf member stalled the others for 2 s with 2 s).
     */
    public static final long DEFAULT_IMAGE_LIVENESS_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    public static final long DEFAULT_FLOW_CONTROL_RECEIVER_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    public static final long DEFAULT_DRIVER_TIMEOUT_MS = 10_000;
    /** {@link #catchUpMtu(int)}: from the MTU of the network interface that holds this member's endpoint address. */
    public static final int AUTO_MTU = 0;
    /** Aeron's own MTU, for a 1500-byte Ethernet frame: where the interface's cannot be known. */
    static final int ETHERNET_MTU = 1408;
    /** IP and UDP headers (IPv6's 48 bytes, with room to spare) below Aeron's datagram. */
    private static final int IP_UDP_HEADROOM = 64;
    /** The largest datagram payload Aeron sends (a multiple of its 32-byte frame alignment). */
    public static final int MAX_MTU = 65504;
    /** The smallest catch-up MTU accepted. */
    public static final int MIN_MTU = 1024;

    private ClusterConfig cluster;
    private int memberId = -1;
    private String channel = DEFAULT_CHANNEL;
    private int streamId = DEFAULT_STREAM_ID;
    private int catchUpStreamId = DEFAULT_CATCH_UP_STREAM_ID;
    private boolean unicast;
    private final TreeMap<Integer, String> memberEndpoints = new TreeMap<>();
    private int catchUpPortBase = DEFAULT_CATCH_UP_PORT_BASE;
    private int termLength = DEFAULT_TERM_LENGTH;
    private int catchUpMtu = AUTO_MTU;
    private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;
    private int maxEventLength = ProtocolContext.DEFAULT_MAX_EVENT_LENGTH;
    private boolean embeddedDriver = true;
    private String aeronDirectoryName;
    private ThreadingMode threadingMode = ThreadingMode.SHARED;
    private Supplier<IdleStrategy> driverIdleStrategy = AeronTransportContext::backoff;
    private long imageLivenessTimeoutNs = DEFAULT_IMAGE_LIVENESS_TIMEOUT_NS;
    private long flowControlReceiverTimeoutNs = DEFAULT_FLOW_CONTROL_RECEIVER_TIMEOUT_NS;
    private long timerSlackNs;
    private long driverTimeoutMs = DEFAULT_DRIVER_TIMEOUT_MS;
    private Authentication authentication = Authentication.NONE;
    private byte[] secret;
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private boolean concluded;

    private String sharedPublicationChannel;
    private String[] sharedSubscriptionChannels;
    private String[] sharedDestinations;
    private String catchUpSubscriptionChannel;
    private String[] catchUpPublicationChannels;
    private String[] resolvedEndpoints;

    /**
     * Check every setting once and derive the Aeron channels.
     *
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public AeronTransportContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(cluster != null, "cluster", "a ClusterConfig", "none");
        require(cluster.isMember(memberId), "memberId", "one of the member ids of " + cluster, memberId);
        require(streamId != catchUpStreamId, "catchUpStreamId", "a stream id other than streamId " + streamId,
            catchUpStreamId);
        require(termLength >= 64 * 1024 && termLength <= 1024 * 1024 * 1024 && Integer.bitCount(termLength) == 1,
            "termLength", "a power of two in 65536..1073741824", termLength);
        require(maxFrameLength >= 1024 && maxFrameLength + FrameAuthenticator.TAG_LENGTH <= termLength / 8,
            "maxFrameLength", "1024..termLength/8 - " + FrameAuthenticator.TAG_LENGTH + " (Aeron's largest message " +
            "is an eighth of the term length; raise termLength for larger frames)", maxFrameLength);
        require(catchUpMtu == AUTO_MTU || validCatchUpMtu(catchUpMtu, termLength), "catchUpMtu",
            "auto (0) or a multiple of 32 in " + MIN_MTU + ".." + maxCatchUpMtu(termLength) +
            " (at most an eighth of termLength)", catchUpMtu);
        require(maxEventLength >= 0 && maxEventLength <= maxFrameLength - EVENT_OVERHEAD, "maxEventLength",
            "0..maxFrameLength - " + EVENT_OVERHEAD + " = " + (maxFrameLength - EVENT_OVERHEAD) +
            " (an event travels in a catch-up batch with its header; raise maxFrameLength for larger events)",
            maxEventLength);
        require(threadingMode != null, "threadingMode", "one of " + Arrays.toString(ThreadingMode.values()), "null");
        require(driverIdleStrategy != null, "driverIdleStrategy", "a supplier of IdleStrategy", "null");
        require(timerSlackNs >= 0, "timerSlackNs", ">= 0 (0: the threads' own)", timerSlackNs);
        require(imageLivenessTimeoutNs >= TimeUnit.MILLISECONDS.toNanos(250), "imageLivenessTimeoutNs",
            ">= 250 ms (Aeron publishers heartbeat every 100 ms)", imageLivenessTimeoutNs);
        require(flowControlReceiverTimeoutNs >= TimeUnit.MILLISECONDS.toNanos(250), "flowControlReceiverTimeoutNs",
            ">= 250 ms (receivers send status every 200 ms)", flowControlReceiverTimeoutNs);
        require(driverTimeoutMs >= 100, "driverTimeoutMs", ">= 100", driverTimeoutMs);
        require(authentication != null, "authentication", "one of " + Arrays.toString(Authentication.values()),
            "null");
        require(authentication == Authentication.NONE || (secret != null && secret.length >= 16),
            "secret", "at least 16 bytes when authentication is " + authentication,
            secret == null ? "none" : secret.length + " bytes");
        require(errorHandler != null, "errorHandler", "an ErrorHandler", "null");
        if (aeronDirectoryName == null)
        {
            final File shm = new File("/dev/shm");
            final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
            aeronDirectoryName = base + File.separator + "sequencer-aeron-" + cluster.clusterId() + "-" + memberId;
        }

        final ChannelUri uri = parseChannel();
        final int members = cluster.size();
        resolvedEndpoints = new String[members];
        for (int i = 0; i < members; i++)
        {
            resolvedEndpoints[i] = resolveEndpoint(i, uri);
        }
        final int selfIndex = cluster.indexOf(memberId);
        final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        final int sharedPort = unicast ? 0 : parseHostPort("channel", endpoint).getPort(); // member index i: + i
        if (!unicast)
        {
            checkSharedPorts(sharedPort);
        }
        checkBindable(resolvedEndpoints[selfIndex]);

        // Catch-up moves a log in frames of up to maxFrameLength: with Aeron's default receiver window and socket
        // buffers (128 KB, two such frames) the serving member was back-pressured thousands of times per catch-up and
        // the requester, seeing no progress, asked again (CatchUpFigures: 60,000 entries/s). Half the term is the
        // largest window Aeron allows; the kernel caps the buffers at net.core.rmem_max / wmem_max (README). Under
        // unicast the shared stream is received on the same endpoint, whose socket Aeron requires to match.
        final int catchUpWindow = termLength / 2;
        // Catch-up datagrams as large as the member's network carries: on loopback (MTU 65536) one 64 KB batch is one
        // datagram instead of 47 of Aeron's 1408 bytes, and each is a system call on both sides (CatchUpFigures: a
        // million entries at 431,000 entries/s against 275,000, the media drivers' CPU halved). A datagram above the
        // path's MTU would be fragmented by IP, where one lost fragment loses the datagram: hence the interface's MTU.
        if (catchUpMtu == AUTO_MTU)
        {
            catchUpMtu = mtuFor(parseHostPort("memberEndpoints[" + memberId + "]", resolvedEndpoints[selfIndex])
                .getAddress(), termLength);
        }
        final String catchUpReceive = "|rcv-wnd=" + catchUpWindow + "|so-rcvbuf=" + catchUpWindow;
        sharedDestinations = new String[members];
        if (unicast)
        {
            final ChannelUri publication = ChannelUri.parse("aeron:udp");
            publication.put(CommonContext.MDC_CONTROL_MODE_PARAM_NAME, CommonContext.MDC_CONTROL_MODE_MANUAL);
            publication.put(CommonContext.FLOW_CONTROL_PARAM_NAME, "min");
            publication.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(termLength));
            sharedPublicationChannel = members == 1 ? null : publication.toString();
            sharedSubscriptionChannels = members == 1 ? new String[0] :
                new String[] {"aeron:udp?endpoint=" + resolvedEndpoints[selfIndex] + catchUpReceive};
            for (int i = 0; i < members; i++)
            {
                sharedDestinations[i] = i == selfIndex ? null : "aeron:udp?endpoint=" + resolvedEndpoints[i];
            }
        }
        else
        {
            if (!uri.containsKey(CommonContext.TERM_LENGTH_PARAM_NAME))
            {
                uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(termLength));
            }
            final String groupHost = endpoint.substring(0, endpoint.lastIndexOf(':'));
            // A 1-member cluster has nobody to send to: no shared publication, no shared subscription.
            sharedPublicationChannel = members == 1 ? null : memberChannel(uri, groupHost, sharedPort + selfIndex);
            sharedSubscriptionChannels = new String[members - 1];
            for (int i = 0, n = 0; i < members; i++)
            {
                if (i != selfIndex)
                {
                    sharedSubscriptionChannels[n++] = memberChannel(uri, groupHost, sharedPort + i);
                }
            }
        }

        catchUpSubscriptionChannel = "aeron:udp?endpoint=" + resolvedEndpoints[selfIndex] + catchUpReceive;
        catchUpPublicationChannels = new String[members];
        for (int i = 0; i < members; i++)
        {
            catchUpPublicationChannels[i] = i == selfIndex ? null :
                "aeron:udp?endpoint=" + resolvedEndpoints[i] + "|term-length=" + termLength +
                "|so-sndbuf=" + catchUpWindow + "|mtu=" + catchUpMtu;
        }
        concluded = true;
        return this;
    }

    /**
     * On multicast every host binds each of the shared channel's ports ({@code port} + member index) on every
     * interface: no member's endpoint may use one of them.
     */
    private void checkSharedPorts(final int port)
    {
        final int members = cluster.size();
        require(port + members - 1 <= 65535, "channel",
            "a port at most " + (65536 - members) + " (member i publishes on the channel's port + i)", channel);
        for (int i = 0; i < members; i++)
        {
            final int id = cluster.memberId(i);
            final int endpointPort = parseHostPort("memberEndpoints[" + id + "]", resolvedEndpoints[i]).getPort();
            require(endpointPort < port || endpointPort >= port + members, "memberEndpoints[" + id + "]",
                "a port outside the shared channel's " + port + ".." + (port + members - 1) +
                " (member i publishes on the channel's port + i, bound on every interface)", resolvedEndpoints[i] +
                (memberEndpoints.containsKey(id) ? "" : " (by default catchUpPortBase " + catchUpPortBase +
                " + the member's index)"));
        }
    }

    /** The channel with its endpoint's port replaced: the stream of the member that publishes on {@code port}. */
    private static String memberChannel(final ChannelUri channel, final String groupHost, final int port)
    {
        final ChannelUri uri = ChannelUri.parse(channel.toString());
        uri.put(CommonContext.ENDPOINT_PARAM_NAME, groupHost + ":" + port);
        return uri.toString();
    }

    private ChannelUri parseChannel()
    {
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("channel: expected an Aeron URI such as " + DEFAULT_CHANNEL +
                ", got '" + channel + "': " + ex.getMessage(), ex);
        }
        require(uri.isUdp(), "channel", "an aeron:udp URI", channel);
        if (!unicast)
        {
            final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
            require(endpoint != null, "channel", "an endpoint=group:port parameter", channel);
            final InetSocketAddress address = parseHostPort("channel", endpoint);
            final byte[] bytes = address.getAddress().getAddress();
            require(address.getAddress().isMulticastAddress(), "channel",
                "a multicast endpoint (or set unicast and the member endpoints)", channel);
            require(bytes.length != 4 || (bytes[3] & 1) == 1, "channel",
                "an odd last octet in the multicast group (Aeron uses the next address for control)", channel);
            final String fc = uri.get(CommonContext.FLOW_CONTROL_PARAM_NAME);
            require(fc != null && (fc.startsWith("min") || fc.startsWith("tagged")), "channel",
                "fc=min (per-publisher reliability needs min flow control, docs/protocol.md §0)", channel);
        }
        return uri;
    }

    /**
     * The catch-up MTU for a member whose endpoint is {@code address}: its network interface's MTU less the IP and
     * UDP headers, in Aeron's 32-byte frame alignment, at most Aeron's largest datagram and an eighth of the term;
     * {@link #ETHERNET_MTU} where the address is no interface's (a wildcard, a name not of this host).
     */
    static int mtuFor(final InetAddress address, final int termLength)
    {
        int interfaceMtu = -1;
        try
        {
            final NetworkInterface networkInterface = address == null ? null :
                NetworkInterface.getByInetAddress(address);
            interfaceMtu = networkInterface == null ? -1 : networkInterface.getMTU();
        }
        catch (final SocketException unknown)
        {
            interfaceMtu = -1;
        }
        final int mtu = interfaceMtu <= 0 ? ETHERNET_MTU : (interfaceMtu - IP_UDP_HEADROOM) & ~31;
        return Math.max(MIN_MTU, Math.min(mtu, maxCatchUpMtu(termLength)));
    }

    /** Whether {@code mtu} is a catch-up MTU a term of {@code termLength} allows (a number, not {@link #AUTO_MTU}). */
    public static boolean validCatchUpMtu(final long mtu, final int termLength)
    {
        return mtu >= MIN_MTU && mtu <= maxCatchUpMtu(termLength) && mtu % 32 == 0;
    }

    /** The largest catch-up MTU a term of {@code termLength} allows: Aeron's largest datagram or an eighth of it. */
    public static int maxCatchUpMtu(final int termLength)
    {
        return Math.min(MAX_MTU, termLength / 8);
    }

    private String resolveEndpoint(final int index, final ChannelUri uri)
    {
        final int id = cluster.memberId(index);
        String endpoint = memberEndpoints.get(id);
        if (endpoint == null)
        {
            require(!unicast, "memberEndpoints", "a host:port for every member when unicast is set; none for " + id,
                memberEndpoints);
            final String iface = uri.get(CommonContext.INTERFACE_PARAM_NAME);
            String host = "127.0.0.1";
            if (iface != null)
            {
                final int slash = iface.indexOf('/');
                final String address = slash < 0 ? iface : iface.substring(0, slash);
                final int colon = address.lastIndexOf(':');
                host = colon < 0 || address.endsWith("]") ? address : address.substring(0, colon);
            }
            endpoint = host + ":" + (catchUpPortBase + index);
        }
        parseHostPort("memberEndpoints[" + id + "]", endpoint);
        return endpoint;
    }

    private static InetSocketAddress parseHostPort(final String setting, final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        require(colon > 0 && colon < hostPort.length() - 1, setting, "host:port", hostPort);
        final String host = hostPort.substring(0, colon);
        final int port;
        try
        {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(setting + ": expected host:port with a numeric port, got " + hostPort);
        }
        require(port > 0 && port <= 65535, setting, "a port in 1..65535", hostPort);
        try
        {
            return new InetSocketAddress(InetAddress.getByName(
                host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(setting + ": unknown host in " + hostPort, ex);
        }
    }

    /** This node's endpoint must be free: Aeron would otherwise fail later, deep in its conductor. */
    private void checkBindable(final String endpoint)
    {
        final String setting = "memberEndpoints[" + memberId + "]";
        final InetSocketAddress address = parseHostPort(setting, endpoint);
        try (DatagramSocket socket = new DatagramSocket(null))
        {
            socket.setReuseAddress(false);
            socket.bind(address);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(setting + ": cannot listen on " + endpoint + " (" + ex.getMessage() +
                "): is the port in use by another process or node?", ex);
        }
    }

    private static void require(final boolean ok, final String setting, final String expected, final Object actual)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(setting + ": expected " + expected + ", got " + actual);
        }
    }

    private void checkNotConcluded()
    {
        if (concluded)
        {
            throw new IllegalStateException("the context is concluded: settings can no longer change");
        }
    }

    /**
     * The {@code backoff} idle strategy of the configuration file, for the duty cycle and the embedded driver: one
     * spin and one yield after work, then parks from 50 µs doubling to 1 ms. Under Agrona's default (ten spins, five
     * yields, parks from 1 µs) an embedded driver, whose every duty cycle polls its nine sockets, made 88,000 receive
     * calls a second at 200 events/s: three members at that rate used two thirds of a core each, and a restarting
     * member's JVM, sharing two cores with them, took twice as long to start. With this one they use about a third;
     * a frame that arrives while a thread parks waits for the park's end (at most 1 ms, as with Agrona's default once
     * idle). {@code busy-spin} is for dedicated cores.
     */
    public static IdleStrategy backoff()
    {
        return new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(50), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * An idle strategy by name, for configuration files: {@code backoff}, {@code sleep-ms} (1 ms), {@code yield},
     * {@code busy-spin} or {@code noop}.
     *
     * @param setting the setting's name, for the error message.
     */
    public static Supplier<IdleStrategy> idleStrategy(final String setting, final String name)
    {
        switch (name == null ? "" : name)
        {
            case "backoff":
                return AeronTransportContext::backoff;
            case "sleep-ms":
                return () -> new SleepingMillisIdleStrategy(1);
            case "yield":
                return YieldingIdleStrategy::new;
            case "busy-spin":
                return BusySpinIdleStrategy::new;
            case "noop":
                return NoOpIdleStrategy::new;
            default:
                throw new IllegalArgumentException(
                    setting + ": expected one of backoff, sleep-ms, yield, busy-spin, noop, got " + name);
        }
    }

    public ClusterConfig cluster()
    {
        return cluster;
    }

    public AeronTransportContext cluster(final ClusterConfig cluster)
    {
        checkNotConcluded();
        this.cluster = cluster;
        return this;
    }

    public int memberId()
    {
        return memberId;
    }

    public AeronTransportContext memberId(final int memberId)
    {
        checkNotConcluded();
        this.memberId = memberId;
        return this;
    }

    /** The shared channel's Aeron URI in multicast mode; its {@code term-length} defaults to {@link #termLength()}. */
    public String channel()
    {
        return channel;
    }

    public AeronTransportContext channel(final String channel)
    {
        checkNotConcluded();
        this.channel = channel;
        return this;
    }

    public int streamId()
    {
        return streamId;
    }

    public AeronTransportContext streamId(final int streamId)
    {
        checkNotConcluded();
        this.streamId = streamId;
        return this;
    }

    public int catchUpStreamId()
    {
        return catchUpStreamId;
    }

    public AeronTransportContext catchUpStreamId(final int catchUpStreamId)
    {
        checkNotConcluded();
        this.catchUpStreamId = catchUpStreamId;
        return this;
    }

    /** Whether the shared channel runs on unicast to every member's endpoint instead of multicast. */
    public boolean unicast()
    {
        return unicast;
    }

    public AeronTransportContext unicast(final boolean unicast)
    {
        checkNotConcluded();
        this.unicast = unicast;
        return this;
    }

    /**
     * The {@code host:port} member {@code memberId} listens on: for catch-up always, and for the shared channel too
     * when {@link #unicast()} is set. Defaults to the multicast interface's host and
     * {@link #catchUpPortBase()} plus the member's index.
     */
    public String memberEndpoint(final int memberId)
    {
        return resolvedEndpoints != null && cluster != null && cluster.isMember(memberId) ?
            resolvedEndpoints[cluster.indexOf(memberId)] : memberEndpoints.get(memberId);
    }

    public AeronTransportContext memberEndpoint(final int memberId, final String hostPort)
    {
        checkNotConcluded();
        memberEndpoints.put(memberId, hostPort);
        return this;
    }

    public int catchUpPortBase()
    {
        return catchUpPortBase;
    }

    public AeronTransportContext catchUpPortBase(final int catchUpPortBase)
    {
        checkNotConcluded();
        this.catchUpPortBase = catchUpPortBase;
        return this;
    }

    /**
     * A cluster on this machine only (the demo, the benchmark): multicast on loopback at {@code group}, member index i
     * publishing on {@code port} + i, and catch-up on the ports after the channel's, {@code port} + members + i. Takes
     * {@link LoopbackPorts#forCluster} ports from {@code port}; the cluster must be set first.
     */
    public AeronTransportContext loopback(final String group, final int port)
    {
        require(cluster != null, "cluster", "a ClusterConfig before loopback(...)", "none");
        channel("aeron:udp?endpoint=" + group + ":" + port + "|interface=127.0.0.1|fc=min|ttl=0");
        return catchUpPortBase(port + cluster.size());
    }

    /** Term length of every publication: Aeron's largest message is an eighth of it. */
    public int termLength()
    {
        return termLength;
    }

    public AeronTransportContext termLength(final int termLength)
    {
        checkNotConcluded();
        this.termLength = termLength;
        return this;
    }

    /**
     * The largest datagram of the catch-up streams, after {@link #conclude()}: the setting, or where it is
     * {@link #AUTO_MTU} what was derived from the network interface.
     */
    public int catchUpMtu()
    {
        return catchUpMtu;
    }

    /**
     * The largest datagram of the catch-up streams (Aeron's {@code mtu}): a multiple of 32 up to 65504 and an eighth of
     * the term, or {@link #AUTO_MTU} (the default): the MTU of the interface holding this member's endpoint address,
     * less 64 bytes of headers (1408 for Ethernet's 1500, 65472 on loopback).
     */
    public AeronTransportContext catchUpMtu(final int catchUpMtu)
    {
        checkNotConcluded();
        this.catchUpMtu = catchUpMtu;
        return this;
    }

    /** The largest frame the protocol publishes (its largest {@code Entries} batch or event frame). */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    public AeronTransportContext maxFrameLength(final int maxFrameLength)
    {
        checkNotConcluded();
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    /**
     * The largest event payload, as the protocol's {@code maxEventLength}: the receive path validates the frame that
     * would bind a publisher session to a member with the same limit as the protocol.
     */
    public int maxEventLength()
    {
        return maxEventLength;
    }

    public AeronTransportContext maxEventLength(final int maxEventLength)
    {
        checkNotConcluded();
        this.maxEventLength = maxEventLength;
        return this;
    }

    /** Whether this node launches its own media driver (the default) or connects to an external one. */
    public boolean embeddedDriver()
    {
        return embeddedDriver;
    }

    public AeronTransportContext embeddedDriver(final boolean embeddedDriver)
    {
        checkNotConcluded();
        this.embeddedDriver = embeddedDriver;
        return this;
    }

    /**
     * The media driver's directory. Embedded: one per node, under {@code /dev/shm} by default, deleted on start and
     * removed on close. External: where the running driver is.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    public AeronTransportContext aeronDirectoryName(final String aeronDirectoryName)
    {
        checkNotConcluded();
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /** Threads of the embedded driver; {@code INVOKER} runs it inside {@link AeronTransport#poll}. */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    public AeronTransportContext threadingMode(final ThreadingMode threadingMode)
    {
        checkNotConcluded();
        this.threadingMode = threadingMode;
        return this;
    }

    /** Idle strategy of each embedded driver thread. */
    public Supplier<IdleStrategy> driverIdleStrategy()
    {
        return driverIdleStrategy;
    }

    public AeronTransportContext driverIdleStrategy(final Supplier<IdleStrategy> driverIdleStrategy)
    {
        checkNotConcluded();
        this.driverIdleStrategy = driverIdleStrategy;
        return this;
    }

    /** An image not heard from this long becomes unavailable: the member's stream is lost (R10). */
    public long imageLivenessTimeoutNs()
    {
        return imageLivenessTimeoutNs;
    }

    public AeronTransportContext imageLivenessTimeoutNs(final long imageLivenessTimeoutNs)
    {
        checkNotConcluded();
        this.imageLivenessTimeoutNs = imageLivenessTimeoutNs;
        return this;
    }

    /**
     * With {@code fc=min} a publisher waits for its slowest receiver; a receiver silent this long (a dead member) no
     * longer holds the others back. Aeron's default is 5 s.
     */
    public long flowControlReceiverTimeoutNs()
    {
        return flowControlReceiverTimeoutNs;
    }

    public AeronTransportContext flowControlReceiverTimeoutNs(final long flowControlReceiverTimeoutNs)
    {
        checkNotConcluded();
        this.flowControlReceiverTimeoutNs = flowControlReceiverTimeoutNs;
        return this;
    }

    /**
     * The timer slack on Linux of the embedded driver's threads (not under {@code INVOKER}, whose driver runs on the
     * caller's thread), set as each starts ({@link io.sequencer.core.runtime.TimerSlack}): how much later than asked
     * their idle strategy's parks may end. Default 0, which leaves them the slack of the thread that starts the
     * transport.
     */
    public long timerSlackNs()
    {
        return timerSlackNs;
    }

    public AeronTransportContext timerSlackNs(final long timerSlackNs)
    {
        checkNotConcluded();
        this.timerSlackNs = timerSlackNs;
        return this;
    }

    /**
     * How long the node waits for an external media driver's heartbeat before it takes the driver for dead. An embedded
     * driver and the node wait for each other up to {@link AeronTransport#EMBEDDED_PAUSE_TOLERANCE_NS} instead: they
     * pause together.
     */
    public long driverTimeoutMs()
    {
        return driverTimeoutMs;
    }

    public AeronTransportContext driverTimeoutMs(final long driverTimeoutMs)
    {
        checkNotConcluded();
        this.driverTimeoutMs = driverTimeoutMs;
        return this;
    }

    public Authentication authentication()
    {
        return authentication;
    }

    public AeronTransportContext authentication(final Authentication authentication)
    {
        checkNotConcluded();
        this.authentication = authentication;
        return this;
    }

    /** The shared cluster secret for {@link #authentication()}; at least 16 bytes. */
    public AeronTransportContext secret(final byte[] secret)
    {
        checkNotConcluded();
        this.secret = secret == null ? null : secret.clone();
        return this;
    }

    byte[] secret()
    {
        return secret;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public AeronTransportContext errorHandler(final ErrorHandler errorHandler)
    {
        checkNotConcluded();
        this.errorHandler = errorHandler;
        return this;
    }

    /** Derived by {@link #conclude()}: where this node publishes the shared stream; null in a 1-member cluster. */
    public String sharedPublicationChannel()
    {
        return sharedPublicationChannel;
    }

    /**
     * Derived by {@link #conclude()}: where this node receives the shared stream. On multicast one channel per peer
     * (its port), with {@link #unicast()} this node's endpoint; none in a 1-member cluster.
     */
    public String[] sharedSubscriptionChannels()
    {
        return sharedSubscriptionChannels.clone();
    }

    /** Derived by {@link #conclude()}: the unicast destination of each member by index, null for this node. */
    String[] sharedDestinations()
    {
        return sharedDestinations;
    }

    /** Derived by {@link #conclude()}. */
    public String catchUpSubscriptionChannel()
    {
        return catchUpSubscriptionChannel;
    }

    /** Derived by {@link #conclude()}: the catch-up channel to each member by index, null for this node. */
    String[] catchUpPublicationChannels()
    {
        return catchUpPublicationChannels;
    }
}
