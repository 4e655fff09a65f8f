package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * MX delivery: grouping by domain and batch, preference order with equal preferences shuffled, implicit MX, null
 * MX, NXDOMAIN, DNS timeouts and SERVFAIL, the DNS cache and the TCP fallback for truncated answers.
 */
class MxRoutingTest extends ProducerTestSupport {

    @Test
    void oneTransactionPerDomain() {
        dns.mx("one.test", 10, "mx1.example.test").mx("two.test", 10, "mx1.example.test");

        Exchange exchange = sendTo(mxUri(), "a@one.test, b@two.test, c@one.test, d@two.test, e@one.test");

        assertThat(exchange.getException()).isNull();
        List<Received> received = mx1.awaitMessages(2, WAIT);
        assertThat(received).extracting(Received::recipients).containsExactlyInAnyOrder(
                List.of("a@one.test", "c@one.test", "e@one.test"), List.of("b@two.test", "d@two.test"));
        assertThat(mx1.messages()).hasSize(2);
        assertThat(mx1.connections()).as("both domains share the connection to the same host").isEqualTo(1);
    }

    @Test
    void batchSizeSplitsADomainIntoSeveralTransactions() {
        Exchange exchange = sendTo(mxUri("&batchSize=2"),
                "r1@example.test, r2@example.test, r3@example.test, r4@example.test, r5@example.test");

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessages(3, WAIT)).extracting(Received::recipients).containsExactly(
                List.of("r1@example.test", "r2@example.test"), List.of("r3@example.test", "r4@example.test"),
                List.of("r5@example.test"));
        assertThat(report(exchange).recipients(Outcome.DELIVERED)).hasSize(5);
    }

    @Test
    void mxHostsAreTriedInPreferenceOrder() {
        dns.remove("example.test").mx("example.test", 20, "mx2.example.test").mx("example.test", 10, "mx1.example.test");
        RecordingListener listener = new RecordingListener();
        context.getRegistry().bind("listener", listener);

        for (int i = 0; i < 5; i++) {
            assertThat(send(mxUri("&listener=#listener"), RAW).getException()).isNull();
        }

        assertThat(mx1.messages()).hasSize(5);
        assertThat(mx2.connections()).isZero();
        assertThat(listener.startingWith("mx ")).containsOnly("mx example.test [mx1.example.test, mx2.example.test]");
    }

    @Test
    void theNextPreferenceIsUsedWhenTheBestIsDown() {
        dns.remove("example.test").mx("example.test", 20, "mx2.example.test").mx("example.test", 10, "mx1.example.test");
        mx1.greeting("421 4.3.2 Service shutting down");

        Exchange exchange = send(mxUri(), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.host()).isEqualTo("mx2.example.test"));
    }

    @Test
    void equalPreferencesAreShuffledSoBothHostsGetTraffic() {
        dns.remove("example.test").mx("example.test", 10, "mx1.example.test").mx("example.test", 10, "mx2.example.test");

        for (int i = 0; i < 40; i++) {
            assertThat(send(mxUri(), RAW).getException()).isNull();
        }

        assertThat(mx1.messages().size() + mx2.messages().size()).isEqualTo(40);
        assertThat(mx1.messages()).as("first contacts of mx1").isNotEmpty();
        assertThat(mx2.messages()).as("first contacts of mx2").isNotEmpty();
    }

    @Test
    void withoutMxRecordTheDomainsOwnAddressIsTheImplicitMx() {
        dns.a("implicit.test", MX2_IP);

        Exchange exchange = sendTo(mxUri(), "ian@implicit.test");

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).recipients()).containsExactly("ian@implicit.test");
        RecipientStatus status = report(exchange).statusOf("ian@implicit.test");
        assertThat(status.host()).isEqualTo("implicit.test");
        assertThat(status.ip()).isEqualTo(MX2_IP);
        assertThat(dns.queries("implicit.test", Type.MX)).isEqualTo(1);
        assertThat(dns.queries("implicit.test", Type.A)).isEqualTo(1);
    }

    @Test
    void nullMxFailsWithoutAnyConnection() {
        dns.mx("nomail.test", 0, ".");

        Exchange exchange = sendTo(mxUri(), "nobody@nomail.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class);
        RecipientStatus status = report(exchange).statusOf("nobody@nomail.test");
        assertThat(status.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(status.enhancedStatus()).isEqualTo("5.1.10");
        assertThat(status.replyCode()).isZero();
        assertThat(status.host()).isNull();
        assertThat(mx1.connections() + mx2.connections()).isZero();
    }

    @Test
    void nxdomainFails() {
        dns.nxdomain("gone.test");

        Exchange exchange = sendTo(mxUri(), "x@gone.test, bob@example.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class);
        DeliveryReport report = report(exchange);
        assertThat(report.statusOf("x@gone.test").outcome()).isEqualTo(Outcome.FAILED);
        assertThat(report.statusOf("x@gone.test").enhancedStatus()).isEqualTo("5.1.2");
        assertThat(report.statusOf("bob@example.test").outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test");
    }

    @Test
    void mxHostsWithoutAddressFail() {
        dns.mx("dangling.test", 10, "nowhere.dangling.test");

        Exchange exchange = sendTo(mxUri(), "x@dangling.test");

        RecipientStatus status = report(exchange).statusOf("x@dangling.test");
        assertThat(status.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(status.enhancedStatus()).isEqualTo("5.4.4");
    }

    @Test
    void aDnsTimeoutDefersAndNeverFails() {
        dns.drop("slow.test");

        Exchange exchange = sendTo(mxUri(), "x@slow.test, bob@example.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        RecipientStatus status = report(exchange).statusOf("x@slow.test");
        assertThat(status.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(status.enhancedStatus()).isEqualTo("4.4.3");
        assertThat(report(exchange).statusOf("bob@example.test").outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(dns.queries("slow.test", Type.MX)).isPositive();
    }

    @Test
    void aTimeoutResolvingTheMxHostDefers() {
        dns.mx("slowhost.test", 10, "mx.slowhost.test").drop("mx.slowhost.test");

        Exchange exchange = sendTo(mxUri(), "x@slowhost.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statusOf("x@slowhost.test").outcome()).isEqualTo(Outcome.DEFERRED);
    }

    @Test
    void servfailDefersAndNeverFails() {
        dns.servfail("broken.test");

        Exchange exchange = sendTo(mxUri(), "x@broken.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        RecipientStatus status = report(exchange).statusOf("x@broken.test");
        assertThat(status.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(status.enhancedStatus()).startsWith("4.");
        assertThat(mx1.connections() + mx2.connections()).isZero();
    }

    @Test
    void answersAreCachedForTheirTtl() {
        String uri = mxUri();
        assertThat(send(uri, RAW).getException()).isNull();
        int mxQueries = dns.queries("example.test", Type.MX);
        int aQueries = dns.queries("mx1.example.test", Type.A);
        assertThat(mxQueries).isEqualTo(1);
        assertThat(aQueries).isEqualTo(1);

        assertThat(send(uri, RAW).getException()).isNull();

        assertThat(mx1.messages()).hasSize(2);
        assertThat(dns.queries("example.test", Type.MX)).as("no new MX query within the TTL").isEqualTo(1);
        assertThat(dns.queries("mx1.example.test", Type.A)).as("no new A query within the TTL").isEqualTo(1);
    }

    @Test
    void anExpiredAnswerIsAskedAgain() {
        dns.mx("short.test", 10, "mx1.example.test", 1);
        String uri = mxUri();
        assertThat(sendTo(uri, "x@short.test").getException()).isNull();
        assertThat(dns.queries("short.test", Type.MX)).isEqualTo(1);

        AtomicInteger sent = new AtomicInteger(1);
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(sendTo(uri, "x@short.test").getException()).isNull();
            sent.incrementAndGet();
            assertThat(dns.queries("short.test", Type.MX)).isEqualTo(2);
        });
        assertThat(mx1.messages()).hasSize(sent.get());
    }

    @Test
    void aTruncatedUdpAnswerFallsBackToTcp() {
        dns.truncateUdp(true);

        Exchange exchange = send(mxUri(), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).recipients()).hasSize(2);
        assertThat(dns.tcpQueries()).isPositive();
    }

    @Test
    void internationalizedDomainsAreLookedUpAndSentAsALabels() {
        dns.mx("xn--bcher-kva.test", 10, "mx2.example.test");

        Exchange exchange = sendTo(mxUri(), "leser@bücher.test");

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).recipients()).containsExactly("leser@xn--bcher-kva.test");
        assertThat(report(exchange).statusOf("leser@xn--bcher-kva.test").outcome()).isEqualTo(Outcome.DELIVERED);
    }

    @Test
    void anAddressLiteralIsDeliveredToWithoutDns() {
        Exchange exchange = sendTo(mxUri(), "postmaster@[" + MX2_IP + "]");

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).recipients()).containsExactly("postmaster@[" + MX2_IP + "]");
        assertThat(dns.queries()).isZero();
    }

    @Test
    void maxMxHostsLimitsTheAddressesTried() {
        dns.remove("example.test").mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test");
        mx1.greeting("421 4.3.2 busy");

        Exchange exchange = send(mxUri("&maxMxHosts=1"), RAW);

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(mx1.connections()).isEqualTo(1);
        assertThat(mx2.connections()).isZero();
    }
}
