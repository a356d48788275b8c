package io.sequencer.storage;

import io.sequencer.core.Checksum;
import io.sequencer.core.EntryType;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static io.sequencer.storage.ChronicleEventLog.CHK_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.COUNTER_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.CRC_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.ENTRY_HEADER_LENGTH;
import static io.sequencer.storage.ChronicleEventLog.EPOCH_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.INCARNATION_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.LOCAL_SEQ_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.ORIGIN_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.PAYLOAD_LENGTH_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.POSITION_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.PREVIOUS_CHK_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.TIMESTAMP_OFFSET;
import static io.sequencer.storage.ChronicleEventLog.TYPE_OFFSET;

/**
 * What an open finds in a log's cycle files, read raw from the files before Chronicle maps any of them: the
 * verified checksum chain, and the evidence of entries written after its end.
 * <p>
 * <b>Why not Chronicle's reader.</b> Chronicle stops at the first document header it cannot take for a complete one
 * (a zero, an incomplete or a damaged header) and reports the end of the queue there, whatever follows; a tailer
 * reaching a cycle file whose header is damaged waits for it and then throws or skips; and mapping a truncated file
 * extends it with zeros, erasing the evidence that it was cut. Counting what Chronicle read after the break, as the
 * first version did, took damage in the middle of a file for a torn last write.
 * <p>
 * <b>Chronicle's framing</b> (Chronicle Wire, binary, padded): a cycle file is a sequence of documents, each a
 * 4-byte header word (bit 31 not complete, bit 30 metadata, bits 0-29 the length) then its content, each header
 * aligned to 4 bytes; the first document is the store header (metadata), then Chronicle's index arrays (metadata)
 * interleaved with the data documents, which are this log's entries, one each, in position order. A header word of
 * zero ends the written part (Chronicle writes the word last, after the content, and clears the 8 bytes after every
 * document it completes), {@code 0xC0000000} is the end-of-file marker written when the log rolls to the next cycle.
 * <p>
 * <b>The walk.</b> Cycle files in cycle order, each framed from its start: metadata skipped, every data document
 * checked as an entry (length, CRC32C, stored position, chain onto its predecessor, chain hash). The chain ends at
 * the first entry that fails, the first header that is not a complete document, or the end of a cycle with fewer
 * than {@code K} entries. From there on nothing is trusted and everything is evidence:
 * <ul>
 *   <li>complete data documents framed on after the break: each is one entry written (its position from its place
 *       in the cycle and, if it verifies, from the entry itself);</li>
 *   <li>Chronicle's own record in each cycle file's store header (the byte offset of its last completed document and
 *       that document's sequence, updated after each append): entries up to that sequence were written;</li>
 *   <li>intact entries found anywhere beyond the break by a byte scan (a plausible header word followed by an entry
 *       whose CRC32C and stored position verify), in the break's file and every later one;</li>
 *   <li>bytes that no crash leaves: any non-zero byte more than one largest entry (plus alignment) past the last
 *       document framed, a complete document running past the end of its file or a store header recording one
 *       there (the file was cut), a file too short for a header word, a data document of a length no entry has, a
 *       data document after the last entry of a full cycle, an intact entry at or below the verified end.</li>
 * </ul>
 * The highest position written, less the verified end, is how many entries are lost. A process killed inside an
 * append leaves at most one entry unfinished at the very end (its header word still zero, some of its bytes
 * written): that and nothing else is a torn last write.
 * <p>
 * An open usually seeds the walk from the seals of the full cycles before the newest ({@link #seed}, {@link CycleSeal})
 * and gives it only the cycle files after them; {@code log verify} gives it all.
 * <p>
 * Cost: one sequential read of every cycle file walked up to its end of data (the entries were read once anyway, to
 * verify the chain) and, for the file holding the end of the chain and any later one, of the whole file, zeros
 * included, to find what lies past the end. Measured on the 2-core development machine: a log of 1,000,000 entries of
 * 136 bytes (16 cycle files) in 0.2 to 0.6 s, where walking it with Chronicle's tailer as before took 0.3 to 1.3 s; a
 * log of one entry in about 28 ms instead of 8, the read of the one cycle file Chronicle sizes to 80 MiB (sparse,
 * zeros past the data), about 3 GB/s.
 * <p>
 * Allocates freely: it runs once per open.
 */
