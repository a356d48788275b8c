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
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the command ran and found a problem (for example an invariant violation)",
        "2:bad usage or configuration" })
public final class SequencerCli
{
    /**
     * The subcommands, in the order the usage lists them. Registered by {@link #commandLine(PrintWriter, PrintWriter,
     * String...)}, not by the annotation: picocli builds the model of every registered command when the command line
     * is created (reflection over classes a class-data archive cannot hold, picocli's own being too old a class file
     * version), about 0.1 s of every start on the development machine and twice that under load; a member that has
     * just been killed and restarted is back that much sooner when only its {@code node} command is built.
     */
    private static final Class<?>[] SUBCOMMANDS = { DemoCommand.class, NodeCommand.class, KeygenCommand.class,
        SimulateCommand.class, StatCommand.class, ErrorsCommand.class, LogCommand.class, SnapshotCommand.class,
        CdsTrainingCommand.class, CommandLine.HelpCommand.class };

    /** Read by JNA when it first loads a library: where the system's libraries are ({@link #prepareChronicle}). */
    static final String JNA_PLATFORM_LIBRARY_PATH = "jna.platform.library.path";

    /** Read by Chronicle when its first queue opens; {@code true} keeps it from reporting usage to its vendor. */
    static final String CHRONICLE_ANALYTICS_DISABLE = "chronicle.analytics.disable";

    /**
     * Read by Chronicle when its first class loads; {@code true} drops the check, on every access to a queue's
     * appender, tailer and mapped bytes, that one thread uses each. Each of ours is used by one thread (the duty
     * cycle's appender, a tailer per reader), so the check only costs: 12 % of the CPU samples of the end-to-end
     * benchmark at 320,000 events/s, where dropping it took p50 from 8.3 to 2.0 ms. Tests keep it.
     */
    static final String CHRONICLE_THREAD_CHECK_DISABLE = "disable.single.threaded.check";

    public static void main(final String[] args)
    {
        prepareChronicle();
        final Class<?> named = args.length == 0 ? null : subcommandNamed(args[0]);
        if (named == NodeCommand.class || named == DemoCommand.class)
        {
            initialiseChronicleAside();
        }
        final NodeCommand node = named == NodeCommand.class ? new NodeCommand() : null;
        System.exit(node != null && QuickArguments.parse(node, args) ? runQuickly(node) : execute(args));
    }

    /**
     * A {@code node} whose arguments {@link QuickArguments} read, without picocli (a restarted member is back the
     * sooner): run as picocli runs it, an exception escaping it printed with its stack trace and exit code 1.
     */
    private static int runQuickly(final NodeCommand node)
    {
        final PrintWriter err = new PrintWriter(System.err, true);
        try
        {
            return node.run(new PrintWriter(System.out, true), err);
        }
        catch (final Exception ex)
        {
            ex.printStackTrace(err);
            return 1;
        }
    }

