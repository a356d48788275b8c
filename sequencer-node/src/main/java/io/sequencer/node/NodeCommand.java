package io.sequencer.node;

import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SampleEvents;
import io.sequencer.core.StateMachine;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.runtime.CompletionListener;
import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.sim.AccountLedger;
import io.sequencer.transport.aeron.AeronTransportContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sequencer node}: run one member of a cluster until SIGTERM or SIGINT, then close cleanly (log forced,
 * counters file marked closed). With {@code --load} it submits account-ledger transfers at a fixed rate, and with
 * {@code --ack-log} it appends one line per acknowledged event, after the acknowledgement, so that an outside checker
 * can prove that nothing acknowledged was lost.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run one member of the cluster described by --config until SIGTERM/SIGINT.",
    footer = {
        "",
        "--ack-log lines are '<eventId> <position> <timeNs> <epoch>': eventId is the load generator's id of the",
        "event, also written into the event's payload (bytes 16..23, little-endian), so a checker can find it in every",
        "log at position; timeNs is the wall-clock time of the acknowledgement in nanoseconds since 1970 (comparable",
        "across processes of one machine), epoch the member's epoch when it delivered the acknowledgement." })
final class NodeCommand implements Callable<Integer>
{
    /** How often {@code --load} looks for acknowledgements while it waits to send: the ack log's resolution. */
    private static final long ACK_POLL_NS = TimeUnit.MICROSECONDS.toNanos(250);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster's configuration file.")
    Path config;

    @Option(names = "--id", required = true, paramLabel = "N",
        description = "This member's id, one of cluster.members.")
    int id;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a setting of the file (repeatable).")
    Map<String, String> overrides = new HashMap<>();

    @Option(names = "--bootstrap",
        description = "Only when creating the cluster: an empty directory counts as an intact member. Without it an "
            + "empty directory is a lost disk, and the member catches up before it counts.")
    boolean bootstrap;

    @Option(names = "--load", paramLabel = "RATE", defaultValue = "0",
        description = "Submit this many transfers per second (default: none).")
    int loadRate;

    @Option(names = "--load-for", paramLabel = "SECONDS", defaultValue = "0",
        description = "Stop the load after this many seconds and keep running (default: until stopped).")
    int loadSeconds;

    @Option(names = "--state-machine", paramLabel = "CLASS",
        description = "The state machine to run: a class implementing io.sequencer.core.StateMachine with a public "
            + "constructor without arguments, on the class path or --classpath (default: the one StateMachine "
            + "service of --classpath's jars, else the demo's account ledger).")
    String stateMachineClass;

    @Option(names = "--classpath", paramLabel = "PATHS",
        description = "Jars and directories (separated by ':', ';' on Windows) holding the state machine and what "
            + "it needs.")
    String classpath;

    @Option(names = "--ack-log", paramLabel = "FILE",
        description = "Append '<eventId> <position> <timeNs> <epoch>' per acknowledged event.")
    Path ackLog;