final class LogScan
{
    static final int NOT_COMPLETE = 0x8000_0000;
    static final int META_DATA = 0x4000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;
    static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    private static final int HEADER_LENGTH = 4;
    /** Chronicle refuses a store header longer than this; it is written before anything else in a cycle file. */
    private static final int MAX_STORE_HEADER_LENGTH = 64 << 10;
    /**
     * What a crash while Chronicle creates a cycle file may leave before its store header is complete: the header
     * (under 64 KiB) and the index arrays created with it (32 KiB each for this roll cycle's 4096-slot arrays).
     */
    private static final long FILE_START_SLACK = 128 << 10;
    private static final byte[] WRITE_POSITION_FIELD = "writePosition".getBytes(StandardCharsets.US_ASCII);
    private static final int I64_ARRAY = 0x8D;
    /** The end-of-file marker's header word and the field Chronicle writes after it ("EOF"), padded. */
    private static final int END_OF_FILE_MARKER_LENGTH = 8;
    private static final int WINDOW_LENGTH = 1 << 20;

    /** How one document header reads. */
    private enum Frame
    {
        DATA, METADATA, ZERO, END_OF_FILE_MARKER, INCOMPLETE, PAST_END_OF_FILE, END_OF_FILE, IMPOSSIBLE
    }

    private final Path queueDirectory;
    private final int cycleShift;
    private final int maxEntryLength;
    /** The most a torn last write leaves past the end of the last complete document: one largest entry, aligned. */
    private final long tornSlack;
    private final ByteBuffer window;
    private final UnsafeBuffer view;
    private final CRC32C crc = new CRC32C();
    private FileChannel channel;
    private String fileName;
    private long fileSize;
    private long windowStart;
    private int windowLength;
    /** Set by {@link #frame}: the header word and length of the document it classified. */
    private int frameLength;

    // the verified chain
    long good;
    long lastChk = Checksum.EMPTY;
    long[] epochStarts = new long[16];
    int epochStartCount;
    /** The cycle whose file holds the break: the first thing after the verified chain. */
    int breakCycle = Integer.MIN_VALUE;
    /** Why the chain ends where it does; null when it ends with the last cycle file, full. */
    String breakReason;

    // the evidence
    /** The highest position evidenced as written; at least {@link #good}. */
    long writtenUpTo;
    private String writtenEvidence;
    /** Set when bytes were found that neither an append, a crash inside one, nor Chronicle leaves. */
    String damagedBytes;
    /** Cycle files above the break's that hold nothing: harmless, removed by the next cut. */
    boolean strayFiles;
    /** Where the bytes of an unfinished last write (a torn append: no complete document) begin; -1 when none. */
    long unfinishedAt = -1;
    String unfinishedFile;

    LogScan(final Path queueDirectory, final int entriesPerCycle, final int maxPayloadLength)
    {
        this.queueDirectory = queueDirectory;
        this.cycleShift = Integer.numberOfTrailingZeros(entriesPerCycle);
        this.maxEntryLength = ENTRY_HEADER_LENGTH + maxPayloadLength;
        this.tornSlack = HEADER_LENGTH + align(maxEntryLength) + 8;
        this.window = ByteBuffer.allocateDirect(Math.max(WINDOW_LENGTH, (int)align(maxEntryLength) + 64))
            .order(ByteOrder.nativeOrder());
        this.view = new UnsafeBuffer(window);
    }

    /** Start the chain at the log's base (§13): the cycle files begin right above it. */
    void seedBase(final long base, final long baseChk)
    {
        good = base;
        lastChk = baseChk;
    }

    /**
     * Start the chain where the seals of the first cycles end, trusted instead of walked ({@link CycleSeal}); then
     * {@link #run} the cycles after them.
     */
    void seed(final CycleSeal[] seals)
    {
        for (final CycleSeal seal : seals)
        {
            for (final long position : seal.epochStarts)
            {
                addEpochStart(position);
            }
        }
        final CycleSeal last = seals[seals.length - 1];
        good = last.lastPosition;
        lastChk = last.lastChk;
    }

