package io.sequencer.transport.aeron;

import io.sequencer.core.codec.MessageType;

/**
 * Which frames carry an HMAC tag (see {@link FrameAuthenticator}). Off by default in {@link AeronTransportContext},
 * where the embedding application chooses; the {@code node} command defaults to {@link #ALL} with the cluster's
 * key file.
 */
public enum Authentication
{
    /** No tags: any process that can reach the channel address can take part. */
    NONE,

    /**
     * Tags on the frames that change membership or durability knowledge ({@code NewNode}, {@code DelNode},
     * {@code ClusterNodes}, {@code MySerializeCounter}) and on all catch-up traffic. The receiver trusts a publisher
     * session only once it has carried a valid tag bound to that session, so untagged frames of a session that never
     * proved the secret are dropped too: another process can neither join nor inject events.
     */
    CONTROL,

    /** Tags on every frame: also protects against frames spoofed into a trusted session at the UDP level. */
    ALL;

    /**
     * @param type          the frame's {@link MessageType}.
     * @param catchUpStream whether the frame travels on the catch-up stream.
     * @return whether a frame of this type carries a tag under this mode.
     */
    public boolean covers(final int type, final boolean catchUpStream)
    {
        switch (this)
        {
            case ALL:
                return true;

            case CONTROL:
                return catchUpStream ||
                    type == MessageType.MY_SERIALIZE_COUNTER ||
                    type == MessageType.NEW_NODE ||
                    type == MessageType.DEL_NODE ||
                    type == MessageType.CLUSTER_NODES;

            default:
                return false;
        }
    }
}
