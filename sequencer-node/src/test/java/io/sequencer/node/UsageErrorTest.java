package io.sequencer.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator's typo is one line on stderr, naming what is wrong, and exit code 2: never a stack trace, the whole
 * usage text, or a command that runs on a nonsense value.
 */
class UsageErrorTest
{
    @TempDir
    Path dir;

    @Test
    void aMissingDirectoryIsAUsageError() throws Exception
    {
        final String missing = dir.resolve("no-such-member").toString();
        assertUsageError("--dir: " + missing + ": no such directory", "stat", "--dir", missing);
        assertUsageError("--dir: " + missing + ": no such directory", "errors", "--dir", missing);
        assertUsageError("--dir: " + missing + ": no such directory", "errors", "--previous", "--dir", missing);
        assertUsageError("--dir: " + missing + ": no such directory", "log", "dump", "--dir", missing);
        assertUsageError("--dir: " + missing + ": no such directory", "log", "verify", "--dir", missing);
        assertUsageError("--dir: " + missing + ": no such directory", "log", "repair", "--dir", missing);
        assertUsageError("--dir: " + missing + ": no such directory",
            "log", "check-acks", "--dir", missing, "--ack-log", dir.resolve("acks.txt").toString());
        final Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertUsageError("--dir: " + file + " is not a directory", "stat", "--dir", file.toString());
    }

    @Test
    void negativeRatesAndIntervalsAreUsageErrors()
    {
        assertUsageError("--interval: expected >= 1, got -1",
            "stat", "--dir", dir.toString(), "--watch", "--interval", "-1");
        assertUsageError("--load: expected >= 0, got -5",
            "node", "--config", dir.resolve("cluster.properties").toString(), "--id", "0", "--load", "-5");
        assertUsageError("--load-for: expected >= 0, got -1",
            "node", "--config", dir.resolve("cluster.properties").toString(), "--id", "0", "--load-for", "-1");
        assertTrue(Files.notExists(dir.resolve("data")), "no node was started");
    }

    @Test
    void anUnknownOptionIsOneLine()
    {
        assertUsageError("Unknown option: '--wach'", "stat", "--dir", dir.toString(), "--wach");
        assertUsageError("Missing required option: '--dir=DIR'", "log", "verify");
    }

    @Test
    void aMistypedSettingIsOneLineAndStartsNothing() throws Exception
    {
        final java.nio.file.Path config = Files.writeString(dir.resolve("typo.properties"), String.join("\n",
            "cluster.id = 7", "cluster.members = 0", "authentication = none", "data.dir = " + dir.resolve("data"),
            "durabilty = batch"));
        assertNodeRefused("durabilty: unknown setting (did you mean durability?); the settings are listed in the " +
            "README's configuration reference", "node", "--config", config.toString(), "--id", "0", "--bootstrap");
        assertTrue(Files.notExists(dir.resolve("data")), "no node was started");
    }

    @Test
    void aDataDirectoryThatIsAFileAndAnAckLogThatCannotBeOpenedAreOneLineEach() throws Exception
    {
        final java.nio.file.Path file = Files.writeString(dir.resolve("not-a-directory"), "");
        final java.nio.file.Path config = Files.writeString(dir.resolve("file.properties"), String.join("\n",
            "cluster.id = 7", "cluster.members = 0", "authentication = none", "data.dir = " + file));
        assertNodeRefused("cannot create " + file.resolve("member-0") + " (Not a directory",
            "node", "--config", config.toString(), "--id", "0", "--bootstrap");

        final java.nio.file.Path good = Files.writeString(dir.resolve("good.properties"), String.join("\n",
            "cluster.id = 7", "cluster.members = 0", "authentication = none", "data.dir = " + dir.resolve("data")));
        final java.nio.file.Path acks = dir.resolve("missing").resolve("acks.log");
        assertNodeRefused("--ack-log: cannot open " + acks + " for appending (no such file or directory",
            "node", "--config", good.toString(), "--id", "0", "--bootstrap", "--ack-log", acks.toString());
    }

    private static void assertNodeRefused(final String expected, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        final String text = err.toString();
        assertEquals(2, exit, out + text);
        assertEquals(1, text.lines().filter(line -> !line.contains("WARNING")).count(), "one line: " + text);
        assertTrue(text.contains("node: " + expected), text);
        assertTrue(!out.toString().contains("started"), "no member started: " + out);
    }

    private static void assertUsageError(final String expected, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        final String text = err.toString();
        assertEquals(2, exit, String.join(" ", args) + ": " + out + text);
        assertEquals(1, text.lines().count(), "one line: " + text);
        assertTrue(text.contains(expected), text);
        assertTrue(text.contains("(see 'sequencer " + args[0]), text);
    }
}
