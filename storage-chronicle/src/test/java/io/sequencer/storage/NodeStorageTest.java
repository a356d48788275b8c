package io.sequencer.storage;

import io.sequencer.core.EntryType;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeStorageTest
{
    @TempDir
    Path directory;

    @Test
    void laysOutTheNodeDirectoryAndReopensIt()
    {
        final UnsafeBuffer data = new UnsafeBuffer(new byte[16]);
        try (NodeStorage storage = NodeStorage.open(directory, new ChronicleLogContext().clusterId(5)))
        {
            storage.nodeStore().currentEpoch(4);
            storage.log().append(EntryType.EPOCH_START, 4, 0, 1, 0, 0, data, 0, 16);
            storage.checkpoints().save(1, storage.log().chkAt(1), data, 0, 16);
        }

        assertTrue(Files.isRegularFile(directory.resolve(NodeStorage.NODE_STATE_FILE)));
        assertTrue(Files.isRegularFile(
            directory.resolve(NodeStorage.LOG_DIRECTORY).resolve(ChronicleEventLog.HEADER_FILE)));
        assertTrue(Files.isDirectory(directory.resolve(NodeStorage.CHECKPOINT_DIRECTORY)));

        try (NodeStorage storage = NodeStorage.open(directory, new ChronicleLogContext().clusterId(5)))
        {
            assertEquals(4, storage.nodeStore().currentEpoch());
            assertEquals(1, storage.log().have());
            assertEquals(1, storage.log().lastEpochStartPosition());
            assertEquals(storage.log().chkAt(1), storage.checkpoints().chkAt(1));
            assertEquals(16, storage.checkpoints().read(1, new ExpandableArrayBuffer()));
        }
    }
}
