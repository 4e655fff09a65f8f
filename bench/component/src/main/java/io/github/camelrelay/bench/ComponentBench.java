package io.github.camelrelay.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
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
 * Sends N messages of 4 KiB from C threads through one producer, smtprelay: (relay mode) or camel-mail's smtp:, to
 * an SMTP sink, and prints messages per second. bench/run-component.sh runs it once per producer, each in a JVM of its
 * own, one after the other, and prints their ratio.
 * Usage: ComponentBench sinkHost sinkPort messages concurrency raw|compose smtprelay|camel-mail
 * <p>
 * raw (the relay's case): both get the same complete 4 KiB RFC 5322 message as bytes; camel-mail needs it as a
 * MimeMessage, so it is parsed from the bytes per exchange, as a route relaying raw mail through camel-mail would.
 * compose: both build the message from body text and To/From/Subject (camel-mail's usual input).
 * <p>
 * Before the measured run, each JVM is warmed up in rounds until the JIT compiler is idle: on two cores shared with
 * the sink, C2's queue takes tens of seconds to drain, and until then much of the code runs interpreted or in C1,
 * so a fixed short warm-up measures the compiler rather than the producer.
 */
public final class ComponentBench {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        int c = Integer.parseInt(args[3]);
        boolean raw = "raw".equals(args[4]);
        boolean relaySide = "smtprelay".equals(args[5]);
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
                       + "&maxConnectionsPerHost=" + c + "&deliveryThreads=" + c
                       // the callers wait for each delivery, so it runs on their threads, as camel-mail's does; with
                       // -Dbench.synchronous=false it is handed to the producer's delivery threads (the default)
                       + "&synchronous=" + System.getProperty("bench.synchronous", "true")
                       // more endpoint options, to compare them
                       + System.getProperty("bench.relayParams", "");
        String mail = "smtp://" + host + ":" + port + "?to=sink@receiver.test&from=bench@sender.test";
        String uri = relaySide ? relay : mail;
        Input input = relaySide ? relayInput : mailInput;
        String name = relaySide ? "smtprelay" : "camel-mail";

        try (CamelContext ctx = new DefaultCamelContext()) {
            ctx.start();
            ProducerTemplate template = ctx.createProducerTemplate();
            warmUp(template, uri, input, c, name);
            Object profiler = profiler("start,event=cpu,interval=1ms", null);
            double rate = run(template, uri, input, n, c);
            profiler(System.getProperty("bench.profile") + ",collapsed", profiler);
            System.out.printf(Locale.ROOT, "%s: messages=%d concurrency=%d size=4KiB input=%s %.0f msg/s%n", name, n, c,
                    raw ? "raw" : "compose", rate);
        }
    }

    /**
     * Rounds of {@code bench.warmupRound} messages (default 10,000), at least {@code bench.warmup} messages in all
     * (default 20,000), until the JIT compiled for less than 2 % of a round's time, or {@code bench.warmupMax}
     * messages (default 400,000).
     */
    private static void warmUp(ProducerTemplate template, String uri, Input input, int c, String name) throws Exception {
        int round = Integer.getInteger("bench.warmupRound", 10_000);
        int min = Integer.getInteger("bench.warmup", 20_000);
        int max = Integer.getInteger("bench.warmupMax", 400_000);
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        int sent = 0;
        while (true) {
            long compiledBefore = jit.getTotalCompilationTime();
            long start = System.nanoTime();
            double rate = run(template, uri, input, round, c);
            long roundMillis = (System.nanoTime() - start) / 1_000_000;
            long compiled = jit.getTotalCompilationTime() - compiledBefore;
            sent += round;
            System.out.printf(Locale.ROOT, "%s warm-up: %d messages, %.0f msg/s, JIT compiling %d ms of the round's %d ms%n",
                    name, sent, rate, compiled, roundMillis);
            if (sent >= max || (sent >= min && compiled * 50 < roundMillis)) {
                return;
            }
        }
    }

    /**
     * With -Dbench.profile=stop,file=out.collapsed and async-profiler's Java API on the class path (-agentpath
     * loaded), profiles the measured run alone; without it, nothing. Reflective so the bench needs no profiler.
     */
    private static Object profiler(String command, Object instance) throws Exception {
        if (System.getProperty("bench.profile") == null) {
            return null;
        }
        Class<?> type = Class.forName("one.profiler.AsyncProfiler");
        Object p = instance != null ? instance : type.getMethod("getInstance").invoke(null);
        type.getMethod("execute", String.class).invoke(p, command);
        return p;
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
