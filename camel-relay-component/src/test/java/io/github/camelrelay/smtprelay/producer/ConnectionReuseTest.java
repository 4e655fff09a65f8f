package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * Connections are pooled per remote address: reused across exchanges (and MX names at the address, unless TLS verified
 * another name) with RSET between transactions, never more than maxConnectionsPerHost to one address at a time nor
 * maxTotalConnections in all, renewed after maxMessagesPerConnection, and shared
 * safely by concurrent senders.
 */
class ConnectionReuseTest extends ProducerTestSupport {

    private static final String CONCURRENT = "&commandTimeout=5000";

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("trustTest", trustingTestCertificate());
    }

    @Test
    void atMaxTotalConnectionsTheLongestIdleConnectionToAnotherHostIsClosedToMakeRoom() {
        dns.mx("other.test", 10, "mx2.example.test");
        String uri = mxUri("&maxTotalConnections=1&connectionIdleTimeout=60000");

        assertThat(send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test")).getException()).isNull();
        await().atMost(WAIT).untilAsserted(() -> assertThat(mx1.openConnections()).isEqualTo(1));
        assertThat(send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "zoe@other.test")).getException()).isNull();

        assertThat(mx2.awaitMessage(WAIT).recipients()).containsExactly("zoe@other.test");
        await().atMost(WAIT).untilAsserted(() -> assertThat(mx1.openConnections()).as("idle one closed").isZero());
        assertThat(mx2.openConnections()).isEqualTo(1);
        SmtpRelayEndpoint endpoint = context.getEndpoint(uri, SmtpRelayEndpoint.class);
        assertThat(endpoint.getIdleConnections() + endpoint.getActiveConnections()).isEqualTo(1);
    }

    @Test
    void aConnectionIsReusedAcrossExchangesWithoutRsetAfterACompletedTransaction() {
        String uri = mxUri();

        for (int i = 0; i < 3; i++) {
            assertThat(send(uri, RAW).getException()).isNull();
        }

        assertThat(mx1.messages()).hasSize(3).extracting(Received::connectionNumber).containsOnly(1);
        assertThat(mx1.connections()).isEqualTo(1);
        List<String> commands = mx1.commands();
        assertThat(commands.stream().filter(c -> c.startsWith("EHLO")).count()).as("one greeting for three messages").isEqualTo(1);
        // the reply to the final dot ends a transaction (RFC 5321 4.1.1.4): nothing to reset
        assertThat(mx1.rsetCount()).isZero();
        assertThat(context.getEndpoint(uri, SmtpRelayEndpoint.class).getIdleConnections()).isEqualTo(1);
    }

    @Test
    void aTransactionLeftOpenIsResetBeforeTheConnectionCarriesAnother() {
        String uri = mxUri("&pipelining=false");
        mx1.rcptReply(a -> a.startsWith("gone") ? "550 5.1.1 No such user" : "250 2.1.5 OK");

        send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "gone@example.test"));
        assertThat(send(uri, RAW).getException()).isNull();

        assertThat(mx1.connections()).isEqualTo(1);
        List<String> commands = mx1.commands();
        int secondMail = commands.lastIndexOf(commands.stream().filter(c -> c.startsWith("MAIL FROM")).reduce((a, b) -> b).orElseThrow());
        assertThat(commands.subList(0, secondMail)).as("MAIL FROM, refused RCPT TO, then RSET before the next MAIL FROM")
                .endsWith("RCPT TO:<gone@example.test>", "RSET");
        assertThat(mx1.messages()).hasSize(1);
    }

    @Test
    void maxMessagesPerConnectionOpensANewConnection() {
        String uri = mxUri("&maxMessagesPerConnection=2");

        for (int i = 0; i < 5; i++) {
            assertThat(send(uri, RAW).getException()).isNull();
        }

        assertThat(mx1.messages()).extracting(Received::connectionNumber).containsExactly(1, 1, 2, 2, 3);
    }

    @Test
    void withoutIdleTimeoutEveryMessageGetsItsOwnConnection() {
        String uri = mxUri("&connectionIdleTimeout=0");

        for (int i = 0; i < 3; i++) {
            assertThat(send(uri, RAW).getException()).isNull();
        }

        assertThat(mx1.messages()).extracting(Received::connectionNumber).containsExactly(1, 2, 3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(mx1.openConnections()).isZero());
    }

    @Test
    void aConnectionTheServerClosedIsReplacedWithoutLosingTheMessage() {
        mx1.closeAfterData(true);
        String uri = mxUri();

        for (int i = 0; i < 3; i++) {
            assertThat(send(uri, RAW).getException()).isNull();
        }

        assertThat(mx1.messages()).extracting(Received::connectionNumber).containsExactly(1, 2, 3);
        assertThat(mx2.connections()).isZero();
    }

    @Test
    void aPooledConnectionThatDiedWhileIdleIsReplacedOnTheSameHost() {
        String uri = mxUri();
        assertThat(send(uri, RAW).getException()).isNull();
        // the server goes away with the pooled connection and comes back on the same address and port
        mx1.close();
        mx1 = await().atMost(WAIT).ignoreExceptions().until(() -> TestSmtpServer.start(MX1_IP, port), java.util.Objects::nonNull);

        Exchange exchange = send(uri, RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.host()).isEqualTo("mx1.example.test"));
        assertThat(mx1.messages()).hasSize(1);
    }

    @Test
    void oneSlotPerHostIsSharedByConcurrentSenders() throws Exception {
        String uri = mxUri("&maxConnectionsPerHost=1" + CONCURRENT);

        List<Exchange> results = sendConcurrently(uri, 2, 10);

        assertThat(results).allSatisfy(e -> assertThat(e.getException()).isNull());
        assertThat(mx1.messages()).hasSize(20).extracting(Received::connectionNumber).containsOnly(1);
        assertThat(mx1.connections()).isEqualTo(1);
    }

    @Test
    void concurrentSendersAllDeliverWithinTheConnectionLimit() throws Exception {
        String uri = mxUri("&maxConnectionsPerHost=3" + CONCURRENT);

        List<Exchange> results = sendConcurrently(uri, 8, 10);

        assertThat(results).hasSize(80).allSatisfy(e -> {
            assertThat(e.getException()).isNull();
            assertThat(report(e).allDelivered()).isTrue();
        });
        assertThat(mx1.messages()).hasSize(80);
        assertThat(mx1.connections()).isBetween(1, 3);
        List<String> ids = mx1.messages().stream().map(m -> m.text().lines().filter(l -> l.startsWith("X-Seq:")).findFirst().orElseThrow()).toList();
        assertThat(ids).as("every message exactly once").doesNotHaveDuplicates().hasSize(80);
    }

    @Test
    void maxConnectionsPerHostHoldsPerAddressWhateverMxNamesLeadThere() throws Exception {
        // four domains, each with an MX name of its own, all on 127.0.0.2
        for (int i = 1; i <= 4; i++) {
            dns.mx("d" + i + ".test", 10, "mx.d" + i + ".test").a("mx.d" + i + ".test", MX1_IP);
        }
        CountDownLatch finalDot = new CountDownLatch(1);
        mx1.dataReply(n -> {
            try {
                finalDot.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "250 2.0.0 queued as " + n;
        });
        // a delivery waits commandTimeout (1 s) for the address's one slot, while the first holds it at its final dot
        String uri = mxUri("&maxConnectionsPerHost=1&dataTimeout=" + WAIT.toMillis());

        List<CompletableFuture<Exchange>> sent = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            String recipient = "r@d" + i + ".test";
            sent.add(template.asyncSend(uri, e -> {
                e.getMessage().setBody(RAW);
                e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, recipient);
            }));
        }
        await().atMost(WAIT).until(() -> mx1.mostOpenConnections() > 1 || sent.stream().filter(CompletableFuture::isDone).count() == 3);
        finalDot.countDown();
        List<Exchange> results = sent.stream().map(CompletableFuture::join).toList();

        assertThat(mx1.mostOpenConnections()).as("connections open at once to 127.0.0.2").isEqualTo(1);
        assertThat(results).filteredOn(e -> e.getException() == null).singleElement()
                .satisfies(e -> assertThat(report(e).allDelivered()).isTrue());
        assertThat(results).filteredOn(e -> e.getException() != null).hasSize(3).allSatisfy(e ->
                assertThat(report(e).statuses()).singleElement().satisfies(s -> {
                    assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
                    assertThat(s.replyText()).contains("no connection slot within the wait");
                }));
        assertThat(mx1.messages()).hasSize(1);
    }

    @Test
    void aConnectionToOneAddressCarriesMailForAnotherMxNameThere() {
        dns.mx("other.test", 10, "mail.other.test").a("mail.other.test", MX1_IP);
        String uri = mxUri();

        Exchange first = send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test"));
        Exchange second = send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "zoe@other.test"));

        assertThat(first.getException()).isNull();
        assertThat(second.getException()).isNull();
        assertThat(mx1.messages()).extracting(Received::connectionNumber).containsExactly(1, 1);
        assertThat(report(first).statusOf("bob@example.test").host()).isEqualTo("mx1.example.test");
        assertThat(report(second).statusOf("zoe@other.test").host()).isEqualTo("mail.other.test");
    }

    @Test
    void aConnectionWhoseCertificateWasVerifiedForOneMxNameDoesNotServeAnother() {
        // the test certificate names mx1.example.test, not mail.other.test, on the same address
        dns.mx("other.test", 10, "mail.other.test").a("mail.other.test", MX1_IP);
        mx1.advertiseStartTls(TestCertificates.serverContext());
        String uri = mxUri("&tls=VERIFY&sslContextParameters=#trustTest");

        Exchange verified = send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test"));
        Exchange otherName = send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "zoe@other.test"));

        assertThat(verified.getException()).isNull();
        assertThat(report(otherName).statusOf("zoe@other.test").outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(report(otherName).statusOf("zoe@other.test").replyText()).contains("mail.other.test");
        assertThat(mx1.messages()).hasSize(1);
        assertThat(mx1.connections()).isEqualTo(2);
    }

    /** {@code threads} threads each send {@code perThread} messages through one ProducerTemplate. */
    private List<Exchange> sendConcurrently(String uri, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<List<Exchange>>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                tasks.add(() -> {
                    List<Exchange> sent = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String body = "X-Seq: " + thread + "-" + i + "\r\n" + RAW;
                        sent.add(send(uri, body, Map.of(SmtpRelayConstants.RECIPIENTS, "r" + thread + "@example.test")));
                    }
                    return sent;
                });
            }
            List<Exchange> all = new ArrayList<>();
            for (Future<List<Exchange>> f : pool.invokeAll(tasks, WAIT.toSeconds() * 3, TimeUnit.SECONDS)) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
