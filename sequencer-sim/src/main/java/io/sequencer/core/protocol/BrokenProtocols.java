package io.sequencer.core.protocol;

import io.sequencer.core.CheckpointStore;
import io.sequencer.core.CompletionHandler;
import io.sequencer.core.EventLog;
import io.sequencer.core.NodeStore;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.StateMachine;
import io.sequencer.core.Transport;
import io.sequencer.sim.ProtocolDefect;

import java.util.EnumSet;

/**
 * The simulator's door to deliberately broken protocols: a {@link SequencerProtocol} whose {@link ProtocolRules} are
 * {@link BrokenRules} with the given defects. It lives in the protocol's package but in the simulator's module, so
 * the library jar holds neither the defects nor any way to choose one.
 */
public final class BrokenProtocols
{
    private BrokenProtocols()
    {
    }

    /** The protocol with {@code defects} (none: the protocol as specified). */
    public static SequencerProtocol create(
        final EnumSet<ProtocolDefect> defects,
        final ProtocolContext context,
        final EventLog log,
        final CheckpointStore checkpoints,
        final NodeStore store,
        final StateMachine stateMachine,
        final Transport transport,
        final CompletionHandler completionHandler)
    {
        return new SequencerProtocol(context, log, checkpoints, store, stateMachine, transport, completionHandler,
            defects.isEmpty() ? ProtocolRules.SPECIFIED : new BrokenRules(defects));
    }
}
