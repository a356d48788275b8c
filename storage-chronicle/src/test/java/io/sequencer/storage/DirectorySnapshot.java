package io.sequencer.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Test helper: what a directory tree holds, to show that an open changed nothing. Published in this module's
 * test-jar for the command-line tests.
 */
public final class DirectorySnapshot
{
    private DirectorySnapshot()
    {
    }

    /**
     * @return every file and directory under {@code root} by its relative path: its modification time and, for a
     *         file, its size and a checksum of its bytes. A lock file ({@link MemberDirectoryLock#LOCK_FILE}) is not
     *         opened: the process that holds it loses the lock when any channel of it closes.
     */
    public static Map<String, String> of(final Path root) throws IOException
    {
        final Map<String, String> state = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                final boolean lockFile = path.getFileName().toString().equals(MemberDirectoryLock.LOCK_FILE);
                final String content = !Files.isRegularFile(path) ? "dir" : Files.size(path) + "/" +
                    (lockFile ? "-" : crcOf(path));
                final String modified = Files.getLastModifiedTime(path).toInstant().toString(); // to the ns
                state.put(root.relativize(path).toString(), modified + " " + content);
            }
        }
        return state;
    }

    /** Streamed: a cycle file is tens of MiB, sparse. */
    private static String crcOf(final Path file) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file))
        {
            for (int read = in.read(buffer); read > 0; read = in.read(buffer))
            {
                crc.update(buffer, 0, read);
            }
        }
        return Long.toHexString(crc.getValue());
    }
}
