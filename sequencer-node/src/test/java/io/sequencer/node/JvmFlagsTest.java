package io.sequencer.node;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The parent POM states the JVM flags twice: as command-line flags ({@code chronicle.jvm.flags}: Surefire, the
 * {@code sequencer} script, JMH forks) and as the jar manifest's {@code Add-Exports}/{@code Add-Opens}
 * ({@code chronicle.manifest.*}: {@code java -jar sequencer.jar}). Surefire hands both to this test, which checks
 * that they name the same packages, and that the one system property among the flags is set by the command line
 * itself.
 */
final class JvmFlagsTest
{
    @Test
    void manifestEntriesNameTheSamePackagesAsTheCommandLineFlags()
    {
        final List<String> flags = split(property("sequencer.jvm.flags"));
        assertEquals(packages(flags, "--add-exports="), split(property("sequencer.manifest.add-exports")).stream()
            .collect(Collectors.toCollection(TreeSet::new)), "Add-Exports and --add-exports differ");
        assertEquals(packages(flags, "--add-opens="), split(property("sequencer.manifest.add-opens")).stream()
            .collect(Collectors.toCollection(TreeSet::new)), "Add-Opens and --add-opens differ");
        final List<String> rest = flags.stream()
            .filter(flag -> !flag.startsWith("--add-exports=") && !flag.startsWith("--add-opens="))
            .collect(Collectors.toList());
        assertEquals(List.of("-D" + SequencerCli.CHRONICLE_ANALYTICS_DISABLE + "=true"), rest,
            "a flag without a manifest form must be set by SequencerCli.main");
    }

    @Test
    void theCommandLineDisablesChronicleAnalyticsUnlessTold()
    {
        assertSetToTrueUnlessTold(SequencerCli.CHRONICLE_ANALYTICS_DISABLE, SequencerCli::disableChronicleAnalytics);
    }

    @Test
    void theCommandLineDropsChroniclesSingleThreadChecksUnlessTold()
    {
        assertSetToTrueUnlessTold(SequencerCli.CHRONICLE_THREAD_CHECK_DISABLE,
            SequencerCli::disableChronicleThreadChecks);
    }

    @Test
    void theCommandLineTellsJnaWhereTheLibrariesAreUnlessTold()
    {
        assertSetUnlessTold(SequencerCli.JNA_PLATFORM_LIBRARY_PATH, "/usr/lib:/lib",
            SequencerCli::skipJnaLibraryPathSearch);
    }

    /** {@code setter} sets {@code name} to true when it is absent and leaves a value the command line gave. */
    private static void assertSetToTrueUnlessTold(final String name, final Runnable setter)
    {
        assertSetUnlessTold(name, "true", setter);
    }

    /** {@code setter} sets {@code name} to {@code value} when it is absent and leaves a value the command line gave. */
    private static void assertSetUnlessTold(final String name, final String value, final Runnable setter)
    {
        final String before = System.getProperty(name);
        try
        {
            System.clearProperty(name);
            setter.run();
            assertEquals(value, System.getProperty(name));

            System.setProperty(name, "false");
            setter.run();
            assertEquals("false", System.getProperty(name));
        }
        finally
        {
            if (before == null)
            {
                System.clearProperty(name);
            }
            else
            {
                System.setProperty(name, before);
            }
        }
    }

    private static String property(final String name)
    {
        final String value = System.getProperty(name, "").trim();
        assertFalse(value.isEmpty(), name + " is not set: run through Maven (Surefire passes it)");
        return value;
    }

    private static List<String> split(final String value)
    {
        return Arrays.asList(value.trim().split("\\s+"));
    }

    /** {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED} becomes {@code java.base/sun.nio.ch}. */
    private static Set<String> packages(final List<String> flags, final String prefix)
    {
        final Set<String> packages = new TreeSet<>();
        for (final String flag : flags)
        {
            if (flag.startsWith(prefix))
            {
                final String target = flag.substring(prefix.length());
                assertEquals("ALL-UNNAMED", target.substring(target.lastIndexOf('=') + 1),
                    flag + ": a manifest entry opens to every unnamed module only");
                packages.add(target.substring(0, target.lastIndexOf('=')));
            }
        }
        return packages;
    }
}