    @Option(names = "--load-pause-file", paramLabel = "FILE",
        description = "Submit nothing while FILE exists (looked at every 100 ms): lets a test quiesce the load.")
    Path loadPauseFile;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    public Integer call() throws Exception
    {
        Arguments.atLeast(spec, "--load", loadRate, 0);
        Arguments.atLeast(spec, "--load-for", loadSeconds, 0);
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * The command, its options set (by picocli, or by {@link QuickArguments} from arguments picocli reads the same way:
     * {@link SequencerCli#main}), printing to {@code out} and {@code err}.
     */
    int run(final PrintWriter out, final PrintWriter err) throws Exception
    {
        final long jvmUpMs = jvmStartMillisAgo();
        final long callNs = System.nanoTime();
        final NodeConfig cluster;
        try
        {
            cluster = NodeConfig.load(config, overrides);
            cluster.member(id);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("node: " + ex.getMessage());
            return 2;
        }
        cluster.warnings().forEach(warning -> err.println("node: " + warning));
        err.flush();
        final NodeConfig.Member member = cluster.member(id);
        final java.util.function.Supplier<StateMachine> stateMachines;
        final StateMachine stateMachine;
        try
        {
            stateMachines = StateMachines.load(stateMachineClass, classpath);
            stateMachine = stateMachines.get();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("node: " + ex.getMessage());
            return 2;
        }
        if (loadRate > 0 && !(stateMachine instanceof SampleEvents))
        {
            err.println("node: --load needs a state machine that makes sample events (" +
                SampleEvents.class.getName() + "); " + stateMachine.getClass().getName() + " does not");
            return 2;
        }
        final ProtocolContext protocol = cluster.protocolContext(id)
            .bootstrap(bootstrap)
            .listener(new NodeEventLog(out, cluster.cluster(), id));
        if (stateMachine instanceof AccountLedger)
        {
            protocol.maxResultLength(Math.max(AccountLedger.RESULT_LENGTH, protocol.maxResultLength()));
        }
        final AeronTransportContext transport = cluster.transportContext(id);
        final String directoryError = prepareDirectory(member.directory().toPath());
        if (directoryError != null)
        {
            err.println("node: " + directoryError + " (the member's directory: data.dir, or " +
                "member." + id + ".dir)");
            return 2;
        }
        final BufferedWriter acks;
        try
        {
            // Opened before the member starts: a log that cannot be written is a usage error, not a failure later.
            acks = ackLog == null ? null : Files.newBufferedWriter(ackLog, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            err.println("node: --ack-log: cannot open " + ackLog + " for appending (" +
                describe(ex) + ")");
            return 2;
        }

        final DurableMember process;
        final long launchNs = System.nanoTime();
        try
        {
            process = DurableMember.launch(protocol, member.directory().toPath(), transport, stateMachine,
                stateMachines.get(), cluster.idleStrategy(), true, cluster.cpu(), cluster.writeFailureDirectory());
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            err.println("node: " + NodeConfig.inConfigTerms(ex.getMessage()));
            closeQuietly(acks);
            return 2;
        }
        MetricsServer metrics = null;
        if (cluster.metricsPort(id) > 0)
        {
            try
            {
                metrics = MetricsServer.start(
                    member.directory(), id, cluster.metricsAddress(), cluster.metricsPort(id));
            }
            catch (final IllegalStateException ex)
            {
                err.println("node: " + ex.getMessage());
                process.close();
                closeQuietly(acks);
                return 2;
            }
        }
        out.printf("member %d (%s) started in %s, frames authenticated: %s, state machine %s; it takes submits once " +
            "it runs in an epoch (logged below); stop with SIGTERM or Ctrl-C%n", id, member.name(), member.directory(),
            cluster.authentication().name().toLowerCase(Locale.ROOT), stateMachine.getClass().getName());
        out.printf(Locale.ROOT, "member %d: up %.2f s after the JVM started (JVM %s, configuration %.2f s, %s)%n", id,
            (jvmUpMs < 0 ? 0 : jvmUpMs / 1e3) + (System.nanoTime() - callNs) / 1e9,
            jvmUpMs < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f s", jvmUpMs / 1e3),
            (launchNs - callNs) / 1e9, process.startTimes());
        if (metrics != null)
        {
            out.printf("member %d: counters for Prometheus at http://%s:%d/metrics%n", id, cluster.metricsAddress(),
                metrics.port());
        }
        out.flush();

        final Thread shutdown = new Thread(() ->
        {
            stopping = true;
            try
            {
                stopped.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "sequencer-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        stopOnSignal("TERM", this::stop, err, "node");
        stopOnSignal("INT", this::stop, err, "node");
        try (acks)
        {
            if (loadRate > 0)
            {
                runLoad(process, (SampleEvents)stateMachine, protocol.maxEventLength(), acks);
            }
            else
            {
                while (!stopping && dutyCycleRuns(process))
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
        }
        finally
        {
            if (metrics != null)
            {
                metrics.close();
            }
            process.close();
            out.printf("member %d closed%n", id);
            out.flush();
            stopped.countDown();
        }
        final Throwable failure = process.sequencer().agent().stoppedBy();
        if (failure != null)
        {
            // A duty cycle that cannot go on leaves a member that neither orders nor reaches its peers: exit, so that
            // a supervisor restarts it (it rejoins as any restarted member does).
            err.println("node: member " + id + "'s duty cycle stopped (" + failure +
                "); it exits so that it can be restarted (sequencer errors shows its error log)");
            return 1;
        }
        return 0;
    }

    /** Whether the member's duty cycle still runs: false once it met what it cannot go on from. */
    private static boolean dutyCycleRuns(final DurableMember process)
    {
        return process.sequencer().agent().stoppedBy() == null;
    }

    /** Create the member's directory if needed; @return why it cannot hold a member, or null when it can. */
    static String prepareDirectory(final Path directory)
    {
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            return "cannot create " + directory + " (" + describe(ex) + ")";
        }
        if (!Files.isWritable(directory))
        {
            return directory + " is not writable by this user";
        }
        return null;
    }

    /** An I/O failure in a few words, without the path the caller's line already names. */
    private static String describe(final IOException ex)
    {
        if (ex instanceof java.nio.file.AccessDeniedException)
        {
            return "permission denied";
        }
        if (ex instanceof java.nio.file.NoSuchFileException)
        {
            return "no such file or directory: " + ((java.nio.file.NoSuchFileException)ex).getFile();
        }
        if (ex instanceof java.nio.file.FileAlreadyExistsException)
        {
            return "a file is in the way: " + ((java.nio.file.FileAlreadyExistsException)ex).getFile();
        }
        if (ex instanceof java.nio.file.FileSystemException &&
            ((java.nio.file.FileSystemException)ex).getReason() != null)
        {
            final java.nio.file.FileSystemException failure = (java.nio.file.FileSystemException)ex;
            return failure.getReason() + ": " + failure.getFile();
        }
        return ex.toString();
    }

    private static void closeQuietly(final BufferedWriter writer)
    {
        if (writer != null)
        {
            try
            {
                writer.close();
            }
            catch (final IOException ignore)
            {
                // nothing was written: a usage error is on its way out
            }
        }
    }

    /**
     * Run {@code stop} on the signal {@code name} (TERM, INT) instead of the JVM's exit, so that the command ends its
     * work and returns 0 (the JVM's own handling runs the shutdown hooks and exits 143 or 130, which reads as a failure
     * to a supervisor). Where the signal cannot be handled, says so on {@code err}: the shutdown hooks still run.
     * <p>
     * {@code sun.misc.Signal.handle(new Signal(name), handler)}, called by reflection, the handler a proxy of
     * {@code sun.misc.SignalHandler}: javac warns at every mention of sun.misc by name, a warning no option silences,
     * and the build fails on warnings. jdk.unsupported exports sun.misc to every module, so no flag is needed.
     */
    static void stopOnSignal(final String name, final Runnable stop, final PrintWriter err, final String command)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object handler = Proxy.newProxyInstance(
                NodeCommand.class.getClassLoader(), new Class<?>[] { handlerClass },
                (proxy, method, args) -> onSignal(proxy, method, args, stop));
            try
            {
                final Object signal = signalClass.getConstructor(String.class).newInstance(name);
                signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            }
            catch (final InvocationTargetException ex)
            {
                // what the call threw (IllegalArgumentException: an unknown name, or a signal the JVM keeps for
                // itself), thrown on as it was, so that the catches below see what a direct call throws
                final Throwable cause = ex.getCause();
                if (cause instanceof RuntimeException)
                {
                    throw (RuntimeException)cause;
                }
                if (cause instanceof Error)
                {
                    throw (Error)cause;
                }
                throw new IllegalStateException(cause); // neither declares a checked exception
            }
        }
        catch (final IllegalArgumentException | UnsupportedOperationException ex)
        {
            err.println(command + ": SIG" + name + " cannot be handled here (" + ex.getMessage() +
                "): on it the command still ends cleanly, but exits 128 + the signal's number, not 0");
        }
        catch (final ReflectiveOperationException ex)
        {
            err.println(command + ": SIG" + name + " cannot be handled here (this JVM has no usable sun.misc.Signal: " +
                ex + "): on it the command still ends cleanly, but exits 128 + the signal's number, not 0");
        }
    }

    /** The proxy's calls: SignalHandler.handle(Signal) runs {@code stop}; Object's methods act as identity's. */
    private static Object onSignal(final Object proxy, final Method method, final Object[] args, final Runnable stop)
    {
        switch (method.getName())
        {
            case "handle":
                stop.run();
                return null;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "stop on signal"; // toString, the one other method a proxy is called for
        }
    }

    /** Stop as SIGTERM does: the load ends, the member closes and {@link #run} returns 0. */
    void stop()
    {
        stopping = true;
    }

    /** Submit transfers at {@code loadRate} per second until stopped; log each acknowledgement after it arrives. */
    private void runLoad(
        final DurableMember process, final SampleEvents samples, final int maxEventLength, final BufferedWriter acks)
        throws IOException
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[maxEventLength]);
        final long intervalNs = 1_000_000_000L / loadRate;
        final long[] eventIdOf = new long[1 << 14];
        final IOException[] failure = new IOException[1];
        final CompletionListener listener = new CompletionListener()
        {
            public void onCompleted(final long correlationId, final long position, final int status,
                final DirectBuffer result, final int offset, final int length)
            {
                if (acks != null && failure[0] == null)
                {
                    try
                    {
                        // One whole line per acknowledgement, flushed at once: a SIGKILL never leaves half a line.
                        // The epoch is read off the duty-cycle thread's plain field: at most a little stale.
                        final Instant now = Instant.now();
                        acks.write(eventIdOf[(int)(correlationId & (eventIdOf.length - 1))] + " " + position + " " +
                            (now.getEpochSecond() * 1_000_000_000L + now.getNano()) + " " +
                            process.sequencer().protocol().currentEpoch() + "\n");
                        acks.flush();
                    }
                    catch (final IOException ex)
                    {
                        failure[0] = ex;
                    }
                }
            }

            public void onRejected(final long correlationId, final int status)
            {
                // Not accepted (an epoch change, or back-pressure): nothing to log; the next one goes on.
            }
        };
        long nextEventId = ((long)id << 48) | (System.currentTimeMillis() & 0xFFFF_FFFFL) << 12;
        long nextSendNs = System.nanoTime();
        final long loadEndNs = loadSeconds > 0 ? nextSendNs + TimeUnit.SECONDS.toNanos(loadSeconds) : Long.MAX_VALUE;
        boolean paused = false;
        long pauseCheckNs = nextSendNs;
        try (SequencerClient client = process.sequencer().newClient())
        {
            while (!stopping && dutyCycleRuns(process))
            {
                final long now = System.nanoTime();
                if (loadPauseFile != null && now - pauseCheckNs >= 0)
                {
                    final boolean pause = Files.exists(loadPauseFile);
                    if (paused && !pause)
                    {
                        nextSendNs = now; // resume at the rate, without a burst for the paused time
                    }
                    paused = pause;
                    pauseCheckNs = now + TimeUnit.MILLISECONDS.toNanos(100);
                }
                if (now >= nextSendNs && now < loadEndNs && !paused)
                {
                    final long eventId = nextEventId;
                    final int length = samples.sampleEvent(id, eventId, event, 0);
                    final long correlationId = client.submit(event, 0, length);
                    if (correlationId > 0)
                    {
                        eventIdOf[(int)(correlationId & (eventIdOf.length - 1))] = eventId;
                        nextEventId++;
                        nextSendNs += intervalNs;
                    }
                    else if (correlationId != SubmitStatus.BACK_PRESSURED)
                    {
                        throw new IllegalStateException("submit refused: " + SubmitStatus.name((int)correlationId));
                    }
                }
                if (client.poll(listener, 64) == 0)
                {
                    final boolean idle = now >= loadEndNs || paused;
                    if (idle && client.inFlight() == 0 && acks != null)
                    {
                        acks.flush();
                    }
                    // Until the next send, but looking for acknowledgements every 250 µs: their ack-log times are
                    // that exact (20 µs parks cost a sixth of a core at 200 events/s, on a machine it shares).
                    LockSupport.parkNanos(idle ? TimeUnit.MILLISECONDS.toNanos(10)
                        : Math.max(20_000, Math.min(nextSendNs - now, ACK_POLL_NS)));
                }
                if (failure[0] != null)
                {
                    throw failure[0];
                }
            }
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (client.inFlight() > 0 && System.nanoTime() < drainDeadline)
            {
                client.poll(listener, 64);
            }
            if (acks != null)
            {
                acks.flush();
            }
        }
    }

    /** Milliseconds from the JVM's process start to now (as the OS records it, to about 10 ms), or -1. */
    private static long jvmStartMillisAgo()
    {
        return ProcessHandle.current().info().startInstant()
            .map(start -> java.time.Duration.between(start, java.time.Instant.now()).toMillis()).orElse(-1L);
    }
}
