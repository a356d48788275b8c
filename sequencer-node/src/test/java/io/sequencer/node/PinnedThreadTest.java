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

    /**
     * Pinning as a {@code node} process pins, after the command line's JVM-wide settings (JNA told where the system's
     * libraries are instead of running {@code ldconfig}): in a JVM of its own, where nothing loaded JNA before them.
     */
    @Test
    void pinsInAProcessSetUpAsTheCommandLineSetsItUp() throws Exception
    {
        final int cpu = Runtime.getRuntime().availableProcessors() - 1;
        final java.util.List<String> command = ClassDataArchive.javaCommand(java.util.List.of(),
            System.getProperty("java.class.path"), PinnedThreadTest.class.getName());
        command.add(String.valueOf(cpu));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "exited");
            final String output = new String(process.getInputStream().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("pinned to {" + cpu + "} with " + SequencerCli.JNA_PLATFORM_LIBRARY_PATH +
                "=/usr/lib:/lib"), output);
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /** The child of {@link #pinsInAProcessSetUpAsTheCommandLineSetsItUp}: argument, the CPU. */
    public static void main(final String[] args) throws InterruptedException
    {
        SequencerCli.prepareChronicle();
        final AtomicReference<BitSet> seen = new AtomicReference<>();
        final Thread thread = DurableMember.pinnedTo(Integer.parseInt(args[0]))
            .newThread(() -> seen.set(Affinity.getAffinity()));
        thread.start();
        thread.join(10_000);
        System.out.println("pinned to " + seen.get() + " with " + SequencerCli.JNA_PLATFORM_LIBRARY_PATH + "=" +
            System.getProperty(SequencerCli.JNA_PLATFORM_LIBRARY_PATH));
    }
}