    /**
     * The full cycles this walk verified, in order, as seals would describe them (log id left 0 for the caller):
     * what a writing open seals again when their seals were missing ({@link CycleSeal}).
     */
    final java.util.List<CycleSeal> walkedFullCycles = new java.util.ArrayList<>();
    private long cycleStartChk;
    private int cycleStartEpochStarts;

    private boolean walkedFull(final int cycle, final long dataEnd)
    {
        walkedFullCycles.add(new CycleSeal(cycle, 0, cycleStartChk, good, lastChk, dataEnd, 0,
            Arrays.copyOfRange(epochStarts, cycleStartEpochStarts, epochStartCount)));
        return true;
    }

    /** @return the positions lost: written after the verified end, as far as the evidence shows. */
    long lost()
    {
        return writtenUpTo - good;
    }

    /** @return true when more than one torn last write is gone, or bytes were damaged. */
    boolean damaged()
    {
        return damagedBytes != null || lost() > 1;
    }

    /** @return the evidence for {@link #writtenUpTo}, or null when nothing after the verified end was written. */
    String writtenEvidence()
    {
        return writtenEvidence;
    }

    /**
     * Walk every cycle file; {@code cycles} are the cycles present, ascending.
     */
    void run(final int[] cycles)
    {
        try
        {
            boolean chainOpen = true;
            for (final int cycle : cycles)
            {
                openFile(cycle);
                try
                {
                    if (chainOpen)
                    {
                        final int expected = cycleOf(good + 1);
                        if (cycle > expected)
                        {
                            chainOpen = false;
                            breakAt(expected, "cycle file " + ChronicleEventLog.cycleFileName(expected) +
                                " is missing");
                            scanFile(cycle);
                        }
                        else
                        {
                            chainOpen = verifyFile(cycle);
                        }
                    }
                    else
                    {
                        scanFile(cycle);
                    }
                }
                finally
                {
                    closeFile();
                }
            }
        }
        finally
        {
            BufferUtil.free(window);
        }
        writtenUpTo = Math.max(writtenUpTo, good);
    }

    /**
     * Verify the entries of one cycle file, continuing the chain.
     *
     * @return true when the cycle is full and the chain goes on into the next cycle.
     */
    private boolean verifyFile(final int cycle)
    {
        final long base = positionBase(cycle);
        cycleStartChk = lastChk;
        cycleStartEpochStarts = epochStartCount;
        if (fileSize == 0)
        {
            // Chronicle creates the file, then sizes and maps it: a crash in between leaves it empty
            breakAt(cycle, "cycle file " + fileName + " is empty");
            strayFiles = true;
            return false;
        }
        long pos = 0;
        Frame frame = frame(pos);
        if (frame == Frame.END_OF_FILE)
        {
            // Chronicle sizes a new file (to a whole mapped block) before it writes a byte of it
            breakAt(cycle, "cycle file " + fileName + " has " + fileSize + " bytes, no room for a header");
            damaged("cycle file " + fileName + " was cut to " + fileSize + " bytes");
            return false;
        }
        if (frame != Frame.METADATA)
        {
            // written first, completed before any index or entry: not complete, nothing else was written
            breakAt(cycle, "the store header of cycle file " + fileName + " is not complete (" +
                describe(frame, pos) + ")");
            scanFrom(base, 0, -1);
            return false;
        }
        claimFromStoreHeader(cycle, base);
        pos = align(pos + HEADER_LENGTH + frameLength);
        final long full = base + (1L << cycleShift);
        while (true)
        {
            frame = frame(pos);
            switch (frame)
            {
                case METADATA:
                    pos = align(pos + HEADER_LENGTH + frameLength);
                    break;

                case DATA:
                {
                    if (good == full)
                    {
                        breakAt(cycle, "cycle file " + fileName + " holds more than " + (1L << cycleShift) +
                            " entries");
                        damaged("a document after the last entry of a full cycle in " + fileName + " at byte " + pos);
                        scanFrom(base, pos, (int)(good - base));
                        return false;
                    }
                    final String failure = checkEntry(pos + HEADER_LENGTH, frameLength, good + 1, lastChk);
                    if (failure != null)
                    {
                        breakAt(cycle, "entry " + (good + 1) + " " + failure + " (byte " + pos + " of cycle file " +
                            fileName + ")");
                        scanFrom(base, pos, (int)(good - base));
                        return false;
                    }
                    good++;
                    lastChk = longAt(pos + HEADER_LENGTH + CHK_OFFSET);
                    if (intAt(pos + HEADER_LENGTH + TYPE_OFFSET) == EntryType.EPOCH_START)
                    {
                        addEpochStart(good);
                    }
                    pos = align(pos + HEADER_LENGTH + frameLength);
                    break;
                }

                case ZERO:
                case END_OF_FILE_MARKER:
                    if (good == full)
                    {
                        return walkedFull(cycle, pos);
                    }
                    breakAt(cycle, (frame == Frame.ZERO ? "no document" : "the end-of-file marker") +
                        " at byte " + pos + " of cycle file " + fileName + ", after " + (good - base) + " of its " +
                        (1L << cycleShift) + " entries");
                    scanFrom(base, pos, (int)(good - base));
                    return false;

                case END_OF_FILE:
                    if (good == full)
                    {
                        return walkedFull(cycle, pos); // every entry is here; what is missing after held none
                    }
                    breakAt(cycle, "cycle file " + fileName + " ends at byte " + fileSize +
                        ", inside its written part");
                    damaged("cycle file " + fileName + " was cut: it ends at byte " + fileSize +
                        ", where Chronicle always leaves room after the last document");
                    return false;

                default:
                    if (good == full)
                    {
                        return walkedFull(cycle, pos); // damage past a full cycle's last entry holds none of ours
                    }
                    breakAt(cycle, "entry " + (good + 1) + ": " + describe(frame, pos) + " of cycle file " + fileName);
                    scanFrom(base, pos, (int)(good - base));
                    return false;
            }
        }
    }

