package io.sequencer.node;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md B5 with real processes: catch-up travels on each member's point-to-point endpoint, apart from the
 * shared channel, and that path alone can fail. Member 2 reaches its peers' endpoints through a UDP relay each
 * ({@link UdpRelay}: its own configuration names the relays), both cut when it restarts behind the others. It still
 * hears both peers on the shared channel and they hear it; once it probes the base owner (which never answers) the
 * other peer's relay is healed, and member 2 must turn to that member, which is aligned to the epoch, catch up from it
 * and be admitted while the owner's path stays cut.
 */
@Tag("slow") // real processes: left out of the fast lane (README, "Tests")
class CatchUpPathLostTest
{
    private static final Pattern PROBING = Pattern.compile("probing member (\\d+)'s log");

    @TempDir
    Path dir;

    @Test
    void aMemberWhoseCatchUpPathToTheBaseOwnerIsLostCatchesUpFromTheOtherMember() throws Exception
    {
        final int relayPort = io.sequencer.transport.aeron.LoopbackPorts.freeConsecutive(
            2, new SplittableRandom(dir.hashCode()));
        try (NodeCluster cluster = new NodeCluster(dir, 3);
            UdpRelay to0 = new UdpRelay(relayPort, new InetSocketAddress("127.0.0.1", cluster.endpointPort(0)));
            UdpRelay to1 = new UdpRelay(relayPort + 1, new InetSocketAddress("127.0.0.1", cluster.endpointPort(1))))
        {
            cluster.writeConfig(Map.of()).memberConfig(2, Map.of(
                "member.0.endpoint", "127.0.0.1:" + relayPort,
                "member.1.endpoint", "127.0.0.1:" + (relayPort + 1)));
            final UdpRelay[] relays = { to0, to1 };
            cluster.startAll("--bootstrap", "--load", "500");
            cluster.awaitAllAcknowledging(100, "all three acknowledging");
            cluster.killAndFallBehind(2, 1, 2_000, TimeUnit.MINUTES.toNanos(1));

            to0.cut(true);
            to1.cut(true);
            final Path output = dir.resolve("out-2.txt");
            final long from = Files.size(output);
            cluster.start(2, "--load", "100");
            final int[] owner = { -1 };
            cluster.await(() ->
            {
                final Matcher probing = PROBING.matcher(NodeCluster.linesSince(output, from));
                if (probing.find())
                {
                    owner[0] = Integer.parseInt(probing.group(1));
                }
                return owner[0] >= 0;
            }, "member 2 probing the base owner", TimeUnit.MINUTES.toNanos(1));
            final int other = 1 - owner[0];
            relays[other].cut(false);

            cluster.await(() -> cluster.running(2) &&
                cluster.counter(2, "have") >= cluster.counter(other, "have") - 500,
                "member 2 caught up and running with its path to member " + owner[0] + " cut",
                TimeUnit.MINUTES.toNanos(1));
            final String lines = NodeCluster.linesSince(output, from);
            assertTrue(lines.contains("member " + owner[0] + " did not answer; fetching from member " + other), lines);
            assertTrue(cluster.counter(2, "fetch sources changed (base owner did not answer)") >= 1, lines);
            assertTrue(relays[owner[0]].dropped() > 0, "the owner's path was cut: nothing relayed");
            cluster.awaitAllAcknowledging(50, "all three acknowledging");
            cluster.quiesceAndStop();
            System.out.println("CatchUpPathLostTest: owner " + owner[0] + ", " +
                relays[owner[0]].dropped() + " datagrams to it dropped; " + cluster.checkLogs());
        }
    }
}
