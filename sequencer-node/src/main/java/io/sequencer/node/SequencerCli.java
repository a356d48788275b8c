package io.sequencer.node;

import picocli.CommandLine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/**
 * The {@code sequencer} command line. Exit codes: 0 success; 1 the command ran and found a problem (for example
 * an invariant violation); 2 bad usage or configuration.
 */
@Command(
    name = "sequencer",
    mixinStandardHelpOptions = true,
    versionProvider = SequencerCli.Version.class,
    description = "A low-latency replicated event sequencer.",
    subcommands = { DemoCommand.class, NodeCommand.class, KeygenCommand.class, SimulateCommand.class, StatCommand.class,
        ErrorsCommand.class, LogCommand.class, CdsTrainingCommand.class,
        CommandLine.HelpCommand.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the command ran and found a problem (for example an invariant violation)",
        "2:bad usage or configuration" })
public final class SequencerCli
{
    /** Read by Chronicle when its first queue opens; {@code true} keeps it from reporting usage to its vendor. */
    static final String CHRONICLE_ANALYTICS_DISABLE = "chronicle.analytics.disable";

    public static void main(final String[] args)
    {
        disableChronicleAnalytics();
        System.exit(execute(args));
    }

    /**
     * The JVM flags Chronicle and Agrona need are in the jar's manifest ({@code Add-Exports}, {@code Add-Opens}),
     * but a system property has no manifest form: set {@value #CHRONICLE_ANALYTICS_DISABLE} here, before any Chronicle
     * class loads, unless the command line set it (the {@code sequencer} script passes it too). chronicle-analytics is
     * also left out of the build, so this is the second of two locks (docs/design.md, "JVM flags").
     */
    static void disableChronicleAnalytics()
    {
        if (System.getProperty(CHRONICLE_ANALYTICS_DISABLE) == null)
        {
            System.setProperty(CHRONICLE_ANALYTICS_DISABLE, "true");
        }
    }

    /** Run the command line without exiting, printing to the standard streams. */
    public static int execute(final String... args)
    {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Run the command line without exiting: for tests and embedding. */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        return commandLine(out, err).execute(args);
    }

    /** The command line, printing to {@code out} and {@code err}. */
    static CommandLine commandLine(final PrintWriter out, final PrintWriter err)
    {
        return new CommandLine(new SequencerCli())
            .setUsageHelpWidth(100)
            .setOut(out)
            .setErr(err)
            .setParameterExceptionHandler(SequencerCli::usageError);
    }

    /** A usage error is one line, naming the command and where its help is, and exit code 2 (not the whole usage). */
    private static int usageError(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine command = ex.getCommandLine();
        final String name = command.getCommandSpec().qualifiedName();
        final String message = ex.getMessage() == null ? "" : ex.getMessage().replace('\n', ' ').trim();
        command.getErr().println(name.substring(name.indexOf(' ') + 1) + ": " + message + " (see '" + name +
            " --help')");
        command.getErr().flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        public String[] getVersion()
        {
            final String version = SequencerCli.class.getPackage().getImplementationVersion();
            return new String[] { "sequencer " + (version == null ? "development build" : version) };
        }
    }
}
