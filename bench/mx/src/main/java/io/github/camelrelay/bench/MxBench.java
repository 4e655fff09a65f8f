package io.github.camelrelay.bench;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.xbill.DNS.Type;

/**
 * Benchmark 3: smtprelay: in MX mode over D destination domains, with a real DNS server on loopback. Each domain
 * dK.bench.test has one MX, mx.dK.bench.test, whose A record is one of the sink addresses (smtp-sink on port 25
 * there). N messages of 4 KiB from C threads, recipients round robin over the domains, measured with every record at
 * TTL 300 and again at TTL 0 (the resolver's cache cannot help); the same N in relay mode straight to one sink (no
 * DNS) as the reference; and optionally a peer MTA delivering by MX against the same DNS server and sinks.
 * Prints msg/s and the DNS queries the server received, per type and per message ("other": names that are not an
 * MX or MX host here, such as the PTR look-ups Postfix's smtpd makes for each client connection).
 * <p>
 * Usage: MxBench dnsAddress dnsPort sinkAddresses messages concurrency domains recipientsPerMessage
 * [peerPort peerWaitCommand...]
 * <p>
 * dnsPort 0 picks a free port. With recipientsPerMessage above 1, one more MX run (TTL 300) sends N / R messages to
 * R recipients in R different domains each. The peer (Postfix) listens on 127.0.0.1:peerPort and delivers by MX
 * using this DNS server; this class injects the messages into it through smtprelay in relay mode (any SMTP client
 * would do, and smtp-source takes only one recipient per process), and peerWaitCommand returns once its queue is
 * empty, failing if anything was deferred or bounced: the peer's rate is N over the time from the first message
 * sent to the empty queue.
 */
public final class MxBench {

    private static final long TTL = 300;
    private static final String SENDER = "bench@sender.bench.test";

    private final TestDnsServer dns;
    private final List<String> sinks;
    private final int domains;
    private final int concurrency;
    private final byte[] message;

    private MxBench(TestDnsServer dns, List<String> sinks, int domains, int concurrency) {
        this.dns = dns;
        this.sinks = sinks;
        this.domains = domains;
        this.concurrency = concurrency;
        String text = "x".repeat(76).concat("\r\n").repeat(4096 / 78);
        this.message = ("From: " + SENDER + "\r\nTo: rcpt@bench.test\r\nSubject: benchmark message\r\n"
                        + "Message-ID: <bench@sender.bench.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text)
                .getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        InetAddress dnsAddress = InetAddress.getByName(args[0]);
        int dnsPort = Integer.parseInt(args[1]);
        List<String> sinks = Arrays.asList(args[2].split(","));
        int n = Integer.parseInt(args[3]);
        int c = Integer.parseInt(args[4]);
        int d = Integer.parseInt(args[5]);
        int r = Integer.parseInt(args[6]);
        int peerPort = args.length > 7 ? Integer.parseInt(args[7]) : 0;
        List<String> peerWait = args.length > 8 ? Arrays.asList(args).subList(8, args.length) : List.of();

        try (TestDnsServer dns = TestDnsServer.start(dnsAddress, dnsPort)) {
            MxBench bench = new MxBench(dns, sinks, d, c);
            String mx = "smtprelay:mx?dnsServers=" + dns.address() + "&tls=NONE&addReceivedHeader=false"
                        + "&heloName=relay.bench.test&maxConnectionsPerHost=" + c + "&deliveryThreads=" + c;
            String relay = "smtprelay:relay?relayHost=" + sinks.get(0) + "&relayPort=25&tls=NONE"
                           + "&addReceivedHeader=false&heloName=relay.bench.test&maxConnectionsPerHost=" + c
                           + "&deliveryThreads=" + c;

            bench.records(TTL);
            // warm-up (JIT, class loading), each in its own CamelContext like every measured run
            bench.run(relay, Math.min(n, 3000), 1);
            bench.run(mx, Math.min(n, 3000), 1);

            Result relayMode = bench.measure(relay, n, 1);
            Result mx300 = bench.measure(mx, n, 1);
            Result peer = null;
            if (peerPort > 0) {
                String inject = "smtprelay:inject?relayHost=127.0.0.1&relayPort=" + peerPort + "&tls=NONE"
                                + "&addReceivedHeader=false&heloName=relay.bench.test&maxConnectionsPerHost=" + c
                                + "&deliveryThreads=" + c;
                bench.run(inject, Math.min(n, 500), 1);
                waitFor(peerWait);
                peer = bench.measurePeer(inject, peerWait, n);
            }
            Result multi = null;
            if (r > 1) {
                multi = bench.measure(mx, n / r, r);
            }
            bench.records(0);
            Result mx0 = bench.measure(mx, n, 1);

            System.out.printf(Locale.ROOT, "messages=%d concurrency=%d domains=%d size=4KiB sinks=%s:25 dns=%s%n",
                    n, c, d, String.join(",", sinks), dns.address());
            System.out.printf(Locale.ROOT, "smtprelay MX,    TTL 300: %s%n", mx300);
            System.out.printf(Locale.ROOT, "smtprelay MX,    TTL 0:   %s%n", mx0);
            if (multi != null) {
                System.out.printf(Locale.ROOT, "smtprelay MX,    TTL 300, %d recipients in %d domains per message: %s"
                                               + " (%.0f recipients/s)%n", r, r, multi, multi.rate * r);
            }
            System.out.printf(Locale.ROOT, "smtprelay relay mode:     %s%n", relayMode);
            if (peer != null) {
                System.out.printf(Locale.ROOT, "postfix MX,      TTL 300: %s%n", peer);
            }
            System.out.printf(Locale.ROOT, "TTL cache saves: DNS queries per message TTL 0 / TTL 300 = %.1f;"
                                           + " throughput TTL 300 / TTL 0 = %.2f%n",
                    mx0.perMessage() / mx300.perMessage(), mx300.rate / mx0.rate);
            System.out.printf(Locale.ROOT, "ratio smtprelay MX (TTL 300) / smtprelay relay mode: %.2f%n",
                    mx300.rate / relayMode.rate);
            if (peer != null) {
                System.out.printf(Locale.ROOT, "ratio smtprelay MX / postfix MX (TTL 300): %.2f%n", mx300.rate / peer.rate);
            }
        }
    }

    /** Every domain's MX and its host's A record, with the given TTL; replaces what was there. */
    private void records(long ttl) {
        for (int k = 0; k < domains; k++) {
            dns.remove(domain(k)).remove(mxHost(k));
            dns.mx(domain(k), 10, mxHost(k), ttl);
            dns.a(mxHost(k), sinks.get(k % sinks.size()), ttl);
        }
    }

    private static String domain(int k) {
        return "d" + k + ".bench.test";
    }

    private static String mxHost(int k) {
        return "mx.d" + k + ".bench.test";
    }

    /** A run from empty DNS counters (and, being a new CamelContext, an empty resolver cache). */
    private Result measure(String uri, int n, int recipients) throws Exception {
        dns.resetCounters();
        Run run = run(uri, n, recipients);
        return result(run.rate, n, run.connections);
    }

    /** Injects N messages into the peer, then waits until it has delivered them all. */
    private Result measurePeer(String inject, List<String> waitCommand, int n) throws Exception {
        dns.resetCounters();
        long start = System.nanoTime();
        run(inject, n, 1);
        waitFor(waitCommand);
        return result(n / ((System.nanoTime() - start) / 1e9), n, -1);
    }

    private Result result(double rate, int messages, int connections) {
        int mx = 0;
        int a = 0;
        int aaaa = 0;
        for (int k = 0; k < domains; k++) {
            mx += dns.queries(domain(k), Type.MX);
            a += dns.queries(mxHost(k), Type.A);
            aaaa += dns.queries(mxHost(k), Type.AAAA);
        }
        return new Result(rate, messages, dns.queries(), mx, a, aaaa, connections);
    }

    private static void waitFor(List<String> command) throws Exception {
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
        }
    }