    /** Everything in a cycle file after the one holding the break, from its start. */
    private void scanFile(final int cycle)
    {
        final long base = positionBase(cycle);
        if (fileSize == 0)
        {
            strayFiles = true;
            return;
        }
        if (fileSize < HEADER_LENGTH)
        {
            damaged("cycle file " + fileName + " was cut to " + fileSize + " bytes");
            return;
        }
        claimFromStoreHeader(cycle, base);
        final long before = writtenUpTo;
        final String damageBefore = damagedBytes;
        scanFrom(base, 0, 0);
        if (writtenUpTo == before && damagedBytes == damageBefore)
        {
            strayFiles = true;
        }
    }

    /**
     * Frame on from {@code from} (documents complete and contiguous with the ones before: their place in the cycle
     * is known when {@code ordinal} is), then scan the rest of the file byte by byte.
     *
     * @param ordinal the sequence in the cycle of the first data document at {@code from}; -1 when unknown.
     */
    private void scanFrom(final long base, final long from, final int ordinal)
    {
        long pos = framed(base, from, ordinal);
        // past the last complete document a torn write leaves at most one entry's bytes; a file torn while its store
        // header was written (which comes before any index or entry) leaves at most that header and the index
        // arrays Chronicle creates with it
        long explainedUntil = pos + (pos == 0 ? Math.max(FILE_START_SLACK, tornSlack) : tornSlack);
        // the end-of-file marker is its header word and a short text: part of what Chronicle writes, not a torn write
        long at = frame(pos) == Frame.END_OF_FILE_MARKER ? pos + END_OF_FILE_MARKER_LENGTH : pos;
        while (true)
        {
            final long nonZero = nextNonZero(at);
            if (nonZero < 0)
            {
                return;
            }
            final long word = nonZero & ~3L;
            final long found = intactEntryAt(word);
            if (found > 0)
            {
                evidence(found, "an intact entry " + found + " at byte " + word + " of " + fileName);
                if (found <= good)
                {
                    damaged("an intact entry " + found + " at byte " + word + " of " + fileName +
                        ", beyond the end of the verified chain at entry " + good);
                }
                pos = framed(base, word, -1);
                explainedUntil = Math.max(explainedUntil, pos + tornSlack);
                at = pos;
                continue;
            }
            if (word < explainedUntil)
            {
                if (unfinishedAt < 0)
                {
                    unfinishedAt = word;
                    unfinishedFile = fileName;
                }
            }
            else
            {
                damaged("bytes at " + word + " of " + fileName + ", " + (word - pos) + " past the last complete " +
                    "document: more than a torn write leaves");
                explainedUntil = Long.MAX_VALUE; // reported once; the scan goes on for intact entries
            }
            at = word + 4;
        }
    }

