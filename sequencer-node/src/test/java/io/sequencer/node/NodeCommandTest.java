package io.sequencer.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code node} says at start, in process: a configuration without authentication is warned about, and what stops
 * a node from starting is named by the setting of the file, with exit code 2.
 */
class NodeCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int node(final String... settings) throws Exception
    {
        final Path config = dir.resolve("cluster.properties");
        Files.writeString(config, String.join("\n", settings) + "\n");
        return SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "node", "--config", config.toString(), "--id", "0");
    }

    @Test
    void authenticationNoneWarnsAndAnEndpointInUseIsNamedBySetting() throws Exception
    {
        // An ephemeral port held by this test for its duration: nobody else can have it.
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final String endpoint = "127.0.0.1:" + squatter.getLocalPort();
            final int exit = node(
                "cluster.id = 7",
                "cluster.members = 0",
                "member.0.endpoint = " + endpoint,
                "data.dir = " + dir.resolve("data"),
                "authentication = none");
            assertEquals(2, exit, out + "\n" + err);
            assertTrue(err.toString().contains("node: WARNING: authentication = none: frames are not authenticated"),
                err.toString());
            assertTrue(err.toString().contains("node: member.0.endpoint: cannot listen on " + endpoint),
                err.toString());
        }
    }

    @Test
    void aMissingKeyFileStopsTheNodeBeforeItStarts() throws Exception
    {
        final int exit = node(
            "cluster.id = 7",
            "cluster.members = 0",
            "data.dir = " + dir.resolve("data"),
            "authentication.key.file = cluster.key");
        assertEquals(2, exit, out + "\n" + err);
        assertTrue(err.toString().startsWith("node: authentication.key.file: cannot read " +
            dir.resolve("cluster.key") + " (no such file); create the cluster's key once with 'sequencer keygen"),
            err.toString());
        assertTrue(Files.notExists(dir.resolve("data")), "nothing created");
    }

    /** sun.misc.Signal, reached by reflection, refuses an unknown name as a direct call did: one line on stderr. */
    @Test
    void aSignalThatCannotBeHandledIsOneLineOnStderr()
    {
        final PrintWriter stderr = new PrintWriter(err, true);
        NodeCommand.stopOnSignal("NOSUCH", () -> {}, stderr, "node");
        assertEquals("node: SIGNOSUCH cannot be handled here (Unknown signal: NOSUCH): on it the command still ends " +
            "cleanly, but exits 128 + the signal's number, not 0" + System.lineSeparator(), err.toString());
    }
}
