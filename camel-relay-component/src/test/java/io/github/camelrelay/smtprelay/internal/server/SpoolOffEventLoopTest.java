package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Writing message data into the stream cache (and its spill to disk) happens off the event loop: while one
 * connection's spool is stalled, as on a slow or hung disk, another connection on the same (only) event loop is
 * served, and the stalled connection stops reading instead of buffering its message in memory. The stall is a body
 * stream that blocks, since a disk cannot be made slow on demand here; everything else is real sockets.
 */
class SpoolOffEventLoopTest {

    private final ExecutorService blocking = Executors.newFixedThreadPool(4);
    private SmtpListener listener;

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.stop();
        }
        blocking.shutdownNow();
    }

    /** The first delivery's body blocks on its first write until released; later ones write at once. */
    private static final class StallingSink implements MessageSink {
        final CountDownLatch stalled = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final BlockingQueue<String> committed = new LinkedBlockingQueue<>();
        final AtomicInteger deliveries = new AtomicInteger();

        @Override
        public Delivery begin(Envelope envelope) {
            boolean stall = deliveries.getAndIncrement() == 0;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            OutputStream body = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (stall) {
                        stalled.countDown();
                        try {
                            if (!release.await(60, TimeUnit.SECONDS)) {
                                throw new IOException("never released");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException();
                        }
                    }
                    bytes.write(b, off, len);
                }
            };
            String id = "M" + deliveries.get();
            return new Delivery() {
                @Override
                public String id() {
                    return id;
                }

                @Override
                public OutputStream body() {
                    return body;
                }

                @Override
                public void commit() {
                    committed.add(bytes.toString(StandardCharsets.ISO_8859_1));
                }

                @Override
                public void abort() {
                }
            };
        }
    }

    private static void envelope(SmtpTestClient c) {
        c.ehlo("client.test");
        assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
        assertThat(c.send("RCPT TO:<b@example.net>").code()).isEqualTo(250);
        assertThat(c.send("DATA").code()).isEqualTo(354);
    }

    @Test
    void anotherConnectionIsServedWhileOneConnectionsSpoolIsStalled() throws Exception {
        StallingSink sink = new StallingSink();
        ServerSettings settings = ServerSettings.builder().hostName("mx.relay.test").port(0).ioThreads(1)
                .maxMessageSize(64L << 20).build();
        listener = new SmtpListener(settings, sink, blocking, "spool-test");
        listener.start();

        String line = "x".repeat(98) + "\r\n";
        // far more than loopback socket buffers hold: had the listener read on, it would sit in its memory
        byte[] large = ("Subject: large\r\n\r\n" + line.repeat(240_000)).getBytes(StandardCharsets.US_ASCII);
        try (SmtpTestClient big = SmtpTestClient.connect(listener.localPort())) {
            envelope(big);
            AtomicBoolean written = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                try {
                    big.write(large);
                    written.set(true);
                } catch (UncheckedIOException e) {
                    // the test failed elsewhere and closed the connection
                }
            });
            writer.setDaemon(true);
            writer.start();
            assertThat(sink.stalled.await(10, TimeUnit.SECONDS)).as("the large message reached its spool").isTrue();

            // the same event loop serves a whole second session while the first one's spool write hangs
            try (SmtpTestClient other = SmtpTestClient.connect(listener.localPort())) {
                assertThat(other.greeting().code()).isEqualTo(220);
                envelope(other);
                other.write("Subject: small\r\n\r\nhello\r\n.\r\n");
                assertThat(other.reply().text()).isEqualTo("250 2.0.0 Ok: queued as M2");
                assertThat(other.send("QUIT").code()).isEqualTo(221);
            }
            assertThat(sink.committed.poll(5, TimeUnit.SECONDS)).contains("Subject: small\r\n\r\nhello\r\n");
            // back-pressure: the stalled connection stopped reading, so the client cannot finish writing
            assertThat(written.get()).isFalse();

            sink.release.countDown();
            await().atMost(Duration.ofSeconds(60)).until(written::get);
            big.write(".\r\n");
            assertThat(big.reply().text()).isEqualTo("250 2.0.0 Ok: queued as M1");
        }
        String first = sink.committed.poll(5, TimeUnit.SECONDS);
        assertThat(first).startsWith("Received: ");
        assertThat(first.substring(first.indexOf("Subject: large"))).isEqualTo(new String(large, StandardCharsets.US_ASCII));
    }
}
