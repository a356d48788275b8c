package io.sequencer.node;

import io.sequencer.transport.aeron.FrameAuthenticator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The cluster's key file: the secret every member tags its frames with ({@link FrameAuthenticator}), created once
 * when the cluster is created ({@code sequencer keygen}) and copied to every member. One line of hexadecimal digits
 * (whitespace ignored), so that it survives copying and can be made with other tools ({@code openssl rand -hex 32}).
 */
final class ClusterKey
{
    /** Bytes of secret {@link #create} writes. */
    static final int KEY_BYTES = 32;
    /** The fewest bytes of secret accepted: {@link FrameAuthenticator}'s minimum. */
    static final int MIN_KEY_BYTES = 16;
    /** A key file is small; anything larger is the wrong file. */
    private static final long MAX_FILE_BYTES = 64 * 1024;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private ClusterKey()
    {
    }

    /**
     * Write a fresh random key to a new file readable and writable by its owner only (mode 0600), forced to disk.
     *
     * @throws java.nio.file.FileAlreadyExistsException if the file exists: a cluster's key is never overwritten.
     */
    static void create(final Path file) throws IOException
    {
        final byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        final byte[] text = (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        final EnumSet<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        final boolean posix = Files.getFileStore(file.toAbsolutePath().getParent()).supportsFileAttributeView("posix");
        try (FileChannel channel = posix ?
            FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY)) :
            FileChannel.open(file, options))
        {
            if (posix)
            {
                Files.setPosixFilePermissions(file, OWNER_ONLY); // whatever the umask
            }
            else if (!file.toFile().setReadable(false, false) || !file.toFile().setReadable(true, true))
            {
                throw new IOException("cannot make " + file + " readable by its owner only");
            }
            final ByteBuffer buffer = ByteBuffer.wrap(text);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /**
     * @return whether users other than the file's owner may read it (false where permissions cannot be read).
     */
    static boolean readableByOthers(final Path file)
    {
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.GROUP_READ) ||
                permissions.contains(PosixFilePermission.OTHERS_READ);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return false;
        }
    }

    /**
     * Read the key of {@code file}.
     *
     * @param setting the configuration setting that named the file, for the error message.
     * @throws IllegalArgumentException naming the setting, when the file is missing, unreadable, not a key or too
     *                                  short; the message says how to create one.
     */
    static byte[] read(final String setting, final Path file)
    {
        final String create = "; create the cluster's key once with 'sequencer keygen --file " + file +
            "' and copy it to every member";
        final byte[] content;
        try
        {
            if (Files.size(file) > MAX_FILE_BYTES)
            {
                throw new IllegalArgumentException(setting + ": " + file + " is not a key file (larger than " +
                    MAX_FILE_BYTES + " bytes)" + create);
            }
            content = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException(setting + ": cannot read " + file + " (no such file)" + create, ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new IllegalArgumentException(setting + ": cannot read " + file + " (permission denied)" + create, ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(setting + ": cannot read " + file + " (" + ex + ")" + create, ex);
        }

        final StringBuilder digits = new StringBuilder(content.length);
        for (final byte b : content)
        {
            final char c = (char)(b & 0xFF);
            if (Character.digit(c, 16) >= 0)
            {
                digits.append(c);
            }
            else if (!Character.isWhitespace(c))
            {
                throw new IllegalArgumentException(setting + ": " + file + " is not a key file (expected " +
                    "hexadecimal digits only)" + create);
            }
        }
        if (digits.length() % 2 != 0 || digits.length() < 2 * MIN_KEY_BYTES)
        {
            throw new IllegalArgumentException(setting + ": " + file + " holds " + digits.length() / 2 +
                " bytes of key, expected at least " + MIN_KEY_BYTES + " (" + 2 * MIN_KEY_BYTES +
                " hexadecimal digits, an even number)" + create);
        }
        return HexFormat.of().parseHex(digits);
    }
}
