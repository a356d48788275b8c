package io.sequencer.node;

import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PinnedThreadTest
{
    @Test
    void dutyCycleThreadPinsItselfToTheConfiguredCpu() throws InterruptedException
    {
        final int cpu = Runtime.getRuntime().availableProcessors() - 1;
        final AtomicReference<BitSet> seen = new AtomicReference<>();
        final Thread thread = DurableMember.pinnedTo(cpu).newThread(() -> seen.set(Affinity.getAffinity()));
        thread.start();
        thread.join(10_000);
        final BitSet expected = new BitSet();
        expected.set(cpu);
        assertEquals(expected, seen.get(), "the thread runs on CPU " + cpu + " only");

        final AtomicReference<BitSet> unpinned = new AtomicReference<>();
        final Thread free = DurableMember.pinnedTo(-1).newThread(() -> unpinned.set(Affinity.getAffinity()));
        free.start();
        free.join(10_000);
        assertTrue(unpinned.get().cardinality() >= 1);
    }
}
