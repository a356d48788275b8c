package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration errors stop the node at start with a message that names the setting, not a stack trace from deep
 * inside Aeron.
 */
class AeronTransportContextTest
{
    private final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 3);
    private final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};

    private AeronTransportContext context()
    {
        return TestNode.transportContext(cluster, 1, TestNetwork.multicastChannel(), TestNetwork.streamId(), ports);
    }

    @Test
    void badChannelUriNamesTheChannel()
    {
        assertMessage("channel:", () -> AeronTransport.launch(context().channel("aeron:udp?endpoint")));
        assertMessage("channel:", () -> AeronTransport.launch(context().channel("http://example")));
        assertMessage("channel:", () -> AeronTransport.launch(context().channel("aeron:ipc")));
        assertMessage("channel: expected fc=min", () -> AeronTransport.launch(
            context().channel("aeron:udp?endpoint=239.255.0.1:40456|interface=127.0.0.1")));
        assertMessage("channel: expected an odd last octet", () -> AeronTransport.launch(
            context().channel("aeron:udp?endpoint=239.255.0.2:40456|fc=min")));
        assertMessage("channel: expected a multicast endpoint", () -> AeronTransport.launch(
            context().channel("aeron:udp?endpoint=127.0.0.1:40456|fc=min")));
    }

    @Test
    void portInUseNamesTheMemberEndpoint() throws Exception
    {
        try (DatagramSocket squatter = new DatagramSocket(null))
        {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[1]));
            assertMessage("memberEndpoints[1]: cannot listen on 127.0.0.1:" + ports[1],
                () -> AeronTransport.launch(context()));
        }
    }

    @Test
    void driverDirectoryThatCannotBeCreatedIsNamed() throws Exception
    {
        final Path file = Files.createTempFile("not-a-directory", ".tmp");
        try
        {
            final String directory = file.resolve("driver").toString();
            assertMessage("aeronDirectoryName: cannot create the media driver directory",
                () -> AeronTransport.launch(context().aeronDirectoryName(directory)));
            assertFalse(Files.exists(Path.of(directory)));
        }
        finally
        {
            Files.delete(file);
        }
    }

    @Test
    void missingExternalDriverIsNamed()
    {
        final String directory = TestNetwork.driverDirectory("absent");
        assertMessage("aeronDirectoryName:", () -> AeronTransport.launch(
            context().embeddedDriver(false).aeronDirectoryName(directory).driverTimeoutMs(300)));
    }

    @Test
    void catchUpDatagramsAreAsLargeAsTheInterfaceCarries() throws Exception
    {
        final java.net.NetworkInterface loopback = java.net.NetworkInterface.getByInetAddress(
            InetAddress.getLoopbackAddress());
        final int expected = Math.min(65504, (loopback.getMTU() - 64) & ~31);
        final AeronTransportContext context = context().conclude();
        assertEquals(expected, context.catchUpMtu(), "loopback's MTU " + loopback.getMTU() + " less the headers");
        for (final String channel : context.catchUpPublicationChannels())
        {
            assertTrue(channel == null || channel.endsWith("|mtu=" + expected), channel);
        }
        assertEquals(8192, AeronTransportContext.mtuFor(InetAddress.getLoopbackAddress(), 64 * 1024),
            "at most an eighth of the term, Aeron's largest message");
        assertEquals(AeronTransportContext.ETHERNET_MTU, AeronTransportContext.mtuFor(
            InetAddress.getByName("0.0.0.0"), 1024 * 1024), "no interface holds the wildcard address: Aeron's own");
        assertEquals(8928, context().catchUpMtu(8928).conclude().catchUpMtu(), "a setting is kept");
    }

    @Test
    void otherSettingsAreNamed()
    {
        assertMessage("memberId:", () -> context().memberId(7).conclude());
        assertMessage("secret:", () -> context().authentication(Authentication.CONTROL).conclude());
        assertMessage("secret:", () -> context().authentication(Authentication.ALL).secret(new byte[8]).conclude());
        assertMessage("termLength:", () -> context().termLength(100_000).conclude());
        assertMessage("catchUpMtu:", () -> context().catchUpMtu(1500).conclude());
        assertMessage("catchUpMtu:", () -> context().termLength(64 * 1024).maxFrameLength(4096).catchUpMtu(16384)
            .conclude());
        assertMessage("maxFrameLength:", () -> context().termLength(64 * 1024).conclude());
        assertMessage("maxEventLength:", () -> context().maxEventLength(AeronTransportContext.DEFAULT_MAX_FRAME_LENGTH)
            .conclude());
        assertMessage("maxEventLength:", () -> context().maxEventLength(-1).conclude());
        assertMessage("catchUpStreamId:", () -> context().streamId(5).catchUpStreamId(5).conclude());
        assertMessage("memberEndpoints[2]:", () -> context().memberEndpoint(2, "127.0.0.1:99999").conclude());
        assertMessage("memberEndpoints:", () -> new AeronTransportContext().cluster(cluster).memberId(0)
            .unicast(true).conclude());
        // the shared channel's ports (40456..40458 for three members) are bound on every interface of every host
        assertMessage("memberEndpoints[2]:", () -> new AeronTransportContext().cluster(cluster).memberId(0)
            .catchUpPortBase(40454).conclude());
        assertMessage("memberEndpoints[1]:", () -> context().channel(AeronTransportContext.DEFAULT_CHANNEL)
            .memberEndpoint(1, "10.0.0.2:40456").conclude());
        assertMessage("channel:", () -> context()
            .channel("aeron:udp?endpoint=239.255.0.1:65535|interface=127.0.0.1|fc=min").conclude());
        assertMessage("driverIdleStrategy:", () -> AeronTransportContext.idleStrategy("driverIdleStrategy", "fast"));
    }

    @Test
    void defaultsDeriveChannelsAndEndpoints()
    {
        final AeronTransportContext context = new AeronTransportContext().cluster(cluster).memberId(2)
            .catchUpPortBase(ports[0] - 2).conclude(); // member 2 (index 2) listens on ports[0], known free
        // one port per member: this node publishes on the third, and receives each peer on its own socket
        assertTrue(context.sharedPublicationChannel().contains("endpoint=239.255.0.1:40458"));
        final String[] subscriptions = context.sharedSubscriptionChannels();
        assertEquals(2, subscriptions.length);
        assertTrue(subscriptions[0].startsWith("aeron:udp?"));
        assertTrue(subscriptions[0].contains("endpoint=239.255.0.1:40456"));
        assertTrue(subscriptions[1].contains("endpoint=239.255.0.1:40457"));
        assertTrue(subscriptions[0].contains("term-length=1048576"));
        assertTrue(subscriptions[1].contains("fc=min"));
        assertEquals("127.0.0.1:" + (ports[0] - 1), context.memberEndpoint(1));
        assertTrue(context.aeronDirectoryName().endsWith("sequencer-aeron-" + cluster.clusterId() + "-2"));
        assertEquals(null, context.catchUpPublicationChannels()[2]);
        assertTrue(context.catchUpPublicationChannels()[0].contains("endpoint=127.0.0.1:" + (ports[0] - 2)));
    }

    private static void assertMessage(final String expectedStart, final org.junit.jupiter.api.function.Executable start)
    {
        final RuntimeException ex = assertThrows(RuntimeException.class, start);
        assertTrue(ex instanceof IllegalArgumentException || ex instanceof IllegalStateException, ex.toString());
        assertTrue(ex.getMessage().startsWith(expectedStart), "message '" + ex.getMessage() + "' should start with '" +
            expectedStart + "'");
    }
}
