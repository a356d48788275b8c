package io.sequencer.core.runtime;

import io.sequencer.core.FrameHandler;
import io.sequencer.core.protocol.SequencerProtocol;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.Transport;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * One node's duty cycle (docs/design.md, "The duty cycle"): poll the channel, drain the ingress ring into the protocol,
 * let the protocol do its cycle's work (which publishes frames and completes callers), publish counters. Run by an
 * {@code AgentRunner} with the configured idle strategy, or composed with other nodes' agents on one thread.
 * An exception is recorded and counted, never allowed to end the loop; a node that must stop (a fatal protocol
 * assertion, or a log without room: {@link io.sequencer.core.LogUnwritableException}, which also sets
 * {@link #stoppedBy()}) stops ordering on its own and says so in its mode. An {@code Error} (out of memory, a stack
 * overflow, a failed assertion) is recorded and counted too, then rethrown, as is an
 * {@code AgentTerminationException}: the runner decides, and Agrona's stops the agent.
 */
public final class SequencerAgent implements Agent
{
    static final int MSG_SUBMIT = 1;
    /** SUBMIT: 0 int32 clientId, 4 int64 correlationId, 12 payload. */
    static final int SUBMIT_HEADER = 12;

    private final SequencerProtocol protocol;
    private final Transport transport;
    private final ManyToOneRingBuffer ingress;
    private final ClientRegistry clients;
    private final java.util.Queue<Runnable> queries;
    private final NanoClock clock;
    private final NodeCounters counters;
    private final ErrorHandler errorHandler;
    private final int fragmentLimit;
    private final int ingressLimit;
    private final long timerSlackNs;
    private final FrameHandler frameHandler;
    private final MessageHandler ingressHandler = this::onIngress;
    private final String roleName;
    /** Why this member cannot go on (an Error, the agent's termination, a log without room), or null while it can. */
    private volatile Throwable stoppedBy;

    SequencerAgent(
        final SequencerProtocol protocol,
        final Transport transport,
        final ManyToOneRingBuffer ingress,
        final ClientRegistry clients,
        final java.util.Queue<Runnable> queries,
        final NanoClock clock,
        final NodeCounters counters,
        final ErrorHandler errorHandler,
        final int fragmentLimit,
        final int ingressLimit,
        final long timerSlackNs)
    {
        this.protocol = protocol;
        this.transport = transport;
        this.ingress = ingress;
        this.clients = clients;
        this.queries = queries;
        this.clock = clock;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.fragmentLimit = fragmentLimit;
        this.timerSlackNs = timerSlackNs;
        this.ingressLimit = ingressLimit;
        this.frameHandler = protocol::onFrame;
        this.roleName = "sequencer-member-" + protocol.memberId();
    }

    /**
     * Why this member cannot go on, or null while it can: an {@code Error} its duty cycle met, its termination (the
     * transport closed for good), or a log without room ({@link io.sequencer.core.LogUnwritableException}: the member
     * stopped, while the duty cycle goes on for any other member on its thread). A process embedding the node should
     * stop (and be restarted): the node does not trust its state after an Error, hears and reaches no peer after a
     * termination, and can neither order nor catch up without room in its log.
     */
    public Throwable stoppedBy()
    {
        return stoppedBy;
    }

    public void onStart()
    {
        if (timerSlackNs > 0)
        {
            TimerSlack.set(timerSlackNs); // the duty thread's parks end when asked, not up to 50 µs later
        }
        try
        {
            protocol.start(clock.nanoTime()); // finishes a cut recorded before a crash, which writes the log
        }
        catch (final io.sequencer.core.LogUnwritableException ex)
        {
            stopOnUnwritableLog(ex); // as in a duty cycle: the member stops, the duty cycle runs on
        }
        catch (final RuntimeException | Error ex)
        {
            // the runner logs it and never runs the duty cycle: without stoppedBy the node would wait for ever
            stoppedBy = ex;
            throw ex;
        }
    }

    /**
     * The log cannot be written (a full disk, a failed force): the member stops (the others on this thread go on),
     * and whoever watches {@link #stoppedBy()} (the node command) exits, so that a supervisor restarts it. Also at
     * close, where the last force may be the first to fail.
     */
    void stopOnUnwritableLog(final io.sequencer.core.LogUnwritableException ex)
    {
        stoppedBy = ex;
        counters.onError();
        errorHandler.onError(ex);
        protocol.stopOnUnwritableLog(ex);
    }

    public int doWork()
    {
        final long startNs = clock.nanoTime();
        int work = 0;
        try
        {
            protocol.advanceClock(startNs); // the cycle's frames are handled at its time, not the last cycle's
            work += transport.poll(frameHandler, fragmentLimit);
            work += ingress.read(ingressHandler, ingressLimit); // refused while not running, with NOT_RUNNING
            work += protocol.doWork(startNs); // one clock read per cycle: polling takes microseconds at most
            if (!queries.isEmpty())
            {
                work += runQueries();
            }
            work += transport.flush(); // the cycle's frames leave together, once its work is done
        }
        catch (final AgentTerminationException ex)
        {
            stoppedBy = ex; // a request to stop this agent (a transport closed for good), for its runner
            throw ex;
        }
        catch (final Error ex)
        {
            // the JVM or an invariant assertion failed (out of memory, a stack overflow, an AssertionError): this
            // process cannot go on trusting its own state; recorded, then left to the runner and to whoever
            // watches stoppedBy (the node exits)
            stoppedBy = ex;
            counters.onError();
            errorHandler.onError(ex);
            throw ex;
        }
        catch (final io.sequencer.core.LogUnwritableException ex)
        {
            stopOnUnwritableLog(ex);
        }
        catch (final Exception ex)
        {
            counters.onError(); // bad input or a failing dependency: counted and recorded, the loop goes on
            errorHandler.onError(ex);
        }
        final long endNs = clock.nanoTime();
        counters.onDutyCycle(endNs, endNs - startNs);
        return work;
    }

    private void onIngress(final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index,
        final int length)
    {
        if (msgTypeId != MSG_SUBMIT || length < SUBMIT_HEADER)
        {
            counters.onError();
            return;
        }
        final int clientId = buffer.getInt(index, LITTLE_ENDIAN);
        final long clientCorrelationId = buffer.getLong(index + 4, LITTLE_ENDIAN);
        final int status = protocol.submit(
            ClientRegistry.protocolCorrelationId(clientId, clientCorrelationId),
            buffer, index + SUBMIT_HEADER, length - SUBMIT_HEADER);
        if (status != SubmitStatus.ACCEPTED)
        {
            clients.onRejected(clientId, clientCorrelationId, status);
        }
    }

    private int runQueries()
    {
        int answered = 0;
        for (Runnable query = queries.poll(); query != null && answered < ingressLimit; query = queries.poll())
        {
            query.run();
            answered++;
        }
        return answered;
    }

    public String roleName()
    {
        return roleName;
    }
}
