package io.sequencer.storage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The second process of {@link NodeStorageTest}: it opens a member directory's storage ({@code open}) or a tool's
 * read-only view of its log ({@code tool}) and says what happened on stdout: {@code OPENED <pid>} or
 * {@code REFUSED <holder pid> <message>}. Refused, it exits with 3. Opened, it keeps the directory until its stdin
 * closes, then closes it and exits with 0.
 */
public final class LockChild
{
    private LockChild()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path directory = Path.of(args[0]);
        final PrintStream out = new PrintStream(System.out, true);
        final AutoCloseable opened;
        try
        {
            opened = args[1].equals("tool") ? NodeStorage.openExistingLogReadOnly(directory) :
                NodeStorage.open(directory, new ChronicleLogContext().clusterId(NodeStorageTest.CLUSTER_ID));
        }
        catch (final MemberDirectoryLockedException ex)
        {
            out.println("REFUSED " + ex.holderPid() + " " + ex.getMessage());
            System.exit(3);
            return;
        }
        out.println("OPENED " + ProcessHandle.current().pid());
        while (System.in.read() >= 0)
        {
            // hold the directory until the parent closes our stdin
        }
        try
        {
            opened.close();
        }
        catch (final Exception ex)
        {
            ex.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
