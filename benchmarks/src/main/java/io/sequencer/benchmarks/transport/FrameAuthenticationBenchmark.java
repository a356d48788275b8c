package io.sequencer.benchmarks.transport;

import io.sequencer.transport.aeron.FrameAuthenticator;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;

/**
 * What frame authentication costs. {@code sign} and {@code verify} of one frame of {@code frameLength} bytes with
 * {@link FrameAuthenticator} (HMAC-SHA256 on preallocated digests, 0 B/op); {@code javaxCryptoMac}, the same function
 * through {@code javax.crypto.Mac} (allocates per call, the reason it is not used). What it adds to the receive path
 * is in {@link ReceivePathBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameAuthenticationBenchmark
{
    private static final byte[] SECRET = "benchmark secret of 32 bytes!!!!".getBytes(StandardCharsets.US_ASCII);
    private static final int SESSION = 0x1234_5678;

    @Param({"60", "1024"})
    public int frameLength;

    private final FrameAuthenticator authenticator = new FrameAuthenticator(SECRET);
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final byte[] heapFrame = new byte[8192];
    private final byte[] macOut = new byte[32];
    private Mac mac;

    @Setup
    public void setUp() throws GeneralSecurityException
    {
        for (int i = 0; i < frameLength; i++)
        {
            frame.putByte(i, (byte)i);
            heapFrame[i] = (byte)i;
        }
        authenticator.sign(frame, 0, frameLength, SESSION, frame, frameLength);
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    }

    @Benchmark
    public void sign()
    {
        authenticator.sign(frame, 0, frameLength, SESSION, frame, frameLength);
    }

    @Benchmark
    public boolean verify()
    {
        return authenticator.verify(frame, 0, frameLength + FrameAuthenticator.TAG_LENGTH, SESSION);
    }

    /** The JDK's HmacSHA256, for comparison: same work, plus its per-call allocation. */
    @Benchmark
    public byte[] javaxCryptoMac() throws GeneralSecurityException
    {
        mac.update(heapFrame, 0, frameLength);
        mac.doFinal(macOut, 0);
        return macOut;
    }
}
