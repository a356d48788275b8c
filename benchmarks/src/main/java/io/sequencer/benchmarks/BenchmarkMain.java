package io.sequencer.benchmarks;

import org.openjdk.jmh.Main;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.Manifest;

/**
 * The entry point of {@code benchmarks.jar}: JMH's own command line, with the Chronicle JVM flags of the parent POM
 * (the {@code Chronicle-Jvm-Flags} manifest attribute, filled from {@code ${chronicle.jvm.flags}} at build time)
 * prepended to every forked JVM, so that no copy of the flags lives here.
 */
public final class BenchmarkMain
{
    private static final String FLAGS_ATTRIBUTE = "Chronicle-Jvm-Flags";

    private BenchmarkMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final CommandLineOptions commandLine = new CommandLineOptions(args);
        if (commandLine.shouldHelp() || commandLine.shouldList() || commandLine.shouldListWithParams() ||
            commandLine.shouldListProfilers() || commandLine.shouldListResultFormats())
        {
            Main.main(args);
            return;
        }
        final Options options = new OptionsBuilder()
            .parent(commandLine)
            .jvmArgsPrepend(chronicleFlags().trim().split("\\s+"))
            .build();
        new Runner(options).run();
    }

    static String chronicleFlags() throws IOException
    {
        final Enumeration<URL> manifests = BenchmarkMain.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements())
        {
            try (InputStream in = manifests.nextElement().openStream())
            {
                final String flags = new Manifest(in).getMainAttributes().getValue(FLAGS_ATTRIBUTE);
                if (flags != null)
                {
                    return flags;
                }
            }
        }
        throw new IllegalStateException("no " + FLAGS_ATTRIBUTE + " in the manifest: run the shaded benchmarks.jar");
    }
}