    /**
     * Frame complete documents from {@code from} as long as they follow each other; each data document is evidence.
     *
     * @return where framing stopped.
     */
    private long framed(final long base, final long from, final int ordinal)
    {
        long pos = from;
        int sequence = ordinal;
        while (true)
        {
            final Frame frame = frame(pos);
            if (frame == Frame.METADATA)
            {
                pos = align(pos + HEADER_LENGTH + frameLength);
                continue;
            }
            if (frame != Frame.DATA)
            {
                if (frame == Frame.PAST_END_OF_FILE)
                {
                    damaged("the document header at byte " + pos + " of " + fileName + " claims " + frameLength +
                        " bytes, past the end of the file at byte " + fileSize + ": the file was cut, or the header " +
                        "damaged");
                }
                else if (frame == Frame.IMPOSSIBLE)
                {
                    damaged("a document header Chronicle would not write at byte " + pos + " of " + fileName +
                        " (" + describe(frame, pos) + ")");
                }
                return pos;
            }
            final long stored = intactEntry(pos + HEADER_LENGTH, frameLength);
            if (sequence >= 0)
            {
                // a document Chronicle completed holds one entry, whether or not its bytes still verify
                evidence(base + sequence + 1, "a complete document at byte " + pos + " of " + fileName +
                    " (entry " + (base + sequence + 1) + (stored > 0 ? ")" : ", which does not verify)"));
                sequence++;
            }
            if (stored > 0)
            {
                evidence(stored, "an intact entry " + stored + " at byte " + pos + " of " + fileName);
            }
            pos = align(pos + HEADER_LENGTH + frameLength);
            if (pos >= fileSize)
            {
                return pos;
            }
        }
    }

    /**
     * Chronicle's record in the store header: the offset of the last data document it completed, and that
     * document's sequence encoded beside it (the upper half repeats the offset, so a stale or torn pair is told
     * apart). Read from the raw bytes so that a damaged header cannot stall or throw; a layout this code does not
     * recognise yields no claim.
     */
    private void claimFromStoreHeader(final int cycle, final long base)
    {
        final long[] claim = storeHeaderClaim();
        if (claim != null)
        {
            evidence(base + claim[1] + 1, "Chronicle's store header of " + fileName + " records entry " +
                (base + claim[1] + 1) + " as its last, at byte " + claim[0]);
            if (claim[0] >= fileSize)
            {
                damaged("Chronicle's store header of " + fileName + " records a document at byte " + claim[0] +
                    ", past the end of the file at byte " + fileSize + ": the file was cut");
            }
        }
    }

    /** @return {writePosition, last sequence} of the current file's store header, or null when unreadable or none. */
    private long[] storeHeaderClaim()
    {
        if (frame(0) != Frame.METADATA || frameLength > MAX_STORE_HEADER_LENGTH ||
            !load(0, HEADER_LENGTH + frameLength))
        {
            return null;
        }
        final int end = HEADER_LENGTH + frameLength;
        int field = -1;
        for (int i = HEADER_LENGTH; i + WRITE_POSITION_FIELD.length <= end && field < 0; i++)
        {
            int j = 0;
            while (j < WRITE_POSITION_FIELD.length && window.get(i + j) == WRITE_POSITION_FIELD[j])
            {
                j++;
            }
            if (j == WRITE_POSITION_FIELD.length)
            {
                field = i + j;
            }
        }
        if (field < 0)
        {
            return null;
        }
        for (int i = field; i < field + 16 && i + 33 <= end; i++)
        {
            // padding, then an array of two 64-bit values: capacity 2, used 2, the position, the encoded sequence
            if ((window.get(i) & 0xFF) == I64_ARRAY && window.getLong(i + 1) == 2 && window.getLong(i + 9) == 2)
            {
                final long writePosition = window.getLong(i + 17);
                final long encoded = window.getLong(i + 25);
                if (writePosition <= 0 || encoded == 0 || (encoded >>> 32) != (writePosition & 0xFFFF_FFFFL))
                {
                    return null;
                }
                return new long[]{writePosition, encoded & 0xFFFF_FFFFL};
            }
        }
        return null;
    }

