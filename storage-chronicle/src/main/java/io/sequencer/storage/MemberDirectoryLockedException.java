package io.sequencer.storage;

import java.nio.file.Path;

/**
 * A member directory is already open, by another process or in this one: the open that gets this was refused before
 * it touched anything in the directory.
 */
public final class MemberDirectoryLockedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final transient Path directory;
    private final long holderPid;

    MemberDirectoryLockedException(final Path directory, final long holderPid, final String holder)
    {
        super("member directory " + directory + " is in use by " + holder + ", which holds " +
            directory.resolve(MemberDirectoryLock.LOCK_FILE) + ": refusing to open it (one process per member " +
            "directory); nothing in it was changed");
        this.directory = directory;
        this.holderPid = holderPid;
    }

    /** @return the member directory that is in use. */
    public Path directory()
    {
        return directory;
    }

    /** @return the process id of the holder, as its lock file says; -1 when it has not written it yet. */
    public long holderPid()
    {
        return holderPid;
    }
}
