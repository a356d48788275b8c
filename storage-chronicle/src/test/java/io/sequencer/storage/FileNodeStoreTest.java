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
        bytes[12] ^= 0x10;
        Files.write(file, bytes);

        final FileNodeStore reopened = new FileNodeStore(file);

        assertFalse(reopened.initialized(), "a store that cannot be trusted is not one a node ever ran on");
        assertEquals(0, reopened.currentEpoch());
    }

    @Test
    void otherFormatVersionIsRefused() throws IOException
    {
        final Path file = root.resolve("node.state");
        new FileNodeStore(file).initialize();
        final byte[] bytes = Files.readAllBytes(file);
        bytes[4] = 9;
        Files.write(file, withCrc(bytes));

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
        assertTrue(ex.getMessage().contains("version " + FileNodeStore.FORMAT_VERSION + " only"), ex.getMessage());
    }

    private static byte[] withCrc(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length - 8, crc.getValue());
        return bytes;
    }
}
