package io.sequencer.node;

import io.sequencer.core.runtime.NodeCounters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sequencer log tail}: a fourth process follows member 1 of a three-member cluster under load, across
 * member 1's SIGKILL and restart, and prints exactly the committed entries: positions 1..K in order, each once, each
 * line equal to what {@code log dump} prints for that position of the stopped member's log, K at least the member's
 * durable watermark when the load stopped. Without {@code --follow} it prints what is committed and exits 0.
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class LogTailTest
{
    @TempDir
    Path dir;

    private NodeCluster cluster;

    @AfterEach
    void killAll()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void tailPrintsExactlyTheCommittedEntriesAcrossTheMembersRestart() throws Exception
    {
        cluster = new NodeCluster(dir, 3).writeConfig(Map.of());
        cluster.startAll("--bootstrap", "--load", "200");
        final Path tailed = dir.resolve("tail.txt");
        final Process tail = cluster.launchCli(tailed, "log", "tail", "--dir", cluster.memberDir(1).toString(),
            "--follow");
        cluster.awaitAllAcknowledging(100, "all three acknowledging");

        cluster.kill(1); // the followed member dies under the tail, and comes back with a new counters file
        cluster.awaitAcknowledging(0, 50, "the survivors acknowledging again");
        cluster.start(1, "--load", "200");
        cluster.awaitAcknowledging(1, 20, "member 1 back and acknowledging");

        cluster.quiesce();
        final long committed = cluster.counter(1, NodeCounters.GUARANTEED_LABEL);
        try
        {
            cluster.await(() -> lastPosition(tailed) >= committed, "the tail printing up to g = " + committed);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; it printed up to " + lastPosition(tailed) + ", stderr: " +
                Files.readString(dir.resolve("tail.txt.err")), ex);
        }
        tail.destroy(); // SIGTERM
        assertTrue(tail.waitFor(20, TimeUnit.SECONDS), "log tail ended on SIGTERM");
        assertEquals(0, tail.exitValue(), "log tail's exit code on SIGTERM: " + Files.readString(
            dir.resolve("tail.txt.err")));
        cluster.stopAll();

        assertPrintedAsTheLogHoldsThem(cluster.memberDir(1), Files.readAllLines(tailed), committed);

        final NodeCluster.Cli once = NodeCluster.cli("log", "tail", "--dir", cluster.memberDir(2).toString(),
            "--json", "--no-payload", "--from", "3").assertExit(0);
        final List<String> json = once.out().lines().toList();
        assertTrue(json.size() >= committed - 2, json.size() + " committed entries of member 2 from position 3");
        assertTrue(json.get(0).startsWith("{\"position\":3,"), json.get(0));
    }

    @Test
    void aDirectoryWithoutAMemberIsOneLineAndExitCode1() throws IOException
    {
        final NodeCluster.Cli cli = NodeCluster.cli("log", "tail", "--dir", dir.toString());
        assertEquals(1, cli.exit(), cli.out() + cli.err());
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertTrue(cli.err().startsWith("log tail: no node-stat.dat in " + dir + ": not a member's directory"),
            cli.err());
    }

    /**
     * {@code printed} (what {@code log tail} printed, with {@code dumpOptions} such as {@code --no-payload}) is entries
     * 1..K in order, each once, K at least {@code committed}, each line what {@code log dump} prints for that position
     * of the stopped member's log.
     */
    static void assertPrintedAsTheLogHoldsThem(
        final Path memberDir, final List<String> printed, final long committed, final String... dumpOptions)
    {
        assertTrue(printed.size() >= committed, printed.size() + " entries printed, " + committed + " committed");
        final List<String> args = new java.util.ArrayList<>(List.of("log", "dump", "--dir", memberDir.toString(),
            "--to", Long.toString(printed.size())));
        args.addAll(List.of(dumpOptions));
        final List<String> dumped = NodeCluster.run(args.toArray(new String[0])).lines().toList();
        assertEquals(dumped.size(), printed.size(), "the stopped member's log holds every entry printed");
        for (int i = 0; i < printed.size(); i++)
        {
            assertEquals(i + 1, position(printed.get(i)), "entry " + (i + 1) + " printed once, in order");
            assertEquals(dumped.get(i).trim(), printed.get(i).trim(), "entry " + (i + 1) + " as the log holds it");
        }
    }

    static long lastPosition(final Path file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            for (int i = lines.size() - 1; i >= 0; i--)
            {
                if (lines.get(i).endsWith(" ") || lines.get(i).isBlank())
                {
                    continue;
                }
                return position(lines.get(i));
            }
            return 0;
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0; // a line half written: looked at again
        }
    }

    private static long position(final String line)
    {
        return Long.parseLong(line.trim().split("\\s+")[0]);
    }
}
