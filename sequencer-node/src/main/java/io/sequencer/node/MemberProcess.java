package io.sequencer.node;

import io.sequencer.core.ProtocolContext;
import io.sequencer.core.StateMachine;
import io.sequencer.core.runtime.Sequencer;
import io.sequencer.storage.ChronicleLogContext;
import io.sequencer.storage.NodeStorage;
import io.sequencer.transport.aeron.AeronTransport;
import io.sequencer.transport.aeron.AeronTransportContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One member assembled from the real parts: its storage on Chronicle Queue in its directory, its transport on
 * Aeron, and the embedded {@link Sequencer} over them. Used by the {@code node} and {@code demo} commands.
 */
final class MemberProcess implements AutoCloseable
{
    private final NodeStorage storage;
    private final AeronTransport transport;
    private final Sequencer sequencer;
    private final long storageNs;
    private final long transportNs;
    private final long sequencerNs;

    private MemberProcess(
        final NodeStorage storage,
        final AeronTransport transport,
        final Sequencer sequencer,
        final long storageNs,
        final long transportNs,
        final long sequencerNs)
    {
        this.storage = storage;
        this.transport = transport;
        this.sequencer = sequencer;
        this.storageNs = storageNs;
        this.transportNs = transportNs;
        this.sequencerNs = sequencerNs;
    }

    /**
     * Open storage, start the transport, launch the node. On failure everything opened so far is closed again.
     *
     * @param ownThread false when the caller runs {@link #sequencer()}'s agent (several members on one thread).
     * @param cpu       the CPU the duty-cycle thread pins itself to (with {@code ownThread}); -1 for none.
     */
    static MemberProcess launch(
        final ProtocolContext protocol,
        final Path directory,
        final AeronTransportContext transportContext,
        final StateMachine stateMachine,
        final IdleStrategy idleStrategy,
        final boolean ownThread,
        final int cpu)
    {
        if (transportContext.maxEventLength() != protocol.maxEventLength())
        {
            throw new IllegalArgumentException("maxEventLength: the transport validates frames with " +
                transportContext.maxEventLength() + " bytes, the protocol with " + protocol.maxEventLength() +
                "; give both the same");
        }
        NodeStorage storage = null;
        AeronTransport transport = null;
        try
        {
            final long startNs = System.nanoTime();
            storage = NodeStorage.open(directory, new ChronicleLogContext()
                .clusterId(protocol.cluster().clusterId())
                .maxPayloadLength(Math.max(ChronicleLogContext.DEFAULT_MAX_PAYLOAD_LENGTH, protocol.maxEventLength())));
            final long storageOpenNs = System.nanoTime();
            transport = AeronTransport.launch(transportContext);
            final long transportUpNs = System.nanoTime();
            final AeronTransport signals = transport;
            final Sequencer.Context context = new Sequencer.Context();
            transport.counters().forEach(context::counterSource); // stat shows them beside the protocol's
            final Sequencer sequencer = Sequencer.launch(context
                .protocol(protocol)
                .directory(directory.toFile())
                .log(storage.log())
                .checkpoints(storage.checkpoints())
                .store(storage.nodeStore())
                .transport(transport)
                .streamSignals(signals::listener)
                .idleStrategy(idleStrategy)
                .threadFactory(pinnedTo(cpu))
                .ownThread(ownThread), stateMachine);
            final long launchedNs = System.nanoTime();
            return new MemberProcess(storage, transport, sequencer, storageOpenNs - startNs,
                transportUpNs - storageOpenNs, launchedNs - transportUpNs);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(transport, storage);
            throw ex;
        }
    }

    /** Threads that pin themselves to {@code cpu} before they run (-1: not pinned). */
    static java.util.concurrent.ThreadFactory pinnedTo(final int cpu)
    {
        if (cpu < 0)
        {
            return Thread::new;
        }
        return runnable -> new Thread(() ->
        {
            net.openhft.affinity.Affinity.setAffinity(cpu);
            runnable.run();
        });
    }

    /** How long each part took to start, for the operator: "storage 0.62 s, transport 0.21 s, node 0.05 s". */
    String startTimes()
    {
        return String.format(Locale.ROOT, "storage %.2f s, transport %.2f s, node %.2f s", storageNs / 1e9,
            transportNs / 1e9, sequencerNs / 1e9);
    }

    Sequencer sequencer()
    {
        return sequencer;
    }

    AeronTransport transport()
    {
        return transport;
    }

    NodeStorage storage()
    {
        return storage;
    }

    public void close()
    {
        sequencer.close(); // closes the transport and the storage it was given
    }
}
