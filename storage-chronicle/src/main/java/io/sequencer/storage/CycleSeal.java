package io.sequencer.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The record of a full cycle file, written once the log moves on to the next cycle: its last position, the checksum
 * before it and at its end, where its data ends, and its {@code EpochStart}s. An open trusts the cycles a contiguous
 * run of seals vouches for and walks only the cycles after them (docs/protocol.md §10.1, "Opening in constant
 * time"), so opening a log costs one cycle file's walk, not the whole log's.
 * <p>
 * A seal is written once its cycle file is forced (so an open need not force that file again), itself without a
 * force — or, under durability {@code none} ({@link ChronicleLogContext#unforcedSeals}), without forcing the cycle file
 * either: an fsync of a cycle's megabytes stalls the appending thread's page faults for tens of milliseconds. Such a
 * seal carries the machine's boot id and is trusted only in the same boot, when the page cache that holds the cycle
 * is the one it was written from (after a power loss the member is not intact anyway, §6, and its log is walked).
 * A seal only saves work, and one that is missing, torn, of another log or inconsistent with its neighbours is
 * ignored and its cycle walked (and forced). Every change that could make a seal untrue
 * removes it first: a cut removes the seals of the cycles it touches before its intent is recorded, and a read that
 * finds an entry damaged removes the seals from that entry's cycle on, so the next open walks into the damage.
 * <p>
 * The seals of a log are records in one file ({@code log/seals}), appended as cycles fill, so an open reads them in
 * one read. A record (little-endian): its length, magic, format version, cycle, count of {@code EpochStart}s, log
 * id, checksum before the cycle, last position, checksum at it, byte where the data ends in the cycle file (0: not
 * known), the boot id it was written in without a force (0: its cycle file was forced first; not in version 1
 * records, which are all forced), the {@code EpochStart} positions, then a CRC32C of all of it.
 */
final class CycleSeal
{
    /** The file of a log's seals, one record after another in the order they were written. */
    static final String FILE = "seals";
    private static final int MAGIC = 0x53_45_41_4C; // "SEAL" as an int: the bytes "LAES" in file order
    private static final int FORMAT_VERSION = 2;
    /** A record: its length, magic, version, cycle, count, then six longs, the positions, a CRC32C. */
    private static final int FIXED_LENGTH = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 8 + 8 + 8 + 8 + 4;
    /** Version 1 had no boot id. */
    private static final int FIXED_LENGTH_V1 = FIXED_LENGTH - 8;
    private static final int MAX_EPOCH_STARTS = 1 << 16;
    private static final Logger LOGGER = LoggerFactory.getLogger(CycleSeal.class);

    final int cycle;
    final long logId;
    final long previousChk;
    final long lastPosition;
    final long lastChk;
    final long dataEnd;
    /** The boot it was written in without its cycle file forced; 0 when the file was forced first. */
    final long bootId;
    final long[] epochStarts;

    CycleSeal(
        final int cycle,
        final long logId,
        final long previousChk,
        final long lastPosition,
        final long lastChk,
        final long dataEnd,
        final long bootId,
        final long[] epochStarts)
    {
        this.cycle = cycle;
        this.logId = logId;
        this.previousChk = previousChk;
        this.lastPosition = lastPosition;
        this.lastChk = lastChk;
        this.dataEnd = dataEnd;
        this.bootId = bootId;
        this.epochStarts = epochStarts;
    }

    /** Bytes of this seal's record in the seals file. */
    private int recordLength()
    {
        return FIXED_LENGTH + epochStarts.length * Long.BYTES;
    }

    private byte[] record()
    {
        final int length = recordLength();
        final ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(length).putInt(MAGIC).putInt(FORMAT_VERSION).putInt(cycle).putInt(epochStarts.length)
            .putLong(logId).putLong(previousChk).putLong(lastPosition).putLong(lastChk).putLong(dataEnd)
            .putLong(bootId);
        for (final long position : epochStarts)
        {
            buffer.putLong(position);
        }
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, length - 4);
        buffer.putInt((int)crc.getValue());
        return buffer.array();
    }

    /** Add this seal at the end of the seals file (not forced: a seal lost or torn is only a walk at open). */
    void append(final Path file)
    {
        try
        {
            Files.write(file, record(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the seal of cycle " + cycle + " in " + file, ex);
        }
    }

    /**
     * @return every seal in the file, in the order written, up to the first record that is torn, damaged or of
     *         another version (nothing after it is read); empty when there is no file.
     */
    static List<CycleSeal> readAll(final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
        catch (final IOException ex)
        {
            LOGGER.warn("cannot read the seals in {}: {}", file, ex.toString());
            return List.of();
        }
        final List<CycleSeal> seals = new ArrayList<>();
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        int at = 0;
        while (bytes.length - at >= FIXED_LENGTH_V1)
        {
            final int length = buffer.getInt(at);
            if (length < FIXED_LENGTH_V1 || length > bytes.length - at)
            {
                break;
            }
            crc.reset();
            crc.update(bytes, at, length - 4);
            final int version = buffer.getInt(at + 8);
            final int fixed = version == 1 ? FIXED_LENGTH_V1 : FIXED_LENGTH;
            final int count = buffer.getInt(at + 16);
            if (buffer.getInt(at + length - 4) != (int)crc.getValue() || buffer.getInt(at + 4) != MAGIC ||
                (version != 1 && version != FORMAT_VERSION) || count < 0 || count > MAX_EPOCH_STARTS ||
                length != fixed + count * Long.BYTES)
            {
                break;
            }
            final int positionsAt = at + fixed - 4;
            final long[] epochStarts = new long[count];
            for (int i = 0; i < count; i++)
            {
                epochStarts[i] = buffer.getLong(positionsAt + i * Long.BYTES);
            }
            seals.add(new CycleSeal(buffer.getInt(at + 12), buffer.getLong(at + 20), buffer.getLong(at + 28),
                buffer.getLong(at + 36), buffer.getLong(at + 44), buffer.getLong(at + 52),
                version == 1 ? 0 : buffer.getLong(at + 60), epochStarts));
            at += length;
        }
        return seals;
    }

    /**
     * Replace the seals file by these seals, durably: a temporary file, forced, renamed over it, the directory
     * forced. What a cut does before its intent, and what a test does to damage a seal.
     */
    static void writeAll(final Path file, final List<CycleSeal> seals)
    {
        try
        {
            final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (final CycleSeal seal : seals)
            {
                out.write(seal.record());
            }
            DurableFiles.writeAtomically(file, ByteBuffer.wrap(out.toByteArray()));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rewrite the seals in " + file, ex);
        }
    }

    /** @return whether the file holds bytes after the sound records {@link #readAll} returned (a torn record). */
    static boolean hasTornTail(final Path file, final List<CycleSeal> seals)
    {
        long length = 0;
        for (final CycleSeal seal : seals)
        {
            length += seal.recordLength();
        }
        try
        {
            return Files.exists(file) && Files.size(file) != length;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /** Remove the seals of {@code fromCycle} and every later cycle, durably (before anything changes those cycles). */
    static void deleteFrom(final Path file, final int fromCycle)
    {
        if (!Files.exists(file))
        {
            return;
        }
        final List<CycleSeal> kept = new ArrayList<>();
        for (final CycleSeal seal : readAll(file))
        {
            if (seal.cycle < fromCycle)
            {
                kept.add(seal);
            }
        }
        writeAll(file, kept);
    }
}
