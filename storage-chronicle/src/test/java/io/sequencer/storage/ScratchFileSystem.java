package io.sequencer.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A file system of a test's own, mounted on a directory for the disk faults a test makes on purpose: a small tmpfs
 * that fills up, or an ext4 image on a loop device, mounted {@code errors=remount-ro}, that an error turns read-only
 * ({@link #failWrites()}) as a failing disk does. Root only: where it cannot be mounted, the test is skipped (an
 * assumption), saying why. {@link #close()} unmounts it; the image lives in the test's temporary directory.
 */
public final class ScratchFileSystem implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_S = 60;

    private final Path mountPoint;
    private final Path image;
    private boolean mounted;

    private ScratchFileSystem(final Path mountPoint, final Path image)
    {
        this.mountPoint = mountPoint;
        this.image = image;
    }

    /** A tmpfs of {@code megabytes} on {@code mountPoint} (created if missing). */
    public static ScratchFileSystem tmpfs(final Path mountPoint, final int megabytes) throws IOException
    {
        Files.createDirectories(mountPoint);
        final ScratchFileSystem fs = new ScratchFileSystem(mountPoint, null);
        final Run mount = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mountPoint.toString());
        assumeTrue(mount.exit == 0, "skipped: cannot mount a tmpfs here (root only): " + mount.output);
        fs.mounted = true;
        return fs;
    }

    /**
     * An ext4 file system of {@code megabytes} in the image file {@code image} (sparse), on a loop device, mounted on
     * {@code mountPoint} (created if missing) with {@code errors=remount-ro}.
     */
    public static ScratchFileSystem ext4(final Path mountPoint, final Path image, final int megabytes)
        throws IOException
    {
        Files.createDirectories(mountPoint);
        final ScratchFileSystem fs = new ScratchFileSystem(mountPoint, image);
        final Run size = run("truncate", "-s", megabytes + "M", image.toString());
        assumeTrue(size.exit == 0, "skipped: cannot size an image file: " + size.output);
        final Run mkfs = run("mkfs.ext4", "-q", "-F", image.toString());
        assumeTrue(mkfs.exit == 0, "skipped: cannot make an ext4 file system here (mkfs.ext4): " + mkfs.output);
        fs.mount();
        try
        {
            final Path trigger = fs.errorTrigger();
            assumeTrue(Files.exists(trigger), "skipped: this kernel has no " + trigger +
                " to turn the file system read-only as an error does");
        }
        catch (final IOException | RuntimeException ex) // the assumption's abort too: not left mounted
        {
            fs.close();
            throw ex;
        }
        return fs;
    }

    public Path mountPoint()
    {
        return mountPoint;
    }

    /**
     * Have the kernel handle an ext4 error on this file system, as it does a failed metadata write: with
     * {@code errors=remount-ro}, from now on it refuses every write ({@code EROFS}), and what it had not written back
     * stays in memory only, to be dropped when it is unmounted.
     */
    public void failWrites() throws IOException
    {
        Files.writeString(errorTrigger(), "a test failing the disk\n");
    }

    /** What an operator does after such an error: unmount, check ({@code e2fsck -fy}) and mount again, writable. */
    public void checkAndRemount() throws IOException
    {
        final Run umount = run("umount", mountPoint.toString());
        if (umount.exit != 0)
        {
            throw new IOException("umount " + mountPoint + ": " + umount.output);
        }
        mounted = false;
        final Run fsck = run("e2fsck", "-fy", image.toString());
        if (fsck.exit > 1) // 1: errors corrected
        {
            throw new IOException("e2fsck " + image + " exited " + fsck.exit + ": " + fsck.output);
        }
        mount();
    }

    @Override
    public void close()
    {
        if (mounted)
        {
            run("umount", "-l", mountPoint.toString());
            mounted = false;
        }
    }

    private void mount() throws IOException
    {
        final Run mount = run("mount", "-o", "loop,errors=remount-ro", image.toString(), mountPoint.toString());
        assumeTrue(mount.exit == 0, "skipped: cannot mount an ext4 image on a loop device here (root only): " +
            mount.output);
        mounted = true;
    }

    /** {@code /sys/fs/ext4/<loop device>/trigger_fs_error} of this file system. */
    private Path errorTrigger() throws IOException
    {
        final Run source = run("findmnt", "-n", "-o", "SOURCE", "--target", mountPoint.toString());
        if (source.exit != 0 || !source.output.startsWith("/dev/"))
        {
            throw new IOException("cannot find the device mounted on " + mountPoint + ": " + source.output);
        }
        return Path.of("/sys/fs/ext4", Path.of(source.output.trim()).getFileName().toString(), "trigger_fs_error");
    }

    /** A command's exit code (-1: it could not be run or did not end) and its output, standard error included. */
    public record Run(int exit, String output)
    {
    }

    public static Run run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Run(-1, String.join(" ", command) + ": no answer in " + COMMAND_TIMEOUT_S + " s");
            }
            return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes()).trim());
        }
        catch (final IOException ex)
        {
            return new Run(-1, String.join(" ", command) + ": " + ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Run(-1, String.join(" ", command) + ": " + ex);
        }
    }
}
