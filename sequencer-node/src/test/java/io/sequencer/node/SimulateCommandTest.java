package io.sequencer.node;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulateCommandTest
{
    private static final Pattern LAST_LINE = Pattern.compile(
        "simulate: (\\d+) seeds, (\\d+) events acknowledged, (\\d+) cross-publisher reorders, (\\d+) crashes, " +
        "(\\d+) epoch changes, (\\d+) violations, failover p50 ([0-9.]+|-) ms p99 ([0-9.]+|-) ms \\(simulated\\)");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private String lastLine()
    {
        final String[] lines = out.toString().trim().split("\\R");
        return lines[lines.length - 1];
    }

    @Test
    void lastLineSummarisesTheRunAndExitCodeIsZeroWithoutViolations()
    {
        assertEquals(0, run("simulate", "--seeds", "20", "--nodes", "3", "--events", "50", "--faults", "none"));
        final Matcher m = LAST_LINE.matcher(lastLine());
        assertTrue(m.matches(), "last line: " + lastLine());
        assertEquals("20", m.group(1));
        assertEquals("1000", m.group(2), "20 seeds x 50 events, all acknowledged");
        assertTrue(Long.parseLong(m.group(3)) > 0, "reorders happened");
        assertEquals("0", m.group(4), "no crashes without faults");
        assertEquals("0", m.group(6));
    }

    @Test
    void faultsCrashNodesAndChangeEpochs()
    {
        assertEquals(0, run("simulate", "--seeds", "20", "--nodes", "3", "--faults", "all"));
        final Matcher m = LAST_LINE.matcher(lastLine());
        assertTrue(m.matches(), "last line: " + lastLine());
        assertTrue(Long.parseLong(m.group(4)) > 0, "crashes");
        assertTrue(Long.parseLong(m.group(5)) > 0, "epoch changes");
        assertEquals("0", m.group(6));
    }

    @Test
    void singleSeedReplaysIdentically()
    {
        assertEquals(0, run("simulate", "--seed", "42", "--nodes", "2"));
        final String first = lastLine();
        out.getBuffer().setLength(0);
        assertEquals(0, run("simulate", "--seed", "42", "--nodes", "2"));
        assertEquals(first, lastLine());
        assertTrue(first.startsWith("simulate: 1 seeds, "), first);
    }

    @Test
    void faultListsSelectClassesAndEachShowsOnTheExercisedLine()
    {
        assertEquals(0, run("simulate", "--seeds", "5", "--nodes", "3", "--faults", "crash,duplicate,one-way,starve"));
        final String output = out.toString();
        assertTrue(output.contains("faults crash,duplicate,one-way,starve"), output);
        final String exercised = output.lines().filter(l -> l.startsWith("exercised:")).findFirst().orElseThrow();
        for (final String counter : new String[] {
            "process crashes", "frames duplicated", "one-way partitions", "starvation episodes" })
        {
            assertTrue(exercised.contains(counter + " "), counter + " on " + exercised);
        }
        assertTrue(LAST_LINE.matcher(lastLine()).matches(), lastLine());
    }

    @Test
    void failoverIsReportedWithItsSamples()
    {
        assertEquals(0, run("simulate", "--seeds", "30", "--nodes", "3", "--faults", "crash"));
        assertTrue(out.toString().contains("failover (crash to the survivors' first acknowledgement in a later epoch"),
            out.toString());
    }

    @Test
    void badArgumentsAreUsageErrors()
    {
        assertEquals(2, run("simulate", "--nodes", "4"));
        assertTrue(err.toString().contains("--nodes: expected 1, 2 or 3, got 4"), err.toString());
        assertEquals(2, run("simulate", "--durability", "sometimes"));
        assertEquals(2, run("simulate", "--faults", "meteor"));
        assertTrue(err.toString().contains("unknown fault 'meteor'"), err.toString());
        assertEquals(2, run("simulate", "--faults", "crash,-meteor"));
        assertEquals(2, run("simulate", "--seeds", "zero"));
    }

    @Test
    void helpDescribesTheCommand()
    {
        assertEquals(0, run("simulate", "--help"));
        assertTrue(out.toString().contains("--seeds"));
        assertTrue(out.toString().contains("cross-publisher reorders"));
    }
}
