package io.sequencer.node;

import io.sequencer.core.runtime.NodeStatFile;
import io.sequencer.storage.DurableFiles;
import io.sequencer.transport.aeron.LoopbackPorts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sequencer cds-training}, hidden from the usage: the training run of the JVM's class-data sharing archive
 * (AppCDS). Run under {@code -XX:DumpLoadedClassList=LIST}, the JVM lists every class this process loaded; a JVM run
 * with {@code -Xshare:dump -XX:SharedClassListFile=LIST -XX:SharedArchiveFile=FILE} then writes them into FILE, and a
 * later JVM started with {@code -XX:SharedArchiveFile=FILE} maps them instead of reading, parsing and verifying them
 * from the jar: most of a node's start is class loading. The {@code sequencer} script runs it once per build of the
 * jar.
 * <p>
 * It loads what an operator's commands load by running them, for real and briefly, through the same command line:
 * a one-member cluster on loopback (a new key, two free ports, a random multicast group, its directory and media
 * driver directory in new temporary directories) runs as {@code node --bootstrap --load} until it has acknowledged
 * some events, is read by {@code stat} and {@code errors}, stopped as SIGTERM stops it, and checked by
 * {@code log verify} and {@code log check-acks}; then {@code demo} runs two members for a moment. Everything is
 * deleted afterwards. Exit 0 when all of it ran; 1, saying what failed, otherwise (the caller then discards the
 * archive).
 */
@Command(
    name = "cds-training",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = {
        "The training run of the class-data sharing archive: run a one-member cluster on loopback in temporary "
            + "directories (node with --load, stat, errors, log verify, log check-acks) and a short two-member demo, "
            + "so that a JVM started with -XX:DumpLoadedClassList=FILE lists the classes they load. The "
            + "sequencer script does this once per build; nothing is left behind." })
final class CdsTrainingCommand implements java.util.concurrent.Callable<Integer>
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);
    /** Enough acknowledgements to have run the load, the ack log and a checkpoint-free steady state. */
    private static final long ACKNOWLEDGED = 200;
    private static final Path SHARED_MEMORY = Path.of("/dev/shm");

    @Spec
    CommandSpec spec;

    public Integer call() throws Exception
    {
        final long startNs = System.nanoTime();
        final PrintWriter err = spec.commandLine().getErr();
        // A -Dsequencer.KEY=VALUE overrides every node's configuration file, this run's too: member.0.dir or data.dir
        // would put the training member's bootstrap and load into an operator's real member directory.
        final String setting = System.getProperties().stringPropertyNames().stream()
            .filter(key -> key.startsWith("sequencer.")).sorted().findFirst().orElse(null);
        if (setting != null)
        {
            err.println("cds-training: refused: the system property " + setting + " would override the training " +
                "member's configuration; run it without -Dsequencer.* settings");
            return 1;
        }
        // The commands' own output is kept and shown only should one fail.
        final StringWriter output = new StringWriter();
        final PrintWriter commandOut = new PrintWriter(output, true);
        final Path dir = Files.createTempDirectory("sequencer-cds-");
        final Path aeronParent = Files.isDirectory(SHARED_MEMORY) && Files.isWritable(SHARED_MEMORY) ?
            Files.createTempDirectory(SHARED_MEMORY, "sequencer-cds-") : dir;
        try
        {
            final String failure = runMember(dir, aeronParent.resolve("aeron"), commandOut);
            final String demoFailure = failure != null ? null :
                expectExit(commandOut, "demo", "--nodes", "2", "--events", "400", "--warmup", "0", "--rate", "4000",
                    "--results", dir.resolve("demo-results").toString());
            if (failure != null || demoFailure != null)
            {
                commandOut.flush();
                err.println(output);
                err.println("cds-training: " + (failure != null ? failure : demoFailure));
                return 1;
            }
            spec.commandLine().getOut().printf("cds-training: node, stat, errors, log and demo ran in %.1f s%n",
                (System.nanoTime() - startNs) / 1e9);
            return 0;
        }
        finally
        {
            DurableFiles.deleteTree(dir);
            DurableFiles.deleteTree(aeronParent);
        }
    }

    /** The one-member cluster: what it failed at, or null when all of it ran. */
    private static String runMember(final Path dir, final Path aeronDir, final PrintWriter out) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(System.nanoTime());
        final Path config = dir.resolve("cluster.properties");
        final Path member = dir.resolve("data").resolve("member-0");
        final Path acks = dir.resolve("acks.log");
        final String keygen = expectExit(out, "keygen", "--file", dir.resolve("cluster.key").toString());
        if (keygen != null)
        {
            return keygen;
        }
        final int port = LoopbackPorts.freeConsecutive(2, random); // the channel, then the member's endpoint
        Files.writeString(config, String.join("\n",
            "cluster.id = " + (1 + random.nextInt(1 << 30)),
            "cluster.members = 0",
            "member.0.endpoint = 127.0.0.1:" + (port + 1),
            "channel = aeron:udp?endpoint=239.255." + (1 + random.nextInt(254)) + "." + (1 + 2 * random.nextInt(127)) +
                ":" + port + "|interface=127.0.0.1|fc=min|ttl=0",
            "data.dir = " + dir.resolve("data"),
            "aeron.dir = " + aeronDir,
            "authentication.key.file = cluster.key",
            ""));

        final CommandLine cli = SequencerCli.commandLine(out, out);
        final NodeCommand node = cli.getSubcommands().get("node").getCommand();
        final int[] nodeExit = { -1 };
        final Thread thread = new Thread(() -> nodeExit[0] = cli.execute("node", "--config", config.toString(),
            "--id", "0", "--bootstrap", "--load", "2000", "--ack-log", acks.toString()), "cds-training-node");
        thread.start();
        try
        {
            final long deadline = System.nanoTime() + DEADLINE_NS;
            while (thread.isAlive() && completed(member) < ACKNOWLEDGED && System.nanoTime() - deadline < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling the node's counters file
            }
            final long completed = completed(member);
            if (completed < ACKNOWLEDGED)
            {
                return "node acknowledged " + Math.max(0, completed) + " of " + ACKNOWLEDGED + " events" +
                    (thread.isAlive() ? " in " + TimeUnit.NANOSECONDS.toSeconds(DEADLINE_NS) + " s" : " and exited");
            }
            final String stat = expectExit(out, "stat", "--dir", member.toString());
            final String errors = stat != null ? stat : expectExit(out, "errors", "--dir", member.toString());
            if (errors != null)
            {
                return errors;
            }
        }
        finally
        {
            node.stop();
            thread.join(TimeUnit.NANOSECONDS.toMillis(DEADLINE_NS));
        }
        if (thread.isAlive() || nodeExit[0] != 0)
        {
            return "node " + (thread.isAlive() ? "did not stop" : "exited with " + nodeExit[0]);
        }
        final String verify = expectExit(out, "log", "verify", "--dir", member.toString());
        return verify != null ? verify :
            expectExit(out, "log", "check-acks", "--dir", member.toString(), "--ack-log", acks.toString());
    }

    /** The {@code completed} counter of the member in {@code directory}, or -1 before its counters exist. */
    private static long completed(final Path directory)
    {
        try (NodeStatFile file = NodeStatFile.open(directory.toFile()))
        {
            return file.counterValue("completed");
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            return -1;
        }
    }

    /** Run a command of this command line in this process: null when it exits 0, else what failed. */
    private static String expectExit(final PrintWriter out, final String... args)
    {
        final int exit = SequencerCli.commandLine(out, out).execute(args);
        return exit == 0 ? null : String.join(" ", args) + " exited with " + exit;
    }
}
