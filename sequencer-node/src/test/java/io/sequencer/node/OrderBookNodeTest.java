package io.sequencer.node;

import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.runtime.NodeCounters;
import io.sequencer.sim.ReplayClock;
import io.sequencer.example.orderbook.OrderBook;
import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.NodeStorage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application's own state machine from another jar on three {@code node} processes: the example order book, which
 * the nodes find only through {@code --classpath} (their own class path leaves its classes out), under each node's
 * {@code --load} of sample orders, through a member's SIGKILL and restart; a fourth process follows a member with
 * {@code log tail --follow}. Every log ends the same, every acknowledged order is in every log at its position, the
 * tail printed exactly the committed entries, the orders in the log traded, and good-till-time orders expired through
 * the cluster's timers on every member (docs/protocol.md §12).
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class OrderBookNodeTest
{
    @TempDir
    Path dir;

    private NodeCluster cluster;

    @AfterEach
    void killAll()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void theExampleOrderBookRunsOnThreeNodesFromItsOwnJar() throws Exception
    {
        final Path exampleClasses =
            Path.of(OrderBook.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        cluster = new NodeCluster(dir, 3).classPathWithout(exampleClasses).writeConfig(Map.of());
        final String[] orderBook = { "--state-machine", OrderBook.class.getName(), "--classpath",
            exampleClasses.toString(), "--load", "100" };
        cluster.startAll(concat(orderBook, "--bootstrap"));
        final Path tailed = dir.resolve("tail.txt");
        final Process tail = cluster.launchCli(tailed, "log", "tail", "--dir", cluster.memberDir(0).toString(),
            "--follow", "--no-payload");
        cluster.awaitAllAcknowledging(50, "all three acknowledging orders");

        cluster.kill(2);
        cluster.awaitAcknowledging(0, 30, "the survivors acknowledging again");
        cluster.start(2, orderBook);
        cluster.awaitAcknowledging(2, 20, "member 2 back, its order book rebuilt, acknowledging");

        cluster.quiesce();
        final long committed = cluster.counter(0, NodeCounters.GUARANTEED_LABEL);
        cluster.await(() -> LogTailTest.lastPosition(tailed) >= committed, "the tail printing up to g = " + committed);
        // a quarter of the sample orders are good for 1..64 ms: once the load stops, ticks move the cluster time
        // and the last of them expire through their timers on every member
        for (int m = 0; m < 3; m++)
        {
            final int member = m;
            cluster.await(() -> cluster.counter(member, "timers fired") > 0, "member " + m + " firing timers");
        }
        tail.destroy();
        assertTrue(tail.waitFor(20, TimeUnit.SECONDS) && tail.exitValue() == 0, "log tail ended with 0 on SIGTERM");
        cluster.stopAll();
        assertTrue(Files.readString(dir.resolve("out-0.txt")).contains("state machine " + OrderBook.class.getName()),
            "the node says which state machine it runs");
        System.out.println("OrderBookNodeTest: " + cluster.checkLogs());
        LogTailTest.assertPrintedAsTheLogHoldsThem(cluster.memberDir(0), Files.readAllLines(tailed), committed,
            "--no-payload");

        // the book traded and orders expired: replay member 0's log through a fresh one, on a cluster clock of its own
        // (docs/protocol.md §12: the largest entry time so far; due timers before the entry)
        final OrderBook book = new OrderBook();
        final ReplayClock clock = new ReplayClock();
        book.onStart(clock);
        final UnsafeBuffer result = new UnsafeBuffer(new byte[OrderBook.RESULT_LENGTH]);
        long orders = 0;
        long ticks = 0;
        try (ChronicleEventLog log = NodeStorage.openExistingLogReadOnly(cluster.memberDir(0)))
        {
            final LogEntry entry = new LogEntry();
            for (long p = 1; p <= log.have(); p++)
            {
                log.read(p, entry);
                clock.beforeEntry(p, entry.timestamp(), book);
                if (entry.type() == EntryType.EVENT)
                {
                    book.apply(p, entry.payload(), entry.payloadOffset(), entry.payloadLength(), result, 0);
                    orders++;
                }
                ticks += entry.type() == EntryType.TICK ? 1 : 0;
            }
        }
        assertTrue(orders > 100 && book.trades() > 10, orders + " orders, " + book.trades() + " trades");
        assertTrue(book.expired() > 0, "no good-till-time order expired in " + orders + " orders");
        System.out.println("OrderBookNodeTest: " + orders + " orders, " + book.trades() + " trades, " +
            book.expired() + " expired, " + ticks + " ticks");
    }

    @Test
    void aStateMachineThatCannotBeLoadedIsOneLineAndExitCode2() throws Exception
    {
        cluster = new NodeCluster(dir, 1).writeConfig(Map.of());
        final String config = cluster.config().toString();
        for (final String[] args : List.of(
            new String[] { "--state-machine", "com.example.Missing" },
            new String[] { "--state-machine", String.class.getName() },
            new String[] {
                "--state-machine", OrderBook.class.getName(), "--classpath", dir.resolve("nope").toString() },
            new String[] { "--state-machine", io.sequencer.core.StateMachine.class.getName() }))
        {
            final NodeCluster.Cli cli = NodeCluster.cli(concat(new String[] { "node", "--config", config, "--id", "0" },
                args));
            assertEquals(2, cli.exit(), cli.command() + ": " + cli.out() + cli.err());
            assertEquals(1, cli.err().lines().count(), cli.err());
            assertTrue(cli.err().startsWith("node: --"), cli.err());
        }
    }

    private static String[] concat(final String[] first, final String... rest)
    {
        final String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
