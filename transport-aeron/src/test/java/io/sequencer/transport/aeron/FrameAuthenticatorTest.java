package io.sequencer.transport.aeron;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameAuthenticatorTest
{
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void matchesRfc4231Vectors()
    {
        final byte[] key1 = new byte[20];
        Arrays.fill(key1, (byte)0x0b);
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            HEX.formatHex(new FrameAuthenticator(key1).hmac("Hi There".getBytes(StandardCharsets.US_ASCII))));

        final byte[] key6 = new byte[131]; // longer than a block: hashed first
        Arrays.fill(key6, (byte)0xaa);
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            HEX.formatHex(new FrameAuthenticator(key6).hmac(
                "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void tagIsTruncatedJavaxCryptoHmacOverSessionIdAndFrame() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 200; round++)
        {
            final byte[] secret = new byte[16 + random.nextInt(100)];
            randomBytes(random, secret);
            final byte[] frame = new byte[random.nextInt(9000)];
            randomBytes(random, frame);
            final int sessionId = random.nextInt();

            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(sessionId).array());
            mac.update(frame);
            final byte[] expected = Arrays.copyOf(mac.doFinal(), FrameAuthenticator.TAG_LENGTH);

            final FrameAuthenticator authenticator = new FrameAuthenticator(secret);
            final int offset = random.nextInt(64);
            final UnsafeBuffer onHeap = new UnsafeBuffer(new byte[offset + frame.length]);
            onHeap.putBytes(offset, frame);
            final UnsafeBuffer tag = new UnsafeBuffer(new byte[FrameAuthenticator.TAG_LENGTH]);
            authenticator.sign(onHeap, offset, frame.length, sessionId, tag, 0);
            assertArrayEquals(expected, tag.byteArray());

            final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(offset + frame.length));
            offHeap.putBytes(offset, frame);
            authenticator.sign(offHeap, offset, frame.length, sessionId, tag, 0);
            assertArrayEquals(expected, tag.byteArray(), "off-heap frames give the same tag");
        }
    }

    @Test
    void verifyRejectsAnyChange()
    {
        final byte[] secret = "0123456789abcdef-cluster-secret".getBytes(StandardCharsets.US_ASCII);
        final FrameAuthenticator authenticator = new FrameAuthenticator(secret);
        final int frameLength = 60;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frameLength + FrameAuthenticator.TAG_LENGTH]);
        for (int i = 0; i < frameLength; i++)
        {
            buffer.putByte(i, (byte)(i * 7));
        }
        authenticator.sign(buffer, 0, frameLength, 77, buffer, frameLength);
        final int length = frameLength + FrameAuthenticator.TAG_LENGTH;
        assertTrue(authenticator.verify(buffer, 0, length, 77));
        assertFalse(authenticator.verify(buffer, 0, length, 78), "another session");
        assertFalse(authenticator.verify(buffer, 0, length - 1, 77), "truncated");
        assertFalse(authenticator.verify(buffer, 0, 3, 77), "shorter than a tag");
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)(buffer.getByte(i) ^ 0x20));
            assertFalse(authenticator.verify(buffer, 0, length, 77), "byte " + i + " flipped");
            buffer.putByte(i, (byte)(buffer.getByte(i) ^ 0x20));
        }
        final byte[] otherSecret = secret.clone();
        otherSecret[0] ^= 1;
        assertFalse(new FrameAuthenticator(otherSecret).verify(buffer, 0, length, 77), "another secret");
        assertThrows(IllegalArgumentException.class, () -> new FrameAuthenticator(new byte[15]));
    }

    @Test
    void signAndVerifyAllocateNothing()
    {
        final FrameAuthenticator authenticator = new FrameAuthenticator(new byte[32]);
        final UnsafeBuffer onHeap = new UnsafeBuffer(new byte[1024 + FrameAuthenticator.TAG_LENGTH]);
        final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(8192 + FrameAuthenticator.TAG_LENGTH));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        int verified = 0;
        long allocated = 0;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 5_000; i++)
            {
                authenticator.sign(onHeap, 0, 1024, i, onHeap, 1024);
                verified += authenticator.verify(onHeap, 0, 1024 + FrameAuthenticator.TAG_LENGTH, i) ? 1 : 0;
                authenticator.sign(offHeap, 0, 8192, i, offHeap, 8192);
                verified += authenticator.verify(offHeap, 0, 8192 + FrameAuthenticator.TAG_LENGTH, i) ? 1 : 0;
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
        }
        assertEquals(30_000, verified);
        assertEquals(0, allocated, "bytes allocated by 10,000 signs and verifies after warm-up");
    }

    private static void randomBytes(final SplittableRandom random, final byte[] into)
    {
        for (int i = 0; i < into.length; i++)
        {
            into[i] = (byte)random.nextInt();
        }
    }
}
