package io.sequencer.node;

import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.core.sim.AccountLedger;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public launcher as an application uses it: a durable member from the cluster's configuration file, the
 * application's state machine, a client that submits and waits; what the protocol does is logged through SLF4J.
 */
class DurableMemberTest
{
    @TempDir
    Path dir;

    @Test
    void anApplicationLaunchesADurableMemberAndSubmits() throws Exception
    {
        final NodeCluster cluster = new NodeCluster(dir, 1).writeConfig(Map.of());
        final NodeConfig config = NodeConfig.load(cluster.config(), Map.of());
        final PrintStream err = System.err;
        final ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        long position;
        try (DurableMember member = DurableMember.launch(config, 0, new AccountLedger(), true);
            SequencerClient client = member.sequencer().newClient())
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[64]);
            final int length = AccountLedger.encodeTransfer(event, 0, 1, 2, 100, 0);
            SequencerClient.Outcome outcome = null;
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (outcome == null || outcome.position() <= 0)
            {
                assertTrue(System.nanoTime() < deadline, "the event acknowledged: " + outcome);
                outcome = client.submitAndWait(event, 0, length, 1_000_000_000L, new SleepingMillisIdleStrategy(1));
            }
            position = outcome.position();
        }
        finally
        {
            System.setErr(err);
            cluster.close();
        }
        assertTrue(position > 0, "durable at " + position);
        final String text = logged.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("io.sequencer.events - member 0: running in epoch "), text);
    }
}
