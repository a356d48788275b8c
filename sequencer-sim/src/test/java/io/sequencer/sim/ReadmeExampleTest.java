package io.sequencer.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Embedding" program is the one a newcomer copies first: it must compile against the modules as they
 * are and do what it says (one member, its own quorum, one transfer made durable).
 */
class ReadmeExampleTest
{
    @Test
    void theEmbeddingExampleCompilesAndRuns(@TempDir final Path dir) throws Exception
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final Matcher block = Pattern.compile("## Embedding.*?```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "the README has an Embedding section with a Java block");
        final String nodeDirectory = dir.resolve("example-node").toString().replace("\\", "\\\\");
        final String source = block.group(1).replace("\"example-node\"", "\"" + nodeDirectory + "\"");
        assertTrue(source.contains("public final class Example"), "the block is the Example program");

        final Path sourceFile = dir.resolve("Example.java");
        Files.writeString(sourceFile, source);
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int status = compiler.run(null, null, diagnostics, "-d", dir.toString(),
            "-classpath", System.getProperty("java.class.path"), sourceFile.toString());
        assertEquals(0, status, "javac: " + diagnostics.toString(StandardCharsets.UTF_8));

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream previous = System.out;
        try (URLClassLoader loader = new URLClassLoader(
            new URL[]{dir.toUri().toURL()}, ReadmeExampleTest.class.getClassLoader()))
        {
            final Method main = loader.loadClass("Example").getMethod("main", String[].class);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object)new String[0]);
        }
        finally
        {
            System.setOut(previous);
        }
        final String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.matches("(?s)durable at position [1-9][0-9]*\\R?"), "printed: " + printed);
        assertTrue(new File(nodeDirectory).isDirectory(), "the node's directory holds its counters and error log");
    }
}
