package io.sequencer.core;

import org.agrona.ErrorHandler;

import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of one node's protocol, with defaults, validated once by {@link #conclude()}: every error names
 * the setting and the expected form.
 */
public final class ProtocolContext
{
    /** Default heartbeat interval {@code T_hb}: an idle node's promise reaches its peers at least this often. */
    public static final long DEFAULT_HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Default failure-detection timeout {@code T_fd}: ten heartbeats of silence. */
    public static final long DEFAULT_FAILURE_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(50);
    public static final int DEFAULT_MAX_EVENT_LENGTH = 4096;
    public static final int DEFAULT_MAX_RESULT_LENGTH = 256;
    public static final int DEFAULT_MAX_IN_FLIGHT = 4096;

    private ClusterConfig cluster;
    private int memberId = -1;
    private int maxEventLength = DEFAULT_MAX_EVENT_LENGTH;
    private int maxResultLength = DEFAULT_MAX_RESULT_LENGTH;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private long heartbeatIntervalNs = DEFAULT_HEARTBEAT_INTERVAL_NS;
    private long failureTimeoutNs = DEFAULT_FAILURE_TIMEOUT_NS;
    private Durability durability = Durability.NONE;
    private long incarnation = 1;
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private EnumSet<ProtocolDefect> defects = EnumSet.noneOf(ProtocolDefect.class);
    private boolean concluded;

    /**
     * Check every setting once.
     *
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public ProtocolContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(cluster != null, "cluster", "a ClusterConfig", "none");
        require(cluster.isMember(memberId), "memberId", "one of the member ids of " + cluster, memberId);
        require(maxEventLength >= 0 && maxEventLength <= 16 * 1024 * 1024,
            "maxEventLength", "0..16777216 bytes", maxEventLength);
        require(maxResultLength >= 0 && maxResultLength <= 64 * 1024,
            "maxResultLength", "0..65536 bytes", maxResultLength);
        require(maxInFlight >= 1 && maxInFlight <= 1 << 20 && Integer.bitCount(maxInFlight) == 1,
            "maxInFlight", "a power of two in 1..1048576", maxInFlight);
        require(heartbeatIntervalNs > 0, "heartbeatIntervalNs", "> 0", heartbeatIntervalNs);
        require(failureTimeoutNs > heartbeatIntervalNs,
            "failureTimeoutNs", "> heartbeatIntervalNs (" + heartbeatIntervalNs + ")", failureTimeoutNs);
        require(durability != null, "durability", "none or batch", "null");
        require(incarnation >= 1, "incarnation", ">= 1", incarnation);
        require(errorHandler != null, "errorHandler", "an ErrorHandler", "null");
        require(defects != null, "defects", "a set (empty outside tests)", "null");
        concluded = true;
        return this;
    }

    private static void require(final boolean ok, final String setting, final String expected, final Object actual)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(setting + ": expected " + expected + ", got " + actual);
        }
    }

    public ClusterConfig cluster()
    {
        return cluster;
    }

    public ProtocolContext cluster(final ClusterConfig cluster)
    {
        this.cluster = cluster;
        return this;
    }

    public int memberId()
    {
        return memberId;
    }

    public ProtocolContext memberId(final int memberId)
    {
        this.memberId = memberId;
        return this;
    }

    public int maxEventLength()
    {
        return maxEventLength;
    }

    public ProtocolContext maxEventLength(final int maxEventLength)
    {
        this.maxEventLength = maxEventLength;
        return this;
    }

    public int maxResultLength()
    {
        return maxResultLength;
    }

    public ProtocolContext maxResultLength(final int maxResultLength)
    {
        this.maxResultLength = maxResultLength;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    public ProtocolContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    public ProtocolContext heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    public long failureTimeoutNs()
    {
        return failureTimeoutNs;
    }

    public ProtocolContext failureTimeoutNs(final long failureTimeoutNs)
    {
        this.failureTimeoutNs = failureTimeoutNs;
        return this;
    }

    public Durability durability()
    {
        return durability;
    }

    public ProtocolContext durability(final Durability durability)
    {
        this.durability = durability;
        return this;
    }

    /** The first epoch this process runs in; part of every event id it assigns. */
    public long incarnation()
    {
        return incarnation;
    }

    public ProtocolContext incarnation(final long incarnation)
    {
        this.incarnation = incarnation;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public ProtocolContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public EnumSet<ProtocolDefect> defects()
    {
        return defects;
    }

    /** Test only: run a deliberately broken protocol (see {@link ProtocolDefect}). */
    public ProtocolContext defects(final EnumSet<ProtocolDefect> defects)
    {
        this.defects = defects;
        return this;
    }
}
