package io.sequencer.core.protocol;

/**
 * R8's watermark as a function: the highest value that at least {@code quorum} members of a set have reached, i.e.
 * the {@code quorum}-th highest of their values (docs/protocol.md §3, R8: {@code g = max(g, q-th highest ser over A)}).
 * For any cluster size up to 32 members (a bit mask); allocation-free; O(n²), for the handful of members a cluster
 * has.
 */
final class QuorumWatermark
{
    private QuorumWatermark()
    {
    }

    /**
     * @param values  each member's value by index (only those in {@code members} count).
     * @param count   how many entries of {@code values} there are.
     * @param members the members whose values count, one bit per index.
     * @param quorum  how many of them must have reached the result, at least 1.
     * @return the highest {@code v} with at least {@code quorum} counted values {@code >= v}; 0 when fewer than
     *         {@code quorum} members count.
     */
    static long of(final long[] values, final int count, final int members, final int quorum)
    {
        long watermark = 0;
        for (int i = 0; i < count; i++)
        {
            if ((members & (1 << i)) == 0 || values[i] <= watermark)
            {
                continue;
            }
            int reached = 0;
            for (int j = 0; j < count; j++)
            {
                if ((members & (1 << j)) != 0 && values[j] >= values[i])
                {
                    reached++;
                }
            }
            if (reached >= quorum)
            {
                watermark = values[i];
            }
        }
        return watermark;
    }
}
