package io.sequencer.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hidden {@code cds-training} command in a child JVM, as the {@code sequencer} script runs it: it runs a member,
 * the tools and the demo, leaves nothing behind, and the archive the JVM writes at its exit maps in a later JVM and
 * holds the command line's classes. With a {@code -Dsequencer.*} setting, which would redirect its member, it refuses.
 */
class CdsTrainingCommandTest
{
    @TempDir
    Path dir;

    @Test
    void trainsAnArchiveThatALaterJvmMapsAndLeavesNothingBehind() throws Exception
    {
        final Path tmp = Files.createDirectories(dir.resolve("tmp"));
        final List<String> flags = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp);
        final ClassDataArchive archive = ClassDataArchive.train(dir.resolve("cds"), flags); // asserts exit 0, maps
        final String training = Files.readString(dir.resolve("cds").resolve("training.txt"));
        assertTrue(training.contains("cds-training: node, stat, errors, log and demo ran in "), training);
        try (Stream<Path> left = Files.list(tmp))
        {
            assertEquals(List.of(), left.toList(), "its temporary directories are deleted");
        }

        final List<String> command = ClassDataArchive.javaCommand(flags, archive.classPath());
        command.addAll(1, List.of("-XX:SharedArchiveFile=" + archive.archive(), "-Xlog:class+load=info"));
        command.add("--version");
        final String loaded = run(command, 0);
        assertTrue(loaded.contains(SequencerCli.class.getName() + " source: shared objects file"), loaded);
        // picocli's classes are of a class file version before Java 6, which only a static archive holds
        assertTrue(loaded.contains("picocli.CommandLine source: shared objects file"), loaded);
    }

    @Test
    void refusesWhenASequencerSystemPropertyWouldRedirectItsMember() throws Exception
    {
        final List<String> command = ClassDataArchive.javaCommand(
            List.of("-Dsequencer.data.dir=" + dir.resolve("operator")), System.getProperty("java.class.path"));
        command.add("cds-training");
        final String output = run(command, 1);
        assertTrue(output.contains("cds-training: refused: the system property sequencer.data.dir would override"),
            output);
        assertFalse(Files.exists(dir.resolve("operator")), "nothing created there");
    }

    private String run(final List<String> command, final int expectedExit) throws IOException, InterruptedException
    {
        final File output = dir.resolve("output.txt").toFile();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
        try
        {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "exited");
            final String text = Files.readString(output.toPath());
            assertEquals(expectedExit, process.exitValue(), text);
            return text;
        }
        finally
        {
            process.destroyForcibly();
        }
    }
}
