package io.sequencer.benchmarks.cluster;

/**
 * Cumulative counts of what a system sent, summed over its members (and, for Aeron Cluster with a UDP client, the
 * client's driver); a step reports the difference between two of them per acknowledged event. Counters the system
 * does not have are -1. The project's counters are plain fields of the duty-cycle thread, read from the load thread:
 * a read may lag by a duty cycle, nothing over a step of thousands of events.
 *
 * @param protocolFrames  frames the members' protocols sent on the shared channel (ProtocolCounters.framesOut).
 * @param published       messages the members' transports sent on the shared channel: batches of a duty cycle's
 *                        frames, or one frame alone (TransportCounters.messages): what every other member receives.
 * @param driverBytesSent bytes the members' drivers' senders put on the wire (Aeron's "Bytes sent").
 * @param controlMessages status messages, heartbeats and NAKs the drivers sent.
 * @param retransmits     retransmissions the drivers sent.
 * @param epochChanges    the project's epoch changes; Aeron Cluster's elections (ConsensusModule's election counter).
 */
record Traffic(
    long protocolFrames,
    long published,
    long driverBytesSent,
    long controlMessages,
    long retransmits,
    long epochChanges)
{
    static Traffic ofDrivers(final long protocolFrames, final long published, final long[] driverSums,
        final long epochChanges)
    {
        return new Traffic(protocolFrames, published, driverSums[DriverCounters.BYTES_SENT],
            driverSums[DriverCounters.STATUS_MESSAGES_SENT] + driverSums[DriverCounters.HEARTBEATS_SENT] +
                driverSums[DriverCounters.NAKS_SENT],
            driverSums[DriverCounters.RETRANSMITS_SENT], epochChanges);
    }

    /** What was sent between {@code before} and this. */
    Traffic since(final Traffic before)
    {
        return new Traffic(
            difference(protocolFrames, before.protocolFrames), difference(published, before.published),
            driverBytesSent - before.driverBytesSent, controlMessages - before.controlMessages,
            retransmits - before.retransmits, difference(epochChanges, before.epochChanges));
    }

    private static long difference(final long after, final long before)
    {
        return after < 0 || before < 0 ? -1 : after - before;
    }
}