    private Frame frame(final long pos)
    {
        frameLength = 0;
        if (!load(pos, HEADER_LENGTH))
        {
            return Frame.END_OF_FILE;
        }
        final int header = intAt(pos);
        if (header == 0)
        {
            return Frame.ZERO;
        }
        if (header == END_OF_DATA)
        {
            return Frame.END_OF_FILE_MARKER;
        }
        if ((header & NOT_COMPLETE) != 0)
        {
            return Frame.INCOMPLETE;
        }
        frameLength = header & LENGTH_MASK;
        if (pos + HEADER_LENGTH + frameLength > fileSize)
        {
            return Frame.PAST_END_OF_FILE;
        }
        if ((header & META_DATA) != 0)
        {
            return Frame.METADATA;
        }
        // this log writes nothing else: one entry per data document
        return frameLength < ENTRY_HEADER_LENGTH || frameLength > maxEntryLength ? Frame.IMPOSSIBLE : Frame.DATA;
    }

    private String describe(final Frame frame, final long pos)
    {
        switch (frame)
        {
            case ZERO:
                return "no document at byte " + pos;
            case END_OF_FILE_MARKER:
                return "the end-of-file marker at byte " + pos;
            case INCOMPLETE:
                return "an incomplete document header " + Integer.toHexString(intAt(pos)) + " at byte " + pos;
            case PAST_END_OF_FILE:
                return "a document header at byte " + pos + " that claims more bytes than the file has";
            case END_OF_FILE:
                return "the end of the file at byte " + fileSize;
            case IMPOSSIBLE:
                return "a data document of " + frameLength + " bytes at byte " + pos + ", no entry's length";
            default:
                return frame + " at byte " + pos;
        }
    }

    /**
     * Check a data document as the entry at {@code position}, chained onto {@code previousChk}.
     *
     * @return null when sound, else what is wrong.
     */
    private String checkEntry(final long offset, final int length, final long position, final long previousChk)
    {
        if (!load(offset, length))
        {
            return "cannot be read";
        }
        final int start = (int)(offset - windowStart);
        if (crcOf(start, length) != view.getInt(start + CRC_OFFSET))
        {
            return "fails its CRC32C";
        }
        final int payloadLength = view.getInt(start + PAYLOAD_LENGTH_OFFSET);
        if (payloadLength != length - ENTRY_HEADER_LENGTH)
        {
            return "has a payload length of " + payloadLength + " in an entry of " + length + " bytes";
        }
        final long stored = view.getLong(start + POSITION_OFFSET);
        if (stored != position)
        {
            return "is where entry " + stored + " is stored";
        }
        if (view.getLong(start + PREVIOUS_CHK_OFFSET) != previousChk)
        {
            return "does not chain onto its predecessor";
        }
        if (Checksum.chain(
            previousChk,
            view.getInt(start + TYPE_OFFSET),
            view.getLong(start + EPOCH_OFFSET),
            view.getLong(start + COUNTER_OFFSET),
            view.getInt(start + ORIGIN_OFFSET),
            view.getLong(start + INCARNATION_OFFSET),
            view.getLong(start + LOCAL_SEQ_OFFSET),
            view.getLong(start + TIMESTAMP_OFFSET),
            view, start + ENTRY_HEADER_LENGTH, payloadLength) != view.getLong(start + CHK_OFFSET))
        {
            return "fails its checksum";
        }
        return null;
    }

    /** @return the position an intact entry of {@code length} bytes at {@code offset} stores, or 0 when not intact. */
    private long intactEntry(final long offset, final int length)
    {
        if (length < ENTRY_HEADER_LENGTH || length > maxEntryLength || !load(offset, length))
        {
            return 0;
        }
        final int start = (int)(offset - windowStart);
        if (view.getInt(start + PAYLOAD_LENGTH_OFFSET) != length - ENTRY_HEADER_LENGTH ||
            crcOf(start, length) != view.getInt(start + CRC_OFFSET))
        {
            return 0;
        }
        final long stored = view.getLong(start + POSITION_OFFSET);
        return Math.max(stored, 0);
    }

