package io.sequencer.transport.aeron;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives several test nodes on the calling thread, like a shared duty cycle: poll and work each node, run an
 * optional load step, idle with backoff (parking, never spinning hard: the machine has two cores) when nothing
 * happened, until a condition holds or a deadline passes.
 */
final class NodeLoop
{
    private final List<TestNode> nodes;
    private final IdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 200_000);

    NodeLoop(final List<TestNode> nodes)
    {
        this.nodes = nodes;
    }

    void runUntil(final String what, final long timeoutMs, final BooleanSupplier done)
    {
        runUntil(what, timeoutMs, done, () -> 0);
    }

    /** @param load called once per cycle; returns work done (e.g. submits). */
    void runUntil(final String what, final long timeoutMs, final BooleanSupplier done, final IntSupplier load)
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true)
        {
            int work = load.getAsInt();
            final long nowNs = System.nanoTime();
            for (final TestNode node : nodes)
            {
                work += node.doWork(nowNs);
            }
            if (done.getAsBoolean())
            {
                return;
            }
            if (nowNs > deadlineNs)
            {
                final StringBuilder state = new StringBuilder();
                for (final TestNode node : nodes)
                {
                    state.append("\n  ").append(node.describe());
                }
                fail("timed out after " + timeoutMs + " ms waiting for " + what + state +
                    "\n  (replay the addresses with -Dsequencer.test.seed=" + TestNetwork.SEED + ")");
            }
            idle.idle(work);
        }
    }
}
