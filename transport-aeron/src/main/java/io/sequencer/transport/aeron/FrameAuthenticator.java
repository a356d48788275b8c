package io.sequencer.transport.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104) of a frame under the cluster's shared secret, truncated to {@link #TAG_LENGTH} bytes
 * (RFC 2104 §5) and appended to the frame as a trailer:
 * <pre>
 *   tag = HMAC-SHA256(secret, sessionId (int32 little-endian) ‖ frame)[0..16)
 * </pre>
 * The Aeron session id of the publication that carries the frame is part of the MAC, so a tagged frame recorded and
 * replayed from another publisher (another session) does not verify.
 * <p>
 * Why not {@code javax.crypto.Mac}: its {@code doFinal} allocates the result on every call (48 bytes per frame on
 * JDK 17), and the receive path must not allocate. This class computes the same function on two preallocated
 * SHA-256 {@link MessageDigest}s, whose {@code digest(byte[], int, int)} does not allocate; a test checks it against
 * {@code javax.crypto.Mac} and the RFC 4231 vectors. Not thread-safe: one instance per thread.
 */
public final class FrameAuthenticator
{
    /** Bytes of the tag appended to an authenticated frame. */
    public static final int TAG_LENGTH = 16;

    private static final int BLOCK_LENGTH = 64;
    private static final int DIGEST_LENGTH = 32;
    private static final int CHUNK_LENGTH = 4096;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;

    private final MessageDigest inner;
    private final MessageDigest outer;
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final byte[] digest = new byte[DIGEST_LENGTH];
    private final byte[] expected = new byte[DIGEST_LENGTH];
    private final byte[] chunk = new byte[CHUNK_LENGTH];
    private final byte[] sessionBytes = new byte[Integer.BYTES];

    /**
     * @param secret the shared cluster secret, at least 16 bytes; copied.
     */
    public FrameAuthenticator(final byte[] secret)
    {
        if (secret == null || secret.length < 16)
        {
            throw new IllegalArgumentException("secret: expected at least 16 bytes, got " +
                (secret == null ? "none" : secret.length + " bytes"));
        }
        try
        {
            inner = MessageDigest.getInstance("SHA-256");
            outer = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }

        byte[] key = secret;
        if (key.length > BLOCK_LENGTH)
        {
            key = inner.digest(key); // RFC 2104: keys longer than a block are hashed first
        }
        for (int i = 0; i < BLOCK_LENGTH; i++)
        {
            final byte k = i < key.length ? key[i] : 0;
            innerPad[i] = (byte)(k ^ IPAD);
            outerPad[i] = (byte)(k ^ OPAD);
        }
    }

    /**
     * Write the tag of {@code frame[offset, offset + length)} for {@code sessionId} at {@code tagOffset} of
     * {@code tagBuffer} ({@link #TAG_LENGTH} bytes).
     */
    public void sign(
        final DirectBuffer frame,
        final int offset,
        final int length,
        final int sessionId,
        final MutableDirectBuffer tagBuffer,
        final int tagOffset)
    {
        compute(frame, offset, length, sessionId, digest);
        tagBuffer.putBytes(tagOffset, digest, 0, TAG_LENGTH);
    }

    /**
     * @param frame  a frame followed by its tag.
     * @param length the length of the frame and tag together.
     * @return whether the last {@link #TAG_LENGTH} bytes are the tag of the bytes before them for {@code sessionId}.
     */
    public boolean verify(final DirectBuffer frame, final int offset, final int length, final int sessionId)
    {
        if (length < TAG_LENGTH)
        {
            return false;
        }
        final int frameLength = length - TAG_LENGTH;
        compute(frame, offset, frameLength, sessionId, expected);
        int difference = 0;
        for (int i = 0; i < TAG_LENGTH; i++)
        {
            // constant time: a forger learns nothing from how long a wrong tag took to reject
            difference |= expected[i] ^ frame.getByte(offset + frameLength + i);
        }
        return difference == 0;
    }

    /** The full 32-byte HMAC-SHA256 of {@code message} (no session id): for checking against the RFC vectors. */
    byte[] hmac(final byte[] message)
    {
        inner.update(innerPad);
        inner.update(message);
        final byte[] result = new byte[DIGEST_LENGTH];
        finish(result);
        return result;
    }

    private void compute(
        final DirectBuffer frame, final int offset, final int length, final int sessionId, final byte[] into)
    {
        inner.update(innerPad);
        sessionBytes[0] = (byte)sessionId;
        sessionBytes[1] = (byte)(sessionId >>> 8);
        sessionBytes[2] = (byte)(sessionId >>> 16);
        sessionBytes[3] = (byte)(sessionId >>> 24);
        inner.update(sessionBytes);
        final byte[] array = frame.byteArray();
        if (array != null)
        {
            inner.update(array, frame.wrapAdjustment() + offset, length);
        }
        else
        {
            // off-heap (an Aeron term buffer): copy through a small chunk rather than a frame-sized array
            int done = 0;
            while (done < length)
            {
                final int n = Math.min(CHUNK_LENGTH, length - done);
                frame.getBytes(offset + done, chunk, 0, n);
                inner.update(chunk, 0, n);
                done += n;
            }
        }
        finish(into);
    }

    private void finish(final byte[] into)
    {
        try
        {
            inner.digest(into, 0, DIGEST_LENGTH);
            outer.update(outerPad);
            outer.update(into, 0, DIGEST_LENGTH);
            outer.digest(into, 0, DIGEST_LENGTH);
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException("SHA-256 digest into a 32-byte array", ex);
        }
    }
}