    /**
     * Sends N messages from C threads, message i to the next R domains in turn (round robin); returns msg/s and the
     * connections the endpoint's pool holds at the end (idle ones stay open for connectionIdleTimeout).
     */
    private Run run(String uri, int n, int recipients) throws Exception {
        // a new context per run: the endpoint's DNS cache and connection pool start empty and are closed after it
        try (CamelContext ctx = new DefaultCamelContext()) {
            ctx.start();
            ProducerTemplate template = ctx.createProducerTemplate();
            // resolved once: C threads resolving a new URI at the same moment can each create an endpoint, and the
            // ones that lose the race are not stopped with the context (their connections stay open until idle)
            SmtpRelayEndpoint endpoint = ctx.getEndpoint(uri, SmtpRelayEndpoint.class);
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(concurrency);
            long start = System.nanoTime();
            for (int t = 0; t < concurrency; t++) {
                pool.execute(() -> {
                    try {
                        int i;
                        while ((i = next.getAndIncrement()) < n && failure.get() == null) {
                            List<String> to = new ArrayList<>(recipients);
                            for (int j = 0; j < recipients; j++) {
                                to.add("rcpt@" + domain((i * recipients + j) % domains));
                            }
                            Exchange ex = template.send(endpoint, e -> {
                                e.getMessage().setBody(message);
                                e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, SENDER);
                                e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, to);
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
            return new Run(n / (elapsed / 1e9), endpoint.getActiveConnections() + endpoint.getIdleConnections());
        }
    }

    private record Run(double rate, int connections) {
    }

    private record Result(double rate, int messages, int queries, int mx, int a, int aaaa, int connections) {

        double perMessage() {
            return (double) queries / messages;
        }

        @Override
        public String toString() {
            String open = connections < 0 ? "" : String.format(Locale.ROOT, "; %d connections open at the end", connections);
            return String.format(Locale.ROOT, "%8.0f msg/s  DNS queries %d (MX %d, A %d, AAAA %d, other %d) = %.3f per message%s",
                    rate, queries, mx, a, aaaa, queries - mx - a - aaaa, perMessage(), open);
        }
    }
}
