package io.sequencer.benchmarks.cluster;

import java.io.File;

/** Media driver directories: in {@code /dev/shm} where there is one, named for this process so runs cannot meet. */
public final class AeronDirectories
{
    private AeronDirectories()
    {
    }

    public static String newName(final String name)
    {
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        return base + File.separator + name + "-" + ProcessHandle.current().pid();
    }
}
