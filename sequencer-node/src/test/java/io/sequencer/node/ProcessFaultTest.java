package io.sequencer.node;

import io.sequencer.core.codec.DropReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static io.sequencer.node.NodeCluster.MODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults of real processes and of their files (issue 9), on one cluster of three {@code node} processes on loopback
 * with authentication on, each under {@code --load} with an {@code --ack-log}. The scenarios run in order on the same
 * cluster, which saves a cluster start for each; each starts the three members (the first with {@code --bootstrap}),
 * applies its fault, waits until every member runs and acknowledges again, and ends by pausing the loads, stopping the
 * members with SIGTERM and checking on the stopped logs that {@code log verify} gives the same entries and final chk
 * on all three and that {@code log check-acks} finds every line of every ack log so far in every member's log. A
 * scenario that fails leaves its cluster behind (killed) and the next one starts a new one.
 * <p>
 * Random choices (victims, pause lengths, bytes) come from one seed, printed at the start: replay with
 * {@code -Dsequencer.faults.seed=S}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class ProcessFaultTest
{
    private static final String LOAD = "200";

    @TempDir
    static Path root;

    private final long seed = Long.getLong("sequencer.faults.seed", System.nanoTime());
    private final SplittableRandom random = new SplittableRandom(seed);
    private NodeCluster cluster;
    private int clusters;
    private boolean checked;
    private long startNs;
    private long runningNs;
    /** Expectations checked after the scenario's log checks, so that a failed one does not hide what they show. */
    private final List<String> unmet = new java.util.ArrayList<>();

    @BeforeAll
    void announce()
    {
        System.out.println("ProcessFaultTest: seed " + seed + " (replay with -Dsequencer.faults.seed=" + seed + ")");
    }

    @BeforeEach
    void clusterRunning() throws IOException
    {
        startNs = System.nanoTime();
        checked = false;
        unmet.clear();
        if (cluster == null)
        {
            cluster = new NodeCluster(root.resolve("cluster-" + ++clusters), 3).writeConfig(Map.of());
            cluster.startAll("--bootstrap", "--load", LOAD);
        }
        else
        {
            Files.deleteIfExists(cluster.pauseFile());
            cluster.startAll("--load", LOAD);
        }
        cluster.awaitAllAcknowledging(20, "all three acknowledging");
        runningNs = System.nanoTime();
    }

    @AfterEach
    void leaveABrokenCluster()
    {
        if (!checked)
        {
            cluster.close();
            cluster = null;
        }
    }

    @AfterAll
    void killAll()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    /** An expectation checked only after the scenario's log checks (see {@link #finish}). */
    private void expect(final boolean condition, final String what)
    {
        if (!condition)
        {
            unmet.add(what);
        }
    }

    /**
     * Every scenario's end: loads paused, members stopped, logs checked; then the scenario's deferred expectations.
     */
    private void finish(final String scenario) throws IOException, InterruptedException
    {
        final long faultEndNs = System.nanoTime();
        cluster.quiesceAndStop();
        final String logs = cluster.checkLogs();
        checked = true;
        System.out.printf("ProcessFaultTest %s: %s (%.1f s: start %.1f, fault %.1f, quiesce, stop and checks %.1f)%n",
            scenario, logs, (System.nanoTime() - startNs) / 1e9, (runningNs - startNs) / 1e9,
            (faultEndNs - runningNs) / 1e9, (System.nanoTime() - faultEndNs) / 1e9);
        assertTrue(unmet.isEmpty(), "scenario " + scenario + ": nothing acknowledged was lost and the logs agree, " +
            "but:\n" + String.join("\n", unmet));
    }

    @Test
    @Order(1)
    void killOneThenTwoAtOnce() throws Exception
    {
        final int victim = random.nextInt(3);
        final int survivor = (victim + 1) % 3;
        cluster.kill(victim); // SIGKILL under load
        cluster.awaitAcknowledging(survivor, 50, "the survivors acknowledging again");
        cluster.start(victim, "--load", LOAD);
        cluster.awaitAcknowledging(victim, 20, "member " + victim + " back, caught up and acknowledging");

        final int alone = random.nextInt(3);
        final int[] victims = { (alone + 1) % 3, (alone + 2) % 3 };
        cluster.process(victims[0]).destroyForcibly();
        cluster.process(victims[1]).destroyForcibly();
        cluster.kill(victims[0]);
        cluster.kill(victims[1]);
        // Alone it cannot be a quorum: once it has stepped down it acknowledges nothing until the others are back.
        cluster.await(() -> cluster.counter(alone, MODE) != NodeCluster.RUNNING, "member " + alone + " stepping down");
        final long completedAlone = cluster.counter(alone, "completed");
        final long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() - watchUntil < 0) // two seconds of watching it alone under its load
        {
            assertEquals(completedAlone, cluster.counter(alone, "completed"), "nothing acknowledged without a quorum");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        cluster.start(victims[0], "--load", LOAD);
        cluster.start(victims[1], "--load", LOAD);
        cluster.awaitAllAcknowledging(20, "both back, all three acknowledging");
        finish("a (SIGKILL " + victim + ", then " + victims[0] + " and " + victims[1] + " at once)");
    }

    @Test
    @Order(2)
    void stoppedAndContinued() throws Exception
    {
        final int victim = random.nextInt(3);
        final long pauseMs = 100 + random.nextInt(2901);
        final long[] epochChanges = epochChanges();
        cluster.signal(victim, "STOP");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs)); // the fault itself
        cluster.signal(victim, "CONT");
        cluster.awaitAllAcknowledging(20, "all three acknowledging after SIGCONT");
        final long[] after = epochChanges();
        finish("b (SIGSTOP " + victim + " for " + pauseMs + " ms; epoch changes " + Arrays.toString(epochChanges) +
            " -> " + Arrays.toString(after) + ")");
    }

    /**
     * A pause longer than Aeron's own timeouts between a client and its driver (10 s by default): with them, the member
     * came back with its Aeron client closed by its own embedded driver (or closing itself, its service interval
     * exceeded) and ran on deaf and mute for good, never acknowledging again. An embedded driver and its node wait
     * for each other as long as a process may be paused (AeronTransport.EMBEDDED_PAUSE_TOLERANCE_NS).
     */
    @Test
    @Order(2)
    void stoppedLongerThanAeronsClientTimeouts() throws Exception
    {
        final int victim = random.nextInt(3);
        cluster.signal(victim, "STOP");
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(12)); // the fault itself: past Aeron's 10 s
        cluster.signal(victim, "CONT");
        cluster.awaitAllAcknowledging(20, "all three acknowledging after a 12 s SIGSTOP");
        finish("b2 (SIGSTOP " + victim + " for 12 s)");
    }

    @Test
    @Order(3)
    void cutQueueTail() throws Exception
    {
        final int victim = random.nextInt(3);
        cluster.kill(victim);
        final Path file = newestQueueFile(victim);
        final long end = NodeCluster.writtenEnd(file);
        final long cut = Math.min(end / 2, 1024 + random.nextInt(7 * 1024));
        NodeCluster.truncate(file, end - cut);
        comesBackNotIntact(victim, "c (member " + victim + ": " + file.getFileName() + " written to " + end +
            ", cut to " + (end - cut) + ")");
    }

    @Test
    @Order(4)
    void randomBytesInTheMiddleOfTheQueue() throws Exception
    {
        final int victim = random.nextInt(3);
        cluster.kill(victim);
        final Path file = newestQueueFile(victim);
        final long end = NodeCluster.writtenEnd(file);
        final long offset = end / 4 + random.nextLong(Math.max(1, end / 2));
        final int length = 16 + random.nextInt(497);
        NodeCluster.writeRandom(file, offset, length, random);
        comesBackNotIntact(victim, "d (member " + victim + ": " + length + " random bytes at " + offset + " of " +
            file.getFileName() + ", written to " + end + ")");
    }

    @Test
    @Order(5)
    void lostLogDirectory() throws Exception
    {
        final int victim = random.nextInt(3);
        cluster.kill(victim);
        final Path log = cluster.memberDir(victim).resolve("log");
        try (Stream<Path> files = Files.walk(log))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        assertTrue(Files.exists(cluster.memberDir(victim).resolve("node.state")), "node.state survives");
        comesBackNotIntact(victim, "e (member " + victim + ": rm -rf log)");
    }

    @Test
    @Order(6)
    void secondProcessOnARunningMembersDirectory() throws Exception
    {
        final int victim = random.nextInt(3);
        cluster.quiesce();
        final Path state = cluster.memberDir(victim).resolve("node.state");
        final byte[] stateBefore = Files.readAllBytes(state);
        final long haveBefore = cluster.counter(victim, "have");
        final long pid = cluster.process(victim).pid();

        final Path output = cluster.dir.resolve("second-" + victim + ".txt");
        final Process second = cluster.launch(victim, output, "--load", LOAD);
        assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second process exits");
        final String said = Files.readString(output).trim();

        assertTrue(cluster.process(victim).isAlive(), "the running member still runs");
        expect(Arrays.equals(stateBefore, Files.readAllBytes(state)), "node.state changed");
        final long haveAfter = cluster.counter(victim, "have");
        expect(haveBefore == haveAfter, "the log's entry count changed from " + haveBefore + " to " + haveAfter);
        expect(second.exitValue() == 2, "exit code " + second.exitValue() + " of the second process, expected 2");
        expect(said.contains(Long.toString(pid)), "the second process does not name the running one's pid " + pid +
            ": " + said);
        Files.delete(cluster.pauseFile());
        cluster.awaitAllAcknowledging(20, "all three acknowledging after the second process");
        finish("f (member " + victim + ", pid " + pid + "; the second process said: " + said + ")");
    }

    @Test
    @Order(7)
    void garbageAndForgedDatagramsWithAuthentication() throws Exception
    {
        attack("g (authentication on)", true);
    }

    @Test
    @Order(8)
    void garbageAndForgedDatagramsWithoutAuthentication() throws Exception
    {
        // All members must run the same mode: stop them, switch every one to none, start them again.
        cluster.quiesceAndStop();
        cluster.writeConfig(Map.of("authentication", "none"));
        Files.delete(cluster.pauseFile());
        cluster.startAll("--load", LOAD);
        cluster.awaitAllAcknowledging(20, "all three acknowledging without authentication");
        attack("g (authentication none)", false);
    }

    /**
     * Five seconds of garbage datagrams and forged frames to every member's port of the channel's group and every
     * member's catch-up endpoint, checking each second that the cluster acknowledges and nobody stopped; then, with the
     * frames stopped, every member acknowledging again and the logs checked.
     */
    private void attack(final String scenario, final boolean tagged) throws Exception
    {
        final InetAddress loopback = InetAddress.getByName("127.0.0.1");
        final InetSocketAddress[] channels = new InetSocketAddress[3];
        final InetSocketAddress[] endpoints = new InetSocketAddress[3];
        for (int id = 0; id < 3; id++)
        {
            channels[id] = new InetSocketAddress(InetAddress.getByName(cluster.group), cluster.sharedPort(id));
            endpoints[id] = new InetSocketAddress(loopback, cluster.endpointPort(id));
        }
        final long[] dropsBefore = protocolDrops();
        final long[] epochChangesBefore = epochChanges();
        final StringBuilder progress = new StringBuilder();
        int secondsWithoutAcks = 0;
        try (DatagramForger forger = new DatagramForger(loopback, random.nextLong(), cluster.port,
            new int[] {0, 1, 2}, tagged))
        {
            for (int second = 0; second < 5; second++)
            {
                final long completedBefore = completedTotal();
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() - until < 0)
                {
                    final long epoch = Math.max(0, cluster.counter(random.nextInt(3), "epoch"));
                    for (int i = 0; i < 10; i++)
                    {
                        final int target = random.nextInt(3);
                        switch (random.nextInt(4))
                        {
                            case 0 -> forger.garbage(random.nextBoolean() ? channels[target] : endpoints[target]);
                            case 1 -> forger.forgeCatchUp(endpoints[target], 1002, target, epoch);
                            default -> forger.forgeShared(channels[target], 1001, target, epoch);
                        }
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // pacing: about 2,000 datagrams a second
                }
                final long completed = completedTotal() - completedBefore;
                progress.append(second == 0 ? "" : ", ").append(completed);
                if (completed <= 0)
                {
                    secondsWithoutAcks++;
                }
                for (int id = 0; id < 3; id++)
                {
                    assertTrue(cluster.process(id).isAlive(), "member " + id + " alive under attack");
                    assertTrue(cluster.counter(id, MODE) != 3 && cluster.counter(id, "fatal errors") == 0,
                        "member " + id + " not stopped under attack\n" + cluster.outputs());
                }
            }
            progress.append(" acknowledged per second; ").append(forger.datagramsSent).append(" datagrams (")
                .append(forger.framesSent).append(" forged frames)");
        }
        final long[] drops = protocolDrops();
        for (int id = 0; id < 3; id++)
        {
            drops[id] -= dropsBefore[id];
        }
        System.out.println("ProcessFaultTest " + scenario + " under attack: " + progress + "; frames the protocol " +
            "dropped per member " + Arrays.toString(drops) + "; epoch changes " + Arrays.toString(epochChangesBefore) +
            " -> " + Arrays.toString(epochChanges()) + "; boot reports refused (contradict this log) " +
            Arrays.toString(perMember("boot reports refused (contradict this log)")));
        if (tagged)
        {
            expect(secondsWithoutAcks == 0, secondsWithoutAcks + " seconds of the attack in which the cluster " +
                "acknowledged nothing: " + progress);
        }
        // Without authentication a forged frame that passes every check is indistinguishable from its member (it can
        // take over the member's session or start epoch changes), so acknowledging during the attack is not promised
        // (docs/protocol.md §10.3); nobody stops (checked each second above) and the cluster runs once it ends.
        cluster.awaitAllAcknowledging(20, "all three acknowledging once the frames stopped");
        finish(scenario);
    }

    /**
     * Restart a member whose files were damaged while it was stopped: it comes back not intact (its losses counter
     * and its error log say so), catches up, runs intact and acknowledges; then the scenario's checks.
     */
    private void comesBackNotIntact(final int victim, final String scenario) throws Exception
    {
        cluster.start(victim, "--load", LOAD);
        cluster.await(() -> cluster.counter(victim, MODE) >= 1, "member " + victim + " started");
        cluster.awaitAcknowledging(victim, 20, "member " + victim + " caught up and acknowledging");
        // Read once it runs: the counters are published one by one, so a read right after the mode turned to boot
        // could see the mode of one update and the losses of the one before (counted at start, never changed after).
        final long losses = cluster.counter(victim, "losses found at start");
        final String errors = NodeCluster.cli("errors", "--dir", cluster.memberDir(victim).toString()).out();
        assertEquals(1, cluster.counter(victim, "intact"), "intact once caught up");
        expect(losses >= 1, "member " + victim + " came back intact ('losses found at start' " + losses +
            "); its errors: " + errors.replace('\n', ' '));
        expect(errors.contains("is not intact"), "no 'is not intact' in member " + victim + "'s errors");
        finish(scenario + ": losses found at start " + losses + ", " + firstLine(errors, "is not intact"));
    }

    private static String firstLine(final String text, final String containing)
    {
        return text.lines().filter(line -> line.contains(containing)).findFirst().orElse("").trim();
    }

    private Path newestQueueFile(final int id) throws IOException
    {
        final List<Path> files = cluster.queueFiles(id);
        assertTrue(!files.isEmpty(), "queue files of member " + id);
        return files.get(files.size() - 1);
    }

    private long completedTotal()
    {
        long total = 0;
        for (int id = 0; id < 3; id++)
        {
            total += Math.max(0, cluster.counter(id, "completed"));
        }
        return total;
    }

    private long[] epochChanges()
    {
        return perMember("epoch changes");
    }

    /** The counter {@code name} of each member. */
    private long[] perMember(final String name)
    {
        final long[] values = new long[3];
        for (int id = 0; id < 3; id++)
        {
            values[id] = cluster.counter(id, name);
        }
        return values;
    }

    private long[] protocolDrops()
    {
        final long[] drops = new long[3];
        for (int id = 0; id < 3; id++)
        {
            for (final DropReason reason : DropReason.values())
            {
                drops[id] += Math.max(0, cluster.counter(id,
                    "frames dropped: " + reason.name().toLowerCase().replace('_', ' ')));
            }
        }
        return drops;
    }
}
