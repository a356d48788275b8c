package io.sequencer.core;

import java.util.Arrays;

/**
 * The configuration {@code C}: a cluster id and the ordered list of 1 to 3 members, each with a stable id.
 * Quorum {@code q = ⌊|C|/2⌋ + 1} (docs/protocol.md §0, "Terms"). Member ids are 0..{@value #MAX_MEMBER_ID}; the
 * protocol works on member <em>indexes</em> (the position of a member in {@code C}) so that per-member state is a small
 * array. Immutable.
 */
public final class ClusterConfig
{
    public static final int MAX_MEMBERS = 3;
    public static final int MAX_MEMBER_ID = 255;

    private final int clusterId;
    private final int[] memberIds;
    private final int[] indexById = new int[MAX_MEMBER_ID + 1];
    private final int quorum;

    public ClusterConfig(final int clusterId, final int... memberIds)
    {
        if (memberIds == null || memberIds.length < 1 || memberIds.length > MAX_MEMBERS)
        {
            throw new IllegalArgumentException(
                "members: expected 1 to " + MAX_MEMBERS + " member ids, got " + Arrays.toString(memberIds));
        }
        Arrays.fill(indexById, -1);
        for (int i = 0; i < memberIds.length; i++)
        {
            final int id = memberIds[i];
            if (id < 0 || id > MAX_MEMBER_ID)
            {
                throw new IllegalArgumentException(
                    "members: member id must be in 0.." + MAX_MEMBER_ID + ", got " + id);
            }
            if (indexById[id] != -1)
            {
                throw new IllegalArgumentException("members: duplicate member id " + id);
            }
            indexById[id] = i;
        }
        this.clusterId = clusterId;
        this.memberIds = memberIds.clone();
        this.quorum = memberIds.length / 2 + 1;
    }

    /** A cluster of {@code n} members with ids {@code 0..n-1}. */
    public static ClusterConfig ofSize(final int clusterId, final int n)
    {
        final int[] ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = i;
        }
        return new ClusterConfig(clusterId, ids);
    }

    public int clusterId()
    {
        return clusterId;
    }

    public int size()
    {
        return memberIds.length;
    }

    public int quorum()
    {
        return quorum;
    }

    public int memberId(final int index)
    {
        return memberIds[index];
    }

    /** @return the index of the member in {@code C}, or -1 when the id is not a member. */
    public int indexOf(final int memberId)
    {
        return memberId < 0 || memberId > MAX_MEMBER_ID ? -1 : indexById[memberId];
    }

    public boolean isMember(final int memberId)
    {
        return indexOf(memberId) >= 0;
    }

    /** The bit mask of all member indexes: the active set when every member takes part. */
    public int allMask()
    {
        return (1 << memberIds.length) - 1;
    }

    public int[] memberIds()
    {
        return memberIds.clone();
    }

    /**
     * The flag of a {@link #configurationWord} that says its member runs under durability {@code batch}: the top
     * bit, above the member count.
     */
    public static final int BATCH_FLAG = 0x8000_0000;

    /**
     * The member list in one word: the number of members in the top byte, then each id in a byte of its own, in order.
     * Exact (ids are 0..255, at most three). Never 0.
     */
    public int membersWord()
    {
        int word = memberIds.length << 24;
        for (int i = 0; i < memberIds.length; i++)
        {
            word |= memberIds[i] << (16 - 8 * i);
        }
        return word;
    }

    /**
     * What every frame's header carries of its sender's configuration ({@code FrameHeader.configuration}): its member
     * list ({@link #membersWord()}) and, in {@link #BATCH_FLAG}, its durability. Two members compare their
     * configurations by it, and a receiver can say what the sender's was. Never 0.
     */
    public int configurationWord(final Durability durability)
    {
        return membersWord() | (durability == Durability.BATCH ? BATCH_FLAG : 0);
    }

    /** Whether two {@link #configurationWord}s name the same member list, whatever their durability. */
    public static boolean sameMembers(final int word, final int other)
    {
        return ((word ^ other) & ~BATCH_FLAG) == 0;
    }

    private static int count(final int word)
    {
        return (word >>> 24) & 0x7F;
    }

    /**
     * Whether {@code word} is a {@link #configurationWord} some configuration could have: 1 to 3 distinct ids, the
     * bytes after the last id 0.
     */
    public static boolean wellFormed(final int word)
    {
        final int count = count(word);
        if (count < 1 || count > MAX_MEMBERS || (word & ((1 << (24 - 8 * count)) - 1)) != 0)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            for (int j = i + 1; j < count; j++)
            {
                if (((word >>> (16 - 8 * i)) & 0xFF) == ((word >>> (16 - 8 * j)) & 0xFF))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the member list of {@code word} ({@link #configurationWord}) names member {@code memberId}. */
    public static boolean namesMember(final int word, final int memberId)
    {
        final int count = count(word);
        for (int i = 0; i < count && i < MAX_MEMBERS; i++)
        {
            if (((word >>> (16 - 8 * i)) & 0xFF) == memberId)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The configuration a {@link #configurationWord} holds, as the configuration file would say it:
     * "members 0,1,2, durability batch".
     */
    public static String describe(final int word)
    {
        if (!wellFormed(word))
        {
            return "(not a configuration: 0x" + Integer.toHexString(word) + ")";
        }
        final StringBuilder text = new StringBuilder("members ");
        for (int i = 0; i < count(word); i++)
        {
            text.append(i == 0 ? "" : ",").append((word >>> (16 - 8 * i)) & 0xFF);
        }
        return text.append(", durability ").append((word & BATCH_FLAG) != 0 ? "batch" : "none").toString();
    }

    public String toString()
    {
        return "ClusterConfig{clusterId=" + clusterId + ", members=" + Arrays.toString(memberIds) +
            ", q=" + quorum + '}';
    }
}
