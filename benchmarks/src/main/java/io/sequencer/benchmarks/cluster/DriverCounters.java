package io.sequencer.benchmarks.cluster;

import io.aeron.CncFileDescriptor;
import io.aeron.driver.status.SystemCounterDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * A media driver's system counters, read from its CnC file the way {@code AeronStat} does, so that a driver embedded
 * in another component (the project's transport, a {@code ClusteredMediaDriver}) is read the same way as one of our
 * own. Aeron 1.51.0 counts no datagrams as such: {@link SystemCounterDescriptor} has the bytes a driver's senders put
 * on the wire and the control messages it sends (status messages, heartbeats, NAKs, retransmits), which is what is
 * summed here.
 */
final class DriverCounters implements AutoCloseable
{
    private static final SystemCounterDescriptor[] READ = {
        SystemCounterDescriptor.BYTES_SENT,
        SystemCounterDescriptor.STATUS_MESSAGES_SENT,
        SystemCounterDescriptor.HEARTBEATS_SENT,
        SystemCounterDescriptor.NAK_MESSAGES_SENT,
        SystemCounterDescriptor.RETRANSMITS_SENT,
    };
    static final int BYTES_SENT = 0;
    static final int STATUS_MESSAGES_SENT = 1;
    static final int HEARTBEATS_SENT = 2;
    static final int NAKS_SENT = 3;
    static final int RETRANSMITS_SENT = 4;
    static final int COUNT = READ.length;

    private final MappedByteBuffer cnc;
    private final CountersReader reader;
    private final int[] counterIds = new int[COUNT];

    private DriverCounters(final MappedByteBuffer cnc)
    {
        this.cnc = cnc;
        final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
        reader = new CountersReader(
            CncFileDescriptor.createCountersMetaDataBuffer(cnc, metaData),
            CncFileDescriptor.createCountersValuesBuffer(cnc, metaData));
        java.util.Arrays.fill(counterIds, CountersReader.NULL_COUNTER_ID);
        reader.forEach((counterId, typeId, key, label) ->
        {
            if (typeId == SystemCounterDescriptor.SYSTEM_COUNTER_TYPE_ID)
            {
                for (int i = 0; i < COUNT; i++)
                {
                    if (key.getInt(0) == READ[i].id())
                    {
                        counterIds[i] = counterId;
                    }
                }
            }
        });
        for (int i = 0; i < COUNT; i++)
        {
            if (counterIds[i] == CountersReader.NULL_COUNTER_ID)
            {
                IoUtil.unmap(cnc);
                throw new IllegalStateException("the driver has no system counter '" + READ[i].label() + "'");
            }
        }
    }

    /** Map the CnC file of the running driver in {@code aeronDirectory}. */
    static DriverCounters of(final String aeronDirectory)
    {
        final File file = new File(aeronDirectory, CncFileDescriptor.CNC_FILE);
        if (!file.isFile())
        {
            throw new IllegalStateException("no media driver in " + aeronDirectory + ": " + file + " is missing");
        }
        return new DriverCounters(IoUtil.mapExistingFile(file, "cnc"));
    }

    /** Add this driver's counters to {@code sums}, indexed by {@link #BYTES_SENT} and the others. */
    void addTo(final long[] sums)
    {
        for (int i = 0; i < COUNT; i++)
        {
            sums[i] += reader.getCounterValue(counterIds[i]);
        }
    }

    public void close()
    {
        IoUtil.unmap(cnc);
    }
}
