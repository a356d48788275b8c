package io.sequencer.node;

import io.sequencer.core.runtime.NodeStatFile;
import io.sequencer.transport.aeron.LoopbackPorts;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test harness: a cluster of real {@code node} processes (separate JVMs) from one configuration file in one
 * directory, with the cluster's key from {@code sequencer keygen}, each with an {@code --ack-log} and a shared
 * {@code --load-pause-file}. Reads the members' counters from their stat files, signals them, damages their files,
 * and checks what the issue cares about: every acknowledged event in every log at its position, the same final chk
 * on every member. Every process it starts is killed by {@link #close()}.
 * <pre>
 * dir/cluster.properties, dir/cluster.key
 * dir/data/member-N          a member's directory (log/, node.state, node-stat.dat, ...)
 * dir/ack-N.log              member N's acknowledgements, over all its incarnations
 * dir/out-N.txt              member N's standard output and error, over all its incarnations
 * dir/pause                  while it exists no member submits
 * </pre>
 */
final class NodeCluster implements AutoCloseable
{
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    static final String MODE = "mode (0 init, 1 boot, 2 running, 3 stopped)";
    static final int RUNNING = 2;

    final Path dir;
    final int size;
    /**
     * The channel's multicast group and port: member i publishes on port + i ({@link #sharedPort}), and its endpoint is
     * on port + size + i ({@link #endpointPort}).
     */
    final String group;
    final int port;
    private final Process[] members;
    /** Per member, the pause file its load heeds instead of {@link #pauseFile()}, or null. */
    private final Path[] memberPauseFiles;
    /** A member's own configuration ({@link #memberConfig}), or null: the shared one. */
    private final Path[] memberConfigs;
    private final List<Process> started = new ArrayList<>();
    private IntFunction<List<String>> launcher = id -> List.of();
    /**
     * JVM flags of the node processes besides the parent POM's: C1 only and the serial collector halve a node's start
     * on a 2-core machine shared by three nodes and the test (no test here asserts latency).
     */
    private List<String> jvmFlags = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    private String classPath = System.getProperty("java.class.path");
    private ClassDataArchive classData;

    NodeCluster(final Path dir, final int size) throws IOException
    {
        this.dir = Files.createDirectories(dir);
        this.size = size;
        this.members = new Process[size];
        this.memberPauseFiles = new Path[size];
        this.memberConfigs = new Path[size];
        final String[] groupAndPorts = groupAndPorts(2 * size);
        group = groupAndPorts[0];
        port = Integer.parseInt(groupAndPorts[1]);
        Runtime.getRuntime().addShutdownHook(killer); // should the test JVM itself be stopped before close
    }

    private final Thread killer = new Thread(() -> started.forEach(Process::destroyForcibly), "node-cluster-killer");

    /** The port member {@code id} publishes the shared channel on. */
    int sharedPort(final int id)
    {
        return port + id;
    }

    /** The port of member {@code id}'s endpoint (catch-up). */
    int endpointPort(final int id)
    {
        return port + size + id;
    }

    /** The settings {@link #writeConfig} writes unless overridden: loopback, authentication on, generous timeouts. */
    Map<String, String> defaultSettings()
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cluster.id", Integer.toString(port));
        final StringBuilder ids = new StringBuilder();
        for (int id = 0; id < size; id++)
        {
            ids.append(id == 0 ? "" : ",").append(id);
            settings.put("member." + id + ".endpoint", "127.0.0.1:" + endpointPort(id));
        }
        settings.put("cluster.members", ids.toString());
        settings.put("authentication.key.file", "cluster.key");
        settings.put("channel", "aeron:udp?endpoint=" + group + ":" + port + "|interface=127.0.0.1|fc=min|ttl=0");
        settings.put("data.dir", dir.resolve("data").toString());
        settings.put("idle.strategy", "sleep");
        // Three JVMs on a small machine shared with other builds stall for hundreds of milliseconds at times:
        // timeouts well above that keep a test about durability rather than false suspicions.
        settings.put("heartbeat.ms", "10");
        settings.put("failure.timeout.ms", "1000");
        settings.put("boot.timeout.ms", "1000");
        return settings;
    }

    /** Put the settings of {@code list} ({@code key=value,key=value}; blank: none) into {@code settings}. */
    static void putSettings(final Map<String, String> settings, final String list)
    {
        for (final String setting : list.split(","))
        {
            final String[] keyValue = setting.split("=", 2);
            if (keyValue.length == 2)
            {
                settings.put(keyValue[0].trim(), keyValue[1].trim());
            }
        }
    }

    /**
     * Create the cluster's key (once) and write the configuration: the defaults, then the system property
     * {@code sequencer.faults.settings} ({@code key=value,key=value}: to try other timeouts, say), then
     * {@code overrides}. A null value leaves the setting out (the file's default).
     */
    NodeCluster writeConfig(final Map<String, String> overrides) throws IOException
    {
        if (!Files.exists(dir.resolve("cluster.key")))
        {
            cli("keygen", "--file", dir.resolve("cluster.key").toString()).assertExit(0);
        }
        final Map<String, String> settings = defaultSettings();
        putSettings(settings, System.getProperty("sequencer.faults.settings", ""));
        settings.putAll(overrides);
        final StringBuilder text = new StringBuilder();
        settings.forEach((key, value) ->
        {
            if (value != null)
            {
                text.append(key).append(" = ").append(value).append('\n');
            }
        });
        Files.writeString(config(), text.toString());
        return this;
    }

    /** What comes before {@code java} on member {@code id}'s command line (e.g. {@code ip netns exec NS}). */
    NodeCluster launcher(final IntFunction<List<String>> launcher)
    {
        this.launcher = launcher;
        return this;
    }

    /** JVM flags of the node processes besides the parent POM's (default: C1 only, serial collector). */
    /**
     * Launch the processes without the class path entries {@code leaveOut} (for instance an application's classes,
     * which a node must then find through its {@code --classpath}).
     */
    NodeCluster classPathWithout(final Path leaveOut)
    {
        final StringBuilder kept = new StringBuilder();
        for (final String entry : classPath.split(java.io.File.pathSeparator))
        {
            if (!Path.of(entry).toAbsolutePath().normalize().equals(leaveOut.toAbsolutePath().normalize()))
            {
                kept.append(kept.length() == 0 ? "" : java.io.File.pathSeparator).append(entry);
            }
        }
        classPath = kept.toString();
        return this;
    }

    NodeCluster jvmFlags(final List<String> flags)
    {
        this.jvmFlags = List.copyOf(flags);
        return this;
    }

    Path config()
    {
        return dir.resolve("cluster.properties");
    }

    Path memberDir(final int id)
    {
        return dir.resolve("data").resolve("member-" + id);
    }

    Path ackLog(final int id)
    {
        return dir.resolve("ack-" + id + ".log");
    }

    Path pauseFile()
    {
        return dir.resolve("pause");
    }

    /**
     * Member {@code id}'s processes started from now on pause their load while {@code file} exists instead of the
     * cluster's {@link #pauseFile()}: one member's load stopped while the others' goes on.
     */
    NodeCluster pauseFile(final int id, final Path file)
    {
        memberPauseFiles[id] = file;
        return this;
    }

    /**
     * Launch the node processes as the {@code sequencer} script launches an operator's: with a class-data sharing
     * archive, trained here once ({@link ClassDataArchive}, in {@code dir/cds}) with the {@link #jvmFlags} set now.
     * Not for the build's tests, whose nodes start without one: the training takes about ten seconds.
     */
    NodeCluster classDataSharing() throws IOException, InterruptedException
    {
        classData = ClassDataArchive.train(dir.resolve("cds"), jvmFlags);
        return this;
    }

    /** The archive the node processes use, or null. */
    ClassDataArchive classData()
    {
        return classData;
    }

    /**
     * Write a configuration of member {@code id}'s own: the shared one's settings, then {@code overrides} (the address
     * it reaches a peer's endpoint at, say); its processes start with it from now on.
     */
    NodeCluster memberConfig(final int id, final Map<String, String> overrides) throws IOException
    {
        final StringBuilder text = new StringBuilder(Files.readString(config()));
        overrides.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        memberConfigs[id] = dir.resolve("cluster-" + id + ".properties");
        Files.writeString(memberConfigs[id], text.toString());
        return this;
    }

    /** The command line of a {@code node} process for member {@code id}, with its ack log and the pause file. */
    List<String> nodeCommand(final int id, final String... extra)
    {
        final List<String> command = new ArrayList<>(launcher.apply(id));
        final List<String> java = ClassDataArchive.javaCommand(
            jvmFlags, classData == null ? classPath : classData.classPath());
        if (classData != null)
        {
            java.add(1, "-XX:SharedArchiveFile=" + classData.archive());
        }
        command.addAll(java);
        command.addAll(List.of("node", "--config",
            (memberConfigs[id] == null ? config() : memberConfigs[id]).toString(), "--id", String.valueOf(id),
            "--ack-log", ackLog(id).toString(), "--load-pause-file",
            (memberPauseFiles[id] == null ? pauseFile() : memberPauseFiles[id]).toString()));
        command.addAll(List.of(extra));
        return command;
    }

    /** What was appended to a process's output file {@code output} since it was {@code from} bytes long. */
    static String linesSince(final Path output, final long from)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(output);
            return new String(bytes, (int)Math.min(from, bytes.length), (int)Math.max(0, bytes.length - from),
                java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /** Start member {@code id} (it becomes the member's current process); output appended to out-N.txt. */
    Process start(final int id, final String... extra) throws IOException
    {
        final Process process = launch(id, dir.resolve("out-" + id + ".txt"), extra);
        members[id] = process;
        return process;
    }

    /** Start every member. */
    void startAll(final String... extra) throws IOException
    {
        for (int id = 0; id < size; id++)
        {
            start(id, extra);
        }
    }

    /**
     * Run the command line with {@code args} in a process of its own, launched as the nodes are, output to
     * {@code output}; closed with the cluster.
     */
    Process launchCli(final Path output, final String... args) throws IOException
    {
        final List<String> command = ClassDataArchive.javaCommand(
            jvmFlags, classData == null ? classPath : classData.classPath());
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(output.resolveSibling(output.getFileName() + ".err")
                .toFile()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
            .start();
        started.add(process);
        return process;
    }

    /** Start another {@code node} process for member {@code id} without making it the member's current process. */
    Process launch(final int id, final Path output, final String... extra) throws IOException
    {
        final Process process = new ProcessBuilder(nodeCommand(id, extra))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
            .start();
        started.add(process);
        return process;
    }

    Process process(final int id)
    {
        return members[id];
    }

    /** SIGKILL member {@code id} and wait until it is gone. */
    void kill(final int id) throws InterruptedException
    {
        final Process process = members[id];
        process.destroyForcibly();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "member " + id + " gone after SIGKILL");
    }

    /**
     * SIGKILL member {@code victim} and wait until member {@code witness}'s log holds {@code entries} more than the
     * victim's did: a member to restart that far behind.
     */
    void killAndFallBehind(final int victim, final int witness, final long entries, final long timeoutNs)
        throws InterruptedException
    {
        final long have = counter(victim, "have");
        kill(victim);
        await(() -> counter(witness, "have") > have + entries,
            String.format(java.util.Locale.ROOT, "the others %,d entries ahead", entries), timeoutNs);
    }

    /** Send {@code signal} (e.g. STOP, CONT) to member {@code id}'s process. */
    void signal(final int id, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(members[id].pid()))
            .redirectErrorStream(true).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
    }

    /**
     * A counter of member {@code id}'s current process, or -1 while that process has not created its stat file (the
     * file found may still be its previous incarnation's, told apart by the pid) or registered its counters.
     */
    long counter(final int id, final String label)
    {
        try (NodeStatFile file = NodeStatFile.open(memberDir(id).toFile()))
        {
            if (members[id] == null || file.pid() != members[id].pid())
            {
                return -1;
            }
            return file.counterValue(label);
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            return -1;
        }
    }

    boolean running(final int id)
    {
        return members[id] != null && members[id].isAlive() && counter(id, MODE) == RUNNING;
    }

    /** Poll {@code condition} every 20 ms until it holds; fail with every member's output after {@link #TIMEOUT_NS}. */
    void await(final BooleanSupplier condition, final String what)
    {
        await(condition, what, TIMEOUT_NS);
    }

    void await(final BooleanSupplier condition, final String what, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, () -> "timed out waiting for " + what + "\n" + outputs());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling another process's counters
        }
    }

    /** Wait until member {@code id}'s {@code completed} counter has risen by {@code events}. */
    void awaitAcknowledging(final int id, final long events, final String what)
    {
        final long[] first = { -1 };
        await(() ->
        {
            final long completed = running(id) ? counter(id, "completed") : -1;
            if (first[0] < 0)
            {
                first[0] = completed;
                return false;
            }
            return completed >= first[0] + events;
        }, what);
    }

    /** Wait until every member runs and has acknowledged {@code events} more of its own events. */
    void awaitAllAcknowledging(final long events, final String what)
    {
        for (int id = 0; id < size; id++)
        {
            awaitAcknowledging(id, events, what + " (member " + id + ")");
        }
    }

    /** Every member's output, counters and distinct errors: for failure messages. */
    String outputs()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            sb.append("--- member ").append(i).append('\n');
            try
            {
                sb.append(Files.readString(dir.resolve("out-" + i + ".txt")));
            }
            catch (final IOException ex)
            {
                sb.append("(no output)\n");
            }
            final Cli stat = cli("stat", "--dir", memberDir(i).toString());
            sb.append(stat.out).append(stat.err);
            sb.append(errors(i));
        }
        return sb.toString();
    }

    /** Member {@code id}'s distinct errors, as {@code sequencer errors} prints them. */
    String errors(final int id)
    {
        final Cli errors = cli("errors", "--dir", memberDir(id).toString());
        return errors.out + errors.err;
    }

    /** What one in-process run of the command line printed, and its exit code. */
    record Cli(int exit, String out, String err, String command)
    {
        Cli assertExit(final int expected)
        {
            assertEquals(expected, exit, command + ": " + out + err);
            return this;
        }
    }

    static Cli cli(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(exit, out.toString(), err.toString(), String.join(" ", args));
    }

    /** Run the command line in process, assert exit 0, return its trimmed output. */
    static String run(final String... args)
    {
        return cli(args).assertExit(0).out().trim();
    }

    /** {@link #quiesce()}, then SIGTERM every member and wait for each to close. */
    void quiesceAndStop() throws IOException, InterruptedException
    {
        quiesce();
        stopAll();
    }

    /**
     * Pause the load (the pause file) and wait until every member runs with no own event in flight, nothing
     * submitted for a second, and the same {@code have} everywhere.
     */
    void quiesce() throws IOException
    {
        Files.writeString(pauseFile(), "");
        final long[] lastSubmitted = new long[size];
        final long[] quietSinceNs = { System.nanoTime() };
        await(() ->
        {
            boolean changed = false;
            long have = -2;
            boolean agree = true;
            for (int id = 0; id < size; id++)
            {
                final long submitted = counter(id, "submitted");
                changed |= submitted != lastSubmitted[id];
                lastSubmitted[id] = submitted;
                final long memberHave = running(id) && counter(id, "own events in flight") == 0 ?
                    counter(id, "have") : -1;
                agree &= memberHave > 0 && (have == -2 || memberHave == have);
                have = memberHave;
            }
            if (changed)
            {
                quietSinceNs[0] = System.nanoTime();
            }
            return agree && System.nanoTime() - quietSinceNs[0] > TimeUnit.SECONDS.toNanos(1);
        }, "the loads to pause and the logs to agree");
    }

    /** Wall time in ns since 1970, as the nodes' {@code --ack-log} lines carry it. */
    static long wallNs()
    {
        return wallNs(java.time.Instant.now());
    }

    /** {@code at} in ns since 1970: the time of a node's event line, say. */
    static long wallNs(final java.time.Instant at)
    {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    /**
     * The heap README.md ("The JVM") tells an operator to give each {@code node}: the figures' node JVMs have it, so
     * that what they measure is what an operator's members do (a heap of 256 MB that may shrink starts with an eden
     * of 13 MB, which a starting member fills: a young collection of 20-70 ms in every restart).
     */
    static final List<String> OPERATOR_HEAP = List.of("-Xms1g", "-Xmx1g");

    /**
     * The figures' node JVM flags: {@link #OPERATOR_HEAP}, then what {@code -Dsequencer.figures.jvm} gives every node
     * JVM (space-separated; a JFR recording, say).
     */
    static List<String> figuresJvmFlags()
    {
        final List<String> flags = new ArrayList<>(OPERATOR_HEAP);
        final String jvm = System.getProperty("sequencer.figures.jvm", "").trim();
        if (!jvm.isEmpty())
        {
            flags.addAll(List.of(jvm.split("\\s+")));
        }
        return flags;
    }

    /**
     * The figures' node JVMs: {@link #figuresJvmFlags()}, and a class-data sharing archive as the {@code sequencer}
     * script launches an operator's ({@link #classDataSharing()}) unless {@code -Dsequencer.figures.cds=false}.
     */
    NodeCluster figuresJvms() throws IOException, InterruptedException
    {
        jvmFlags(figuresJvmFlags());
        if (Boolean.parseBoolean(System.getProperty("sequencer.figures.cds", "true")))
        {
            classDataSharing();
        }
        return this;
    }

    /** SIGTERM every live member and wait for each to close. */
    void stopAll() throws InterruptedException
    {
        final boolean[] alive = new boolean[size];
        for (int id = 0; id < size; id++)
        {
            if (members[id] != null)
            {
                alive[id] = members[id].isAlive();
                members[id].destroy(); // SIGTERM: a clean close
            }
        }
        for (int id = 0; id < size; id++)
        {
            if (members[id] != null)
            {
                assertTrue(members[id].waitFor(30, TimeUnit.SECONDS), "member " + id + " closed on SIGTERM");
                if (alive[id])
                {
                    assertEquals(0, members[id].exitValue(), "member " + id + "'s exit code after SIGTERM");
                }
            }
        }
    }

    /**
     * On stopped members: {@code log verify} gives the same entries and final chk on every member, and
     * {@code log check-acks} finds every line of every ack log in every member's log at its position.
     *
     * @return the {@code log verify} line.
     */
    String checkLogs()
    {
        final String verified = run("log", "verify", "--dir", memberDir(0).toString());
        assertTrue(verified.startsWith("log verified: "), verified);
        for (int id = 1; id < size; id++)
        {
            // the same last entry and chk; where each log starts is its own (retention, an installed snapshot)
            assertEquals(withoutBase(verified), withoutBase(run("log", "verify", "--dir", memberDir(id).toString())),
                "same entries and final chk on member " + id);
        }
        long acknowledged = 0;
        for (int acks = 0; acks < size; acks++)
        {
            for (int log = 0; log < size; log++)
            {
                final String checked = run("log", "check-acks", "--dir", memberDir(log).toString(),
                    "--ack-log", ackLog(acks).toString());
                assertTrue(
                    checked.startsWith("all ") && (!checked.startsWith("all 0 ") || checked.contains("retention")),
                    checked);
                if (log == 0)
                {
                    acknowledged += Long.parseLong(checked.split(" ")[1]);
                }
            }
        }
        return verified + "; " + acknowledged + " acknowledged events in every log at their positions";
    }

    /** A {@code log verify} line without the remark on where the log starts. */
    private static String withoutBase(final String verified)
    {
        return verified.replaceAll(" \\(from \\d+: those below were discarded by retention\\)", "");
    }

    /** Every member's queue cycle files, newest last. */
    List<Path> queueFiles(final int id) throws IOException
    {
        try (Stream<Path> files = Files.list(memberDir(id).resolve("log").resolve("queue")))
        {
            return files.filter(file -> file.getFileName().toString().endsWith(".cq4"))
                .sorted(Comparator.comparing(file -> file.getFileName().toString()))
                .toList();
        }
    }

    /**
     * Where the written part of a Chronicle cycle file ends: the offset of the first free document header found by
     * walking Chronicle's framing from the start (a 4-byte header word: bit 31 incomplete, bit 30 metadata, the
     * rest the length; documents 4-byte aligned). The file itself is preallocated and sparse, far longer.
     */
    static long writtenEnd(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            long pos = 0;
            while (pos + 4 <= channel.size())
            {
                word.clear();
                channel.read(word, pos);
                final int header = word.getInt(0);
                if (header == 0)
                {
                    return pos;
                }
                pos = (pos + 4 + (header & 0x3FFF_FFFF) + 3) & ~3L;
            }
            return Math.min(pos, channel.size());
        }
    }

    /** Cut {@code file} to {@code size} bytes, as {@code truncate -s} does. */
    static void truncate(final Path file, final long size) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(size);
        }
    }

    /** Overwrite {@code length} bytes of {@code file} at {@code offset} with random ones. */
    static void writeRandom(final Path file, final long offset, final int length, final SplittableRandom random)
        throws IOException
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer, offset + buffer.position());
            }
        }
    }

    /** Kill every process this harness started (SIGKILL, SIGSTOPped ones too) and wait for them. */
    public void close()
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(killer);
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            // shutting down already (the hook runs), or closed before
        }
        for (final Process process : started)
        {
            process.destroyForcibly();
        }
        for (final Process process : started)
        {
            try
            {
                process.waitFor(20, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        Arrays.fill(members, null);
        // The embedded media drivers' directories (default aeron.dir): a killed driver leaves its own behind.
        for (int id = 0; id < size; id++)
        {
            final File aeronDir = new File("/dev/shm/sequencer-aeron-" + port + "-" + id);
            if (aeronDir.isDirectory())
            {
                org.agrona.IoUtil.delete(aeronDir, true);
            }
        }
    }

    /**
     * A random multicast group (odd last octet) and {@code count} consecutive UDP ports below the ephemeral range
     * that are free now, so that parallel runs on one machine do not collide: each member's channel port, then each
     * member's endpoint.
     */
    static String[] groupAndPorts(final int count)
    {
        final SplittableRandom random = new SplittableRandom(System.nanoTime());
        final int port = LoopbackPorts.freeConsecutive(count, random);
        final String group = "239.255." + (1 + random.nextInt(254)) + "." + (1 + 2 * random.nextInt(126));
        return new String[] {group, Integer.toString(port)};
    }
}
