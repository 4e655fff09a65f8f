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
 * Usage: ComponentBench sinkHost sinkPort messages concurrency
 */
public final class ComponentBench {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        int c = Integer.parseInt(args[3]);
        String body = "x".repeat(76).concat("\r\n").repeat(4096 / 78);

        String relay = "smtprelay:bench?relayHost=" + host + "&relayPort=" + port + "&tls=NONE&addReceivedHeader=false"
                       + "&maxConnectionsPerHost=" + c + "&deliveryThreads=" + c;
        String mail = "smtp://" + host + ":" + port + "?to=sink@receiver.test&from=bench@sender.test";

        try (CamelContext ctx = new DefaultCamelContext()) {
            ctx.start();
            ProducerTemplate template = ctx.createProducerTemplate();
            // warm-up: JIT, connection pool, class loading
            run(template, relay, body, Math.min(n, 2000), c);
            if (Boolean.getBoolean("bench.relayOnly")) {
                // for profiling the smtprelay path alone
                System.out.printf(Locale.ROOT, "smtprelay:  %8.0f msg/s%n", run(template, relay, body, n, c));
                return;
            }
            run(template, mail, body, Math.min(n, 500), c);

            double relayRate = run(template, relay, body, n, c);
            double mailRate = run(template, mail, body, n, c);
            System.out.printf(Locale.ROOT, "messages=%d concurrency=%d size=4KiB%n", n, c);
            System.out.printf(Locale.ROOT, "smtprelay:  %8.0f msg/s%n", relayRate);
            System.out.printf(Locale.ROOT, "camel-mail: %8.0f msg/s%n", mailRate);
            System.out.printf(Locale.ROOT, "ratio smtprelay/camel-mail: %.2f%n", relayRate / mailRate);
        }
    }

    private static double run(ProducerTemplate template, String uri, String body, int n, int c) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(c);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(c);
        long start = System.nanoTime();
        for (int t = 0; t < c; t++) {
            pool.execute(() -> {
                try {
                    while (next.getAndIncrement() < n && failure.get() == null) {
                        Exchange ex = template.send(uri, e -> {
                            e.getMessage().setBody(body);
                            e.getMessage().setHeader("From", "bench@sender.test");
                            e.getMessage().setHeader("To", "sink@receiver.test");
                            e.getMessage().setHeader("Subject", "benchmark message");
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
