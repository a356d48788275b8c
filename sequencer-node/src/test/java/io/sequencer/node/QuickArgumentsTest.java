package io.sequencer.node;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickArgumentsTest
{
    /** Arguments a process launcher or an operator gives {@code node}: each read as picocli reads it. */
    private static final List<String[]> READ = List.of(
        new String[] { "node", "--config", "c.properties", "--id", "2" },
        new String[] { "node", "--config=c.properties", "--id=0", "--bootstrap" },
        new String[] { "node", "--id", "1", "--config", "dir/c.properties", "--load", "200", "--load-for", "30",
            "--ack-log", "/tmp/ack.log", "--load-pause-file", "pause" },
        new String[] { "node", "--config", "c", "--id", "0", "--set", "failure.timeout.ms=100", "--set",
            "idle.strategy=sleeping", "--set", "x==y" },
        new String[] { "node", "--config", "c", "--id", "0", "--state-machine", "com.example.Book", "--classpath",
            "a.jar:b.jar" },
        new String[] { "node", "--config", "c", "--id", "0", "--set", "member.0.endpoint=127.0.0.1:-1" },
        new String[] { "node", "--config", "c", "--id", "010", "--load", "0200" });

    /** Arguments picocli alone handles: help, version, usage errors, and what only it reads. */
    private static final List<String[]> DECLINED = List.of(
        new String[] { "node" },
        new String[] { "node", "--help" },
        new String[] { "node", "-h" },
        new String[] { "node", "--version" },
        new String[] { "node", "--config", "c" },
        new String[] { "node", "--id", "0" },
        new String[] { "node", "--config", "c", "--id" },
        new String[] { "node", "--config", "c", "--id", "zero" },
        new String[] { "node", "--config", "c", "--id", "0x1" },
        new String[] { "node", "--config", "c", "--id", "99999999999" },
        new String[] { "node", "--config", "c", "--id", "0", "--load", "-5" },
        new String[] { "node", "--config", "c", "--id", "0", "--id", "1" },
        new String[] { "node", "--config", "c", "--id", "0", "--bootstrap", "--bootstrap" },
        new String[] { "node", "--config", "c", "--id", "0", "--bootstrap=true" },
        new String[] { "node", "--config", "c", "--id", "0", "--set", "novalue" },
        new String[] { "node", "--config", "c", "--id", "0", "--set", "=value" },
        new String[] { "node", "--config", "c", "--id", "0", "--no-such-option" },
        new String[] { "node", "--config", "c", "--id", "0", "positional" },
        new String[] { "node", "--config", "c", "--id", "0", "--" },
        new String[] { "node", "@arguments.txt" },
        new String[] { "node", "--config", "--id", "0" },
        new String[] { "node", "--config", "", "--id", "0" },
        new String[] { "node", "--config", "c", "--id", "0", "--ack-log", "@acks" },
        new String[] { "node", "--config", "c", "--id", "0", "--ack-log", "--bootstrap" });

    @Test
    void readsWhatPicocliReadsTheSameWay() throws Exception
    {
        for (final String[] args : READ)
        {
            final NodeCommand quick = new NodeCommand();
            assertTrue(QuickArguments.parse(quick, args), () -> String.join(" ", args));
            final NodeCommand picocli = parsedByPicocli(args);
            for (final Field field : NodeCommand.class.getDeclaredFields())
            {
                if (field.getAnnotation(Option.class) != null)
                {
                    field.setAccessible(true);
                    assertEquals(field.get(picocli), field.get(quick), () -> field.getName() + " of " +
                        String.join(" ", args));
                }
            }
        }
    }

    @Test
    void leavesEverythingElseToPicocli()
    {
        for (final String[] args : DECLINED)
        {
            assertFalse(QuickArguments.parse(new NodeCommand(), args), () -> String.join(" ", args));
        }
    }

    @Test
    void declinesACommandWithOptionsItCannotRead()
    {
        assertFalse(QuickArguments.parse(new Split(), new String[] { "x", "--list", "a,b" }));
        assertFalse(QuickArguments.parse(new Positional(), new String[] { "x", "--name", "a" }));
        assertFalse(QuickArguments.parse(new IntMap(), new String[] { "x", "--limit", "a=1" }));
    }

    private static NodeCommand parsedByPicocli(final String[] args)
    {
        final PrintWriter none = new PrintWriter(new StringWriter());
        final CommandLine.ParseResult parsed = SequencerCli.commandLine(none, none, args).parseArgs(args);
        return (NodeCommand)parsed.subcommand().commandSpec().userObject();
    }

    static final class Split
    {
        @Option(names = "--list", split = ",")
        String list;
    }

    static final class IntMap
    {
        @Option(names = "--limit")
        java.util.Map<String, Integer> limits;
    }

    static final class Positional
    {
        @Option(names = "--name")
        String name;

        @CommandLine.Parameters
        String file;
    }
}
