package io.sequencer.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

        final FileNodeStore reopened = new FileNodeStore(file);

        assertTrue(reopened.initialized());
        assertEquals(42, reopened.currentEpoch());
        assertEquals(1234, reopened.guaranteed());
        assertTrue(reopened.amnesia());
        assertEquals(0x1122334455667788L, reopened.bootId());
        assertEquals(77, reopened.unrollIntent());

        reopened.unrollIntent(-1);
        reopened.amnesia(false);
        final FileNodeStore again = new FileNodeStore(file);
        assertEquals(-1, again.unrollIntent());
        assertFalse(again.amnesia());
        assertEquals(42, again.currentEpoch());
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
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putLong(bytes.length - 8, crc.getValue());
        Files.write(file, bytes);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> new FileNodeStore(file));
        assertTrue(ex.getMessage().contains("format version 9"), ex.getMessage());
    }
}
