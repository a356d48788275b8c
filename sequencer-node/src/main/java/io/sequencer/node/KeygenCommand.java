package io.sequencer.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code sequencer keygen --file PATH}: create the cluster's key file, once, when the cluster is created; it is then
 * copied to every member and named by {@code authentication.key.file}. Never overwrites a file.
 */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
        "Write a new random cluster key (" + ClusterKey.KEY_BYTES + " bytes, hexadecimal) to a new file readable by "
            + "its owner only (mode 0600). Create it once, when the cluster is created, copy it to every member and "
            + "set authentication.key.file in the cluster's configuration: every frame is then authenticated with it.",
        "An existing file is never overwritten: a member with another key cannot talk to the cluster." })
final class KeygenCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--file", required = true, paramLabel = "PATH", description = "The key file to create.")
    Path file;

    public Integer call()
    {
        try
        {
            ClusterKey.create(file);
        }
        catch (final FileAlreadyExistsException ex)
        {
            spec.commandLine().getErr().println("keygen: --file: " + file + " exists; a cluster's key is created " +
                "once and never overwritten (to replace it, remove the file, then copy the new key to every member)");
            return 2;
        }
        catch (final NoSuchFileException ex)
        {
            spec.commandLine().getErr().println("keygen: --file: cannot create " + file + " (no such directory)");
            return 2;
        }
        catch (final IOException ex)
        {
            spec.commandLine().getErr().println("keygen: --file: cannot create " + file + " (" + ex + ")");
            return 2;
        }
        spec.commandLine().getOut().println("wrote a new cluster key to " + file + " (mode 0600): copy it to every " +
            "member and set authentication.key.file to it");
        return 0;
    }
}