    /** @return the position stored by an intact entry whose complete document header is at {@code pos}, else 0. */
    private long intactEntryAt(final long pos)
    {
        if (!load(pos, HEADER_LENGTH))
        {
            return 0;
        }
        final int header = intAt(pos);
        if ((header & (NOT_COMPLETE | META_DATA)) != 0)
        {
            return 0;
        }
        final int length = header & LENGTH_MASK;
        if (pos + HEADER_LENGTH + length > fileSize)
        {
            return 0;
        }
        return intactEntry(pos + HEADER_LENGTH, length);
    }

    private int crcOf(final int start, final int length)
    {
        window.limit(start + length).position(start + TYPE_OFFSET);
        crc.reset();
        crc.update(window); // a direct buffer: the intrinsic, no copy
        window.clear();
        return (int)crc.getValue();
    }

    /** @return the offset of the first non-zero byte at or after {@code from}, or -1 when there is none. */
    private long nextNonZero(final long from)
    {
        long at = from;
        while (at < fileSize)
        {
            if (!load(at, 1))
            {
                return -1;
            }
            int i = (int)(at - windowStart);
            final int end = windowLength;
            while (i < end && (i & 7) != 0)
            {
                if (window.get(i) != 0)
                {
                    return windowStart + i;
                }
                i++;
            }
            while (i + 8 <= end && window.getLong(i) == 0)
            {
                i += 8;
            }
            while (i < end)
            {
                if (window.get(i) != 0)
                {
                    return windowStart + i;
                }
                i++;
            }
            at = windowStart + end;
        }
        return -1;
    }

    /** Make the file's bytes {@code [offset, offset + length)} readable in the window. @return false past the end. */
    private boolean load(final long offset, final int length)
    {
        if (offset < 0 || offset + length > fileSize)
        {
            return false;
        }
        if (offset >= windowStart && offset + length <= windowStart + windowLength)
        {
            return true;
        }
        window.clear();
        window.limit((int)Math.min(window.capacity(), fileSize - offset));
        try
        {
            while (window.hasRemaining())
            {
                if (channel.read(window, offset + window.position()) < 0)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + queueDirectory.resolve(fileName), ex);
        }
        windowStart = offset;
        windowLength = window.position();
        window.clear();
        return windowLength >= length;
    }

    private int intAt(final long offset)
    {
        return window.getInt((int)(offset - windowStart));
    }

    private long longAt(final long offset)
    {
        return window.getLong((int)(offset - windowStart));
    }

    private void openFile(final int cycle)
    {
        fileName = ChronicleEventLog.cycleFileName(cycle);
        try
        {
            channel = FileChannel.open(queueDirectory.resolve(fileName), StandardOpenOption.READ);
            fileSize = channel.size();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + queueDirectory.resolve(fileName), ex);
        }
        windowStart = 0;
        windowLength = 0;
    }

    private void closeFile()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot close " + queueDirectory.resolve(fileName), ex);
        }
        channel = null;
    }

    private void breakAt(final int cycle, final String reason)
    {
        breakCycle = cycle;
        breakReason = reason;
    }

    private void evidence(final long position, final String what)
    {
        if (position > writtenUpTo && position > good)
        {
            writtenUpTo = position;
            writtenEvidence = what;
        }
    }

    private void damaged(final String what)
    {
        if (damagedBytes == null)
        {
            damagedBytes = what;
        }
    }

    private void addEpochStart(final long position)
    {
        if (epochStartCount == epochStarts.length)
        {
            epochStarts = Arrays.copyOf(epochStarts, epochStarts.length * 2);
        }
        epochStarts[epochStartCount++] = position;
    }

    private long positionBase(final int cycle)
    {
        return (long)(cycle - ChronicleEventLog.FIRST_CYCLE) << cycleShift;
    }

    private int cycleOf(final long position)
    {
        return (int)(ChronicleEventLog.FIRST_CYCLE + ((position - 1) >>> cycleShift));
    }

    /** Chronicle aligns every document header to 4 bytes. */
    private static long align(final long value)
    {
        return (value + 3) & ~3L;
    }
}
