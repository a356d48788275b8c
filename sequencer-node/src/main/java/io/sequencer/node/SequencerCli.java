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
        ErrorsCommand.class, LogCommand.class,
        CommandLine.HelpCommand.class },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the command ran and found a problem (for example an invariant violation)",
        "2:bad usage or configuration" })
public final class SequencerCli
{
    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /** Run the command line without exiting, printing to the standard streams. */
    public static int execute(final String... args)
    {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Run the command line without exiting: for tests and embedding. */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        return new CommandLine(new SequencerCli())
            .setUsageHelpWidth(100)
            .setOut(out)
            .setErr(err)
            .execute(args);
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
