package io.sequencer.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileNodeStoreTest
{
    @TempDir
    Path root;

    @Test
    void newStoreHasTheInMemoryStoresDefaults()
    {
        final FileNodeStore store = new FileNodeStore(root.resolve("node.state"));

        assertFalse(store.initialized());
        assertEquals(0, store.currentEpoch());
        assertEquals(0, store.guaranteed());
        assertFalse(store.amnesia());
        assertEquals(0, store.bootId());
        assertEquals(-1, store.unrollIntent());
        assertEquals(0, store.logId(), "no log recorded yet");
        assertEquals(0, store.highWater());
        assertFalse(Files.exists(root.resolve("node.state")), "reading writes nothing");
    }

    @Test
    void everyWriteSurvivesReopening()
    {
        final Path file = root.resolve("node.state");
        final FileNodeStore store = new FileNodeStore(file);
        store.initialize();
        store.currentEpoch(42);
        store.guaranteed(1234);
        store.amnesia(true);
        store.bootId(0x1122334455667788L);
        store.unrollIntent(77);
        store.logId(0x8877665544332211L);
        store.highWater(5000);

        final FileNodeStore reopened = new FileNodeStore(file);

        assertTrue(reopened.initialized());
        assertEquals(42, reopened.currentEpoch());
        assertEquals(1234, reopened.guaranteed());
        assertTrue(reopened.amnesia());
        assertEquals(0x1122334455667788L, reopened.bootId());
        assertEquals(77, reopened.unrollIntent());
        assertEquals(0x8877665544332211L, reopened.logId());
        assertEquals(5000, reopened.highWater());

        reopened.unrollIntent(-1);
        reopened.amnesia(false);
        reopened.highWater(4000);
        final FileNodeStore again = new FileNodeStore(file);
        assertEquals(-1, again.unrollIntent());
        assertFalse(again.amnesia());
        assertEquals(42, again.currentEpoch());
        assertEquals(4000, again.highWater(), "the high water is what was last recorded, even when lower");
        assertEquals(0x8877665544332211L, again.logId());
        assertFalse(Files.exists(root.resolve("node.state.tmp")), "no temporary file is left behind");
    }

    @Test
    void damagedFileReadsAsALostDisk() throws IOException
    {
        final Path file = root.resolve("node.state");
        final FileNodeStore store = new FileNodeStore(file);
        store.initialize();
        store.currentEpoch(9);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[20] ^= 0x10;
        bytes[FileNodeStore.COPY_STRIDE + 20] ^= 0x10;
        Files.write(file, bytes);

        final FileNodeStore reopened = new FileNodeStore(file);

        assertFalse(reopened.initialized(), "a store that cannot be trusted is not one a node ever ran on");
        assertEquals(0, reopened.currentEpoch());
    }

    @Test
    void eitherCopyDamagedLosesNothing() throws IOException
    {
        final Path file = root.resolve("node.state");
        final FileNodeStore store = new FileNodeStore(file);
        store.initialize();
        store.currentEpoch(9);
        store.highWater(700);
        final byte[] written = Files.readAllBytes(file);
        for (final int offset : new int[] { 0, FileNodeStore.COPY_STRIDE })
        {
            final byte[] bytes = written.clone();
            bytes[offset + 20] ^= 0x01; // one bit of the epoch (bytes 18..25 of a copy)
            Files.write(file, bytes);

            final FileNodeStore reopened = new FileNodeStore(file);

            assertTrue(reopened.initialized(), "copy at " + offset + " damaged");
            assertEquals(9, reopened.currentEpoch(), "copy at " + offset + " damaged");
            assertEquals(700, reopened.highWater(), "copy at " + offset + " damaged");
        }
    }

    @Test
    void aWriteCutShortLeavesTheOldStateOrTheNew() throws IOException
    {
        final Path file = root.resolve("node.state");
        final FileNodeStore store = new FileNodeStore(file);
        store.initialize();
        store.currentEpoch(9);
        final byte[] old = Files.readAllBytes(file);
        store.currentEpoch(10);
        final byte[] written = Files.readAllBytes(file);

        // the first copy new, the second still old: the crash came between them
        final byte[] between = old.clone();
        System.arraycopy(written, 0, between, 0, FileNodeStore.COPY_STRIDE);
        Files.write(file, between);
        assertEquals(10, new FileNodeStore(file).currentEpoch(), "the first copy is the newer one");

        // the first copy torn half-way: the second's old state
        final byte[] torn = old.clone();
        System.arraycopy(written, 0, torn, 0, 30);
        Files.write(file, torn);
        assertEquals(9, new FileNodeStore(file).currentEpoch(), "the setter never returned: the old state");

        // both copies are written before the one force: the second torn while the first got there
        final byte[] secondTorn = written.clone();
        final int tornFrom = FileNodeStore.COPY_STRIDE + 50; // its CRC still the old one's
        System.arraycopy(old, tornFrom, secondTorn, tornFrom, 24);
        Files.write(file, secondTorn);
        assertEquals(10, new FileNodeStore(file).currentEpoch(), "the setter never returned: the new state is right");

        // the write goes on from the state read
        final FileNodeStore reopened = new FileNodeStore(file);
        reopened.currentEpoch(11);
        assertEquals(11, new FileNodeStore(file).currentEpoch());
    }

    @Test
    void theGoodCopyWithTheHigherSequenceIsReadWhicheverItIs() throws IOException
    {
        final Path file = root.resolve("node.state");
        final FileNodeStore store = new FileNodeStore(file);
        store.initialize();
        store.currentEpoch(9);
        final byte[] old = Files.readAllBytes(file);
        store.currentEpoch(10);
        final byte[] written = Files.readAllBytes(file);

        // the second copy new and the first old (the first's write lost by the disk): the newer one is read
        final byte[] secondNewer = old.clone();
        System.arraycopy(written, FileNodeStore.COPY_STRIDE, secondNewer, FileNodeStore.COPY_STRIDE,
            FileNodeStore.COPY_STRIDE);
        Files.write(file, secondNewer);
        assertEquals(10, new FileNodeStore(file).currentEpoch());
    }

    @Test
    void aFileCutShortKeepsItsFirstCopy() throws IOException
    {
        final Path file = root.resolve("node.state");
        final FileNodeStore store = new FileNodeStore(file);
        store.initialize();
        store.currentEpoch(12);
        final byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, 512));

        final FileNodeStore reopened = new FileNodeStore(file);
        assertTrue(reopened.initialized(), "a file of this version cut short is not taken for an older one");
        assertEquals(12, reopened.currentEpoch());
    }

    @Test
    void theFirstWriteAfterAnOpenMakesBothCopiesWholeAgain() throws IOException
    {
        final Path file = root.resolve("node.state");
        final FileNodeStore store = new FileNodeStore(file);
        store.initialize();
        store.currentEpoch(9);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[FileNodeStore.COPY_STRIDE + 20] ^= 0x01; // the second copy damaged
        Files.write(file, bytes);

        final FileNodeStore reopened = new FileNodeStore(file);
        reopened.bootId(77); // what a member writes at start, before it sends anything
        final byte[] rewritten = Files.readAllBytes(file);
        for (int i = 0; i < FileNodeStore.COPY_STRIDE; i++)
        {
            assertEquals(rewritten[i], rewritten[FileNodeStore.COPY_STRIDE + i], "byte " + i + " of the copies");
        }
        final byte[] firstDamaged = rewritten.clone();
        firstDamaged[20] ^= 0x01;
        Files.write(file, firstDamaged);
        final FileNodeStore again = new FileNodeStore(file);
        assertEquals(9, again.currentEpoch(), "the second copy holds the state again");
        assertEquals(77, again.bootId());
    }

    @Test
    void otherFormatVersionIsRefused() throws IOException
    {
        final Path file = root.resolve("node.state");
        new FileNodeStore(file).initialize();
        final byte[] bytes = Files.readAllBytes(file);
        for (final int offset : new int[] { 0, FileNodeStore.COPY_STRIDE })
        {
            bytes[offset + 4] = 9;
            final byte[] copy = withCrc(java.util.Arrays.copyOfRange(bytes, offset, offset + 74));
            System.arraycopy(copy, 0, bytes, offset, copy.length);
        }
        Files.write(file, bytes);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> new FileNodeStore(file));
        assertTrue(ex.getMessage().contains("format version 9"), ex.getMessage());
    }

    @Test
    void fileOfTheFirstFormatIsRefusedByItsVersionNotTakenForDamage() throws IOException
    {
        // version 1: magic, version, initialized, amnesia, epoch, guaranteed, boot id, unroll intent, CRC (50 bytes)
        final Path file = root.resolve("node.state");
        final ByteBuffer v1 = ByteBuffer.allocate(50).order(ByteOrder.LITTLE_ENDIAN);
        v1.putInt(0x53455153).putInt(1).put((byte)1).put((byte)0).putLong(7).putLong(100).putLong(3).putLong(-1);
        Files.write(file, withCrc(v1.array()));

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> new FileNodeStore(file));
        assertTrue(ex.getMessage().contains("format version 1"), ex.getMessage());
        assertTrue(ex.getMessage().contains("versions 2 and " + FileNodeStore.FORMAT_VERSION + " only"),
            ex.getMessage());
    }

    @Test
    void fileOfTheSecondFormatIsReadAndReplacedAtTheFirstWrite() throws IOException
    {
        // version 2: magic, version, initialized, amnesia, epoch, guaranteed, boot id, unroll intent, log id, high
        // water, CRC (66 bytes)
        final Path file = root.resolve("node.state");
        final ByteBuffer v2 = ByteBuffer.allocate(66).order(ByteOrder.LITTLE_ENDIAN);
        v2.putInt(0x53455153).putInt(2).put((byte)1).put((byte)0).putLong(7).putLong(100).putLong(3).putLong(-1)
            .putLong(0x55L).putLong(120);
        Files.write(file, withCrc(v2.array()));

        final FileNodeStore store = new FileNodeStore(file);
        assertTrue(store.initialized());
        assertEquals(7, store.currentEpoch());
        assertEquals(100, store.guaranteed());
        assertEquals(0x55L, store.logId());
        assertEquals(120, store.highWater());

        store.currentEpoch(8);
        assertEquals(2 * FileNodeStore.COPY_STRIDE, Files.size(file), "now in this version's layout");
        final FileNodeStore reopened = new FileNodeStore(file);
        assertEquals(8, reopened.currentEpoch());
        assertEquals(120, reopened.highWater());
        assertEquals(0x55L, reopened.logId());
    }

    private static byte[] withCrc(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length - 8, crc.getValue());
        return bytes;
    }
}
