package io.sequencer.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WriteFailureMarkerTest
{
    private static final long MACHINE_BOOT_ID = 0x1234_5678_9abc_def0L;

    @TempDir
    Path temp;

    @Test
    void aRecordedFailureChangesTheLogsBootIdForTheRestOfTheBootAndEachFailureAgain() throws Exception
    {
        final Path markers = temp.resolve("markers");
        final Path log = Files.createDirectories(temp.resolve("member").resolve("log"));
        final Path other = Files.createDirectories(temp.resolve("other").resolve("log"));
        assertEquals(MACHINE_BOOT_ID, WriteFailureMarker.bootId(MACHINE_BOOT_ID, log, markers), "nothing recorded");

        final Path file = WriteFailureMarker.fileFor(log, markers);
        WriteFailureMarker.record(file, log, "Read-only file system");
        assertTrue(Files.readString(file).contains("Read-only file system"), Files.readString(file));
        final long afterFirst = WriteFailureMarker.bootId(MACHINE_BOOT_ID, log, markers);
        assertNotEquals(MACHINE_BOOT_ID, afterFirst, "a start in this boot finds another boot id");
        assertEquals(afterFirst, WriteFailureMarker.bootId(MACHINE_BOOT_ID, log, markers),
            "and the same one at every later start: once caught up, the member is intact again");
        assertEquals(afterFirst, WriteFailureMarker.bootId(MACHINE_BOOT_ID,
            temp.resolve("member").resolve(".").resolve("log"), markers), "whichever way the directory is named");
        assertEquals(MACHINE_BOOT_ID, WriteFailureMarker.bootId(MACHINE_BOOT_ID, other, markers),
            "another log's boot id is its machine's");

        WriteFailureMarker.record(file, log, "Input/output error");
        final long afterSecond = WriteFailureMarker.bootId(MACHINE_BOOT_ID, log, markers);
        assertNotEquals(afterFirst, afterSecond, "a second failure in the same boot changes it again");
        assertNotEquals(MACHINE_BOOT_ID, afterSecond);

        Files.writeString(file, "not a token\n");
        final long damaged = WriteFailureMarker.bootId(MACHINE_BOOT_ID, log, markers);
        assertNotEquals(MACHINE_BOOT_ID, damaged, "a damaged record still records a failure");
        assertEquals(damaged, WriteFailureMarker.bootId(MACHINE_BOOT_ID, log, markers));

        assertNotEquals(0, WriteFailureMarker.bootId(0, other, markers), "a machine without a boot id: never 0");
    }
}
