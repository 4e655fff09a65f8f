package io.github.camelrelay.bench;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Sends N messages of 4 KiB from C threads through smtprelay: (relay mode) and through camel-mail's smtp:
 * producer, to the same SMTP sink, in the same JVM and run, and prints messages per second and their ratio.
 * Usage: ComponentBench sinkHost sinkPort messages concurrency [raw|compose]
 * <p>
 * raw (the relay's case): both get the same complete 4 KiB RFC 5322 message as bytes; camel-mail needs it as a
 * MimeMessage, so it is parsed from the bytes per exchange, as a route relaying raw mail through camel-mail would.
 * compose: both build the message from body text and To/From/Subject (camel-mail's usual input).
 */
public final class ComponentBench {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        int c = Integer.parseInt(args[3]);
        boolean raw = args.length < 5 || "raw".equals(args[4]);
        String text = "x".repeat(76).concat("\r\n").repeat(4096 / 78);
        byte[] message = ("From: bench@sender.test\r\nTo: sink@receiver.test\r\nSubject: benchmark message\r\n"
                          + "Message-ID: <bench@sender.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                          + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        jakarta.mail.Session session = jakarta.mail.Session.getInstance(new java.util.Properties());
        Input relayInput = raw ? e -> e.getMessage().setBody(message) : e -> compose(e, text);
        Input mailInput = raw
                ? e -> e.getMessage().setBody(new jakarta.mail.internet.MimeMessage(session, new java.io.ByteArrayInputStream(message)))
                : e -> compose(e, text);

        String relay = "smtprelay:bench?relayHost=" + host + "&relayPort=" + port + "&tls=NONE&addReceivedHeader=false"
                       + "&maxConnectionsPerHost=" + c + "&deliveryThreads=" + c;
        String mail = "smtp://" + host + ":" + port + "?to=sink@receiver.test&from=bench@sender.test";

        try (CamelContext ctx = new DefaultCamelContext()) {
            ctx.start();
            ProducerTemplate template = ctx.createProducerTemplate();
            // warm-up, the same for both: JIT, connection pool, class loading
            int warm = Integer.getInteger("bench.warmup", Math.min(n, 5000));
            run(template, relay, relayInput, warm, c);
            if (Boolean.getBoolean("bench.relayOnly")) {
                // for profiling the smtprelay path alone
                System.out.printf(Locale.ROOT, "smtprelay:  %8.0f msg/s%n", run(template, relay, relayInput, n, c));
                return;
            }
            run(template, mail, mailInput, warm, c);

            double relayRate = run(template, relay, relayInput, n, c);
            double mailRate = run(template, mail, mailInput, n, c);
            System.out.printf(Locale.ROOT, "messages=%d concurrency=%d size=4KiB input=%s%n", n, c, raw ? "raw" : "compose");
            System.out.printf(Locale.ROOT, "smtprelay:  %8.0f msg/s%n", relayRate);
            System.out.printf(Locale.ROOT, "camel-mail: %8.0f msg/s%n", mailRate);
            System.out.printf(Locale.ROOT, "ratio smtprelay/camel-mail: %.2f%n", relayRate / mailRate);
        }
    }

    private interface Input {
        void fill(Exchange exchange) throws Exception;
    }

    private static void compose(Exchange e, String text) {
        e.getMessage().setBody(text);
        e.getMessage().setHeader("From", "bench@sender.test");
        e.getMessage().setHeader("To", "sink@receiver.test");
        e.getMessage().setHeader("Subject", "benchmark message");
    }

    private static double run(ProducerTemplate template, String uri, Input input, int n, int c) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(c);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(c);
        // resolved once: 20 threads resolving a new URI at the same moment could each create an endpoint (and pool)
        org.apache.camel.Endpoint endpoint = template.getCamelContext().getEndpoint(uri);
        long start = System.nanoTime();
        for (int t = 0; t < c; t++) {
            pool.execute(() -> {
                try {
                    while (next.getAndIncrement() < n && failure.get() == null) {
                        Exchange ex = template.send(endpoint, e -> {
                            try {
                                input.fill(e);
                            } catch (Exception x) {
                                throw new IllegalStateException(x);
                            }
                        });
                        if (ex.getException() != null) {
                            failure.compareAndSet(null, ex.getException());
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        long elapsed = System.nanoTime() - start;
        pool.shutdown();
        if (failure.get() != null) {
            throw new IllegalStateException("Delivery through " + uri + " failed", failure.get());
        }
        return n / (elapsed / 1e9);
    }
}