    /**
     * Chronicle's first queue class initialises its {@code Jvm} and {@code OS} classes, and they OpenHFT Affinity and
     * with it JNA (a native library unpacked, {@code ldconfig -p} run in a child process): 80 ms of a member's start on
     * an idle machine, on the thread that then opens the log, and two or three times that beside a loaded cluster.
     * Done here on a thread of its own, it runs while picocli builds and parses the command line (0.1–0.3 s); the JVM
     * initialises a class once, so the log's open waits for it if it is not done. A failure is printed here and met
     * again, as a {@code NoClassDefFoundError}, by the open.
     */
    private static void initialiseChronicleAside()
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                Class.forName("net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder", true,
                    SequencerCli.class.getClassLoader());
            }
            catch (final ClassNotFoundException | LinkageError ex)
            {
                System.err.println("sequencer: Chronicle Queue failed to initialise: " + ex);
            }
        }, "sequencer-chronicle-init");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * What a process that runs members (this command line, the end-to-end benchmark) sets before any Chronicle class
     * loads: no analytics, no POSIX binding, no single-thread checks ({@value #CHRONICLE_THREAD_CHECK_DISABLE}), no
     * {@code ldconfig} run by JNA. A setting given on the command line wins.
     */
    public static void prepareChronicle()
    {
        disableChronicleThreadChecks();
        disableChronicleAnalytics();
        skipJnaLibraryPathSearch();
        skipChroniclePosixBinding(); // loads Chronicle classes: the properties are set first
    }

    /**
     * Chronicle's first class loads OpenHFT Affinity, and Affinity JNA, whose first library load runs
     * {@code ldconfig -p} in a child process to learn where the system's libraries are, unless
     * {@value #JNA_PLATFORM_LIBRARY_PATH} names them: here the directories it would add first anyway. The one library
     * JNA loads here, the C library (for {@code cpu} pinning), is found by the system's loader by its name. About 25 ms
     * of every start on an idle machine, a child process more beside a loaded cluster. A setting given on the command
     * line wins.
     */
    static void skipJnaLibraryPathSearch()
    {
        if (System.getProperty(JNA_PLATFORM_LIBRARY_PATH) == null)
        {
            System.setProperty(JNA_PLATFORM_LIBRARY_PATH, "/usr/lib" + java.io.File.pathSeparator + "/lib");
        }
    }

    /** Set {@value #CHRONICLE_THREAD_CHECK_DISABLE} unless the command line set it. */
    static void disableChronicleThreadChecks()
    {
        if (System.getProperty(CHRONICLE_THREAD_CHECK_DISABLE) == null)
        {
            System.setProperty(CHRONICLE_THREAD_CHECK_DISABLE, "true");
        }
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

    /**
     * Chronicle binds its POSIX calls (jnr-ffi, which generates classes at run time, so no class-data archive holds
     * them) when its first class loads, about 0.1 s of every start, for calls this process never makes: {@code msync}
     * (the log's SyncMode is NONE: durability is {@code force()}'s fdatasync) and the pretoucher. The no-op binding
     * answers them with success. Set here, in the command line's own process only: an application that embeds the
     * library keeps Chronicle's default.
     */
    static void skipChroniclePosixBinding()
    {
        net.openhft.posix.PosixAPI.useNoOpPosixApi();
    }

    /** Run the command line without exiting, printing to the standard streams. */
    public static int execute(final String... args)
    {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Run the command line without exiting: for tests and embedding. */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        return commandLine(out, err, args).execute(args);
    }

    /** The command line with every subcommand, printing to {@code out} and {@code err}. */
    static CommandLine commandLine(final PrintWriter out, final PrintWriter err)
    {
        return commandLine(out, err, new String[0]);
    }

    /**
     * The command line for {@code args}: with only the subcommand their first argument names, or with all of them when
     * it names none (no arguments, an option such as {@code --help}, {@code help}, or a mistake, which the usage then
     * lists).
     */
    static CommandLine commandLine(final PrintWriter out, final PrintWriter err, final String... args)
    {
        final Class<?> named = args.length == 0 ? null : subcommandNamed(args[0]);
        final CommandLine commandLine = new CommandLine(new SequencerCli());
        for (final Class<?> subcommand : SUBCOMMANDS)
        {
            if (named == null || subcommand == named)
            {
                commandLine.addSubcommand(subcommand);
            }
        }
        return commandLine
            .setUsageHelpWidth(100)
            .setOut(out)
            .setErr(err)
            .setParameterExceptionHandler(SequencerCli::usageError);
    }

    /** The subcommand {@code name} names (its name or an alias), except {@code help}; null for none. */
    private static Class<?> subcommandNamed(final String name)
    {
        for (final Class<?> subcommand : SUBCOMMANDS)
        {
            final Command command = subcommand.getAnnotation(Command.class);
            if (subcommand != CommandLine.HelpCommand.class && command != null &&
                (command.name().equals(name) || java.util.Arrays.asList(command.aliases()).contains(name)))
            {
                return subcommand;
            }
        }
        return null;
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
