package io.sequencer.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sequencer keygen}: a fresh random key in a new owner-only file, which the configuration reads back; never
 * an overwrite.
 */
class KeygenCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void writesAFreshOwnerOnlyKeyThatTheConfigurationReads() throws Exception
    {
        final Path first = dir.resolve("cluster.key");
        final Path second = dir.resolve("other.key");
        assertEquals(0, run("keygen", "--file", first.toString()), err.toString());
        assertEquals(0, run("keygen", "--file", second.toString()), err.toString());
        assertTrue(out.toString().contains("wrote a new cluster key to " + first), out.toString());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
        final String text = Files.readString(first);
        assertTrue(text.matches("[0-9a-f]{" + 2 * ClusterKey.KEY_BYTES + "}\n"), text);
        final byte[] key = ClusterKey.read("authentication.key.file", first);
        assertEquals(ClusterKey.KEY_BYTES, key.length);
        assertFalse(text.equals(Files.readString(second)), "every key is new");
        assertArrayEquals(java.util.HexFormat.of().parseHex(text.trim()), key);
    }

    @Test
    void neverOverwritesAndMisuseExitsWith2() throws Exception
    {
        final Path file = dir.resolve("cluster.key");
        assertEquals(0, run("keygen", "--file", file.toString()));
        final String before = Files.readString(file);

        assertEquals(2, run("keygen", "--file", file.toString()));
        assertTrue(err.toString().contains("keygen: --file: " + file + " exists"), err.toString());
        assertEquals(before, Files.readString(file), "the cluster's key is untouched");

        assertEquals(2, run("keygen", "--file", dir.resolve("no/such/dir/cluster.key").toString()));
        assertTrue(err.toString().contains("cannot create"), err.toString());
        assertEquals(2, run("keygen"), "--file is required");
    }
}
