package io.sequencer.node;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test harness: the class-data sharing archive that the {@code sequencer} script gives an operator's {@code node}
 * processes, made the same way for the processes a test launches: the hidden {@code cds-training} command run once
 * under {@code -XX:DumpLoadedClassList}, {@code -Xshare:dump} of the classes it loaded, then
 * {@code -XX:SharedArchiveFile} on every launch. The JVM archives
 * classes from jars only (a directory on the class path makes the dump fail), so the test class path's directories
 * (the modules' {@code target/classes} and {@code target/test-classes}) are first packed into jars beside the archive;
 * the nodes then run on that class path, the same classes.
 *
 * @param classPath   the class path of the training run, which every launch that uses the archive must have.
 * @param archive     the archive.
 * @param trainingNs  how long the training run took, the dump at its exit included.
 */
record ClassDataArchive(String classPath, Path archive, long trainingNs)
{
    /** The training run, its dump and the check that a JVM maps the archive take well under this. */
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(180);

    /**
     * Pack this JVM's class path into jars in {@code dir} and train an archive there with the node processes' JVM
     * flags {@code jvmFlags} (the same as they run with: some, such as the collector, must match).
     */
    static ClassDataArchive train(final Path dir, final List<String> jvmFlags) throws IOException, InterruptedException
    {
        Files.createDirectories(dir);
        final List<String> entries = new ArrayList<>();
        int packed = 0;
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final Path path = Path.of(entry);
            if (Files.isDirectory(path))
            {
                final Path jar = dir.resolve("classpath-" + packed++ + ".jar");
                packDirectory(path, jar);
                entries.add(jar.toString());
            }
            else if (Files.isRegularFile(path))
            {
                entries.add(entry);
            }
        }
        final String classPath = String.join(File.pathSeparator, entries);
        final Path archive = dir.resolve("nodes.jsa");
        final Path output = dir.resolve("training.txt");
        final long startNs = System.nanoTime();
        final List<String> training = javaCommand(jvmFlags, classPath);
        final Path classList = dir.resolve("classes.lst");
        training.add(1, "-XX:DumpLoadedClassList=" + classList);
        training.add("cds-training");
        assertEquals(0, run(training, output), () -> "cds-training failed: " + read(output));
        final List<String> dump = javaCommand(jvmFlags, classPath, null);
        dump.addAll(1, List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" +
            archive));
        final Path dumped = dir.resolve("dump.txt");
        assertEquals(0, run(dump, dumped), () -> "the dump failed: " + read(dumped));
        final long trainingNs = System.nanoTime() - startNs;
        // The archive must map (the script checks the same): -Xshare:on makes a JVM that cannot use it fail.
        final List<String> check = javaCommand(jvmFlags, classPath);
        check.addAll(1, List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive));
        check.add("--version");
        final Path checked = dir.resolve("check.txt");
        assertEquals(0, run(check, checked), () -> "the archive does not map: " + read(checked));
        return new ClassDataArchive(classPath, archive, trainingNs);
    }

    /** {@link #javaCommand(List, String, String)} of the command line, {@link SequencerCli}. */
    static List<String> javaCommand(final List<String> jvmFlags, final String classPath)
    {
        return javaCommand(jvmFlags, classPath, SequencerCli.class.getName());
    }

    /**
     * {@code java <the parent POM's flags> <jvmFlags> -Xmx256m -cp classPath mainClass}, without {@code -Xmx256m}
     * when {@code jvmFlags} size the heap themselves, and without a main class when {@code mainClass} is null.
     */
    static List<String> javaCommand(final List<String> jvmFlags, final String classPath, final String mainClass)
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        for (final String flag : System.getProperty("sequencer.jvm.flags", "").trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                command.add(flag);
            }
        }
        command.addAll(jvmFlags);
        if (jvmFlags.stream().noneMatch(flag -> flag.startsWith("-Xmx")))
        {
            command.add("-Xmx256m");
        }
        command.addAll(List.of("-cp", classPath));
        if (mainClass != null)
        {
            command.add(mainClass);
        }
        return command;
    }

    private static int run(final List<String> command, final Path output) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        try
        {
            assertTrue(process.waitFor(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NS), TimeUnit.MILLISECONDS),
                () -> String.join(" ", command) + " still running after " +
                    TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NS) + " s");
            return process.exitValue();
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static void packDirectory(final Path directory, final Path jar) throws IOException
    {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
            Stream<Path> files = Files.walk(directory))
        {
            for (final Path file : (Iterable<Path>)files.filter(Files::isRegularFile).sorted()::iterator)
            {
                out.putNextEntry(new JarEntry(directory.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, (OutputStream)out);
                out.closeEntry();
            }
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "(no output: " + ex + ")";
        }
    }
}
