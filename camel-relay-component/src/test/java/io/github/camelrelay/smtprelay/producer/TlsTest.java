package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * STARTTLS under each TLS mode against a self-signed certificate (valid for localhost, mx1.example.test and
 * 127.0.0.1-3), VERIFY with Camel's sslContextParameters trusting it, and implicit TLS.
 */
class TlsTest extends ProducerTestSupport {

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("trustTest", trustingTestCertificate());
    }

    private void assertDeferred(Exchange exchange, String reason) {
        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.enhancedStatus()).startsWith("4.");
            assertThat(s.replyText()).contains(reason);
        });
        assertThat(mx1.messages()).isEmpty();
    }

    @Test
    void opportunisticStartTlsEncryptsWithoutCheckingTheCertificate() {
        mx1.advertiseStartTls(TestCertificates.serverContext());

        Exchange exchange = send(mxUri(), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.tls()).isTrue();
        assertThat(mx1.commands()).contains("STARTTLS");
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.tls()).isTrue());
        assertThat(report(exchange).toString()).contains("tls=opportunistic");
        assertSameBytes(withoutReceived(received.data()), RAW_BYTES);
    }

    @Test
    void opportunisticWithoutStartTlsSendsInPlainText() {
        Exchange exchange = send(mxUri(), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).tls()).isFalse();
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.tls()).isFalse());
    }

    @Test
    void aFailedOpportunisticHandshakeIsRetriedInPlainText() throws Exception {
        // a server context without a certificate: the server offers STARTTLS but no handshake can succeed
        javax.net.ssl.SSLContext broken = javax.net.ssl.SSLContext.getInstance("TLS");
        broken.init(null, null, null);
        mx1.advertiseStartTls(broken);

        Exchange exchange = send(mxUri(), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.tls()).isFalse();
        assertThat(received.connectionNumber()).isEqualTo(2);
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.tls()).isFalse());
    }

    @Test
    void aFailedHandshakeUnderRequiredDefers() throws Exception {
        javax.net.ssl.SSLContext broken = javax.net.ssl.SSLContext.getInstance("TLS");
        broken.init(null, null, null);
        mx1.advertiseStartTls(broken);

        assertDeferred(send(mxUri("&tls=REQUIRED"), RAW), "TLS");
        assertThat(mx1.connections()).isEqualTo(1);
    }

    @Test
    void tlsNoneNeverStartsTls() {
        mx1.advertiseStartTls(TestCertificates.serverContext());

        Exchange exchange = send(mxUri("&tls=NONE"), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).tls()).isFalse();
        assertThat(mx1.commands()).doesNotContain("STARTTLS");
    }

    @Test
    void requiredAgainstAServerWithoutStartTlsDefers() {
        assertDeferred(send(mxUri("&tls=REQUIRED"), RAW), "STARTTLS");
        assertThat(mx1.connections()).isEqualTo(1);
        assertThat(mx1.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void requiredWithStartTlsDelivers() {
        mx1.advertiseStartTls(TestCertificates.serverContext());

        Exchange exchange = send(mxUri("&tls=REQUIRED"), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).tls()).isTrue();
    }

    @Test
    void requiredMovesOnToAnMxThatOffersStartTls() {
        dns.mx("example.test", 20, "mx2.example.test");
        mx2.advertiseStartTls(TestCertificates.serverContext());

        Exchange exchange = send(mxUri("&tls=REQUIRED"), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).tls()).isTrue();
        assertThat(mx1.messages()).isEmpty();
    }

    @Test
    void verifyWithoutTrustingTheCertificateDefers() {
        mx1.advertiseStartTls(TestCertificates.serverContext());

        assertDeferred(send(mxUri("&tls=VERIFY"), RAW), "certification path");
    }

    @Test
    void verifyTrustingTheCertificateDeliversToAnMxWhoseNameMatches() {
        mx1.advertiseStartTls(TestCertificates.serverContext());

        Exchange exchange = send(mxUri("&tls=VERIFY&sslContextParameters=#trustTest"), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).tls()).isTrue();
        RecipientStatus status = report(exchange).statusOf("bob@example.test");
        assertThat(status.tls()).isTrue();
        assertThat(status.host()).isEqualTo("mx1.example.test");
    }

    @Test
    void verifyDefersWhenTheMxNameIsNotInTheCertificate() {
        dns.remove("example.test").mx("example.test", 10, "mail.elsewhere.test").a("mail.elsewhere.test", MX1_IP);
        mx1.advertiseStartTls(TestCertificates.serverContext());

        assertDeferred(send(mxUri("&tls=VERIFY&sslContextParameters=#trustTest"), RAW), "mail.elsewhere.test");
    }

    @Test
    void verifyTrustingTheCertificateDeliversToARelayHostByName() {
        int relayPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        try (TestSmtpServer relay = TestSmtpServer.start("127.0.0.1", relayPort)
                .advertiseStartTls(TestCertificates.serverContext())) {
            String uri = "smtprelay:relay?relayHost=localhost&relayPort=" + relayPort + "&ipVersion=IPV4&tls=VERIFY"
                         + "&sslContextParameters=#trustTest&heloName=" + HELO + TIMEOUTS;

            Exchange exchange = send(uri, RAW);

            assertThat(exchange.getException()).isNull();
            Received received = relay.awaitMessage(WAIT);
            assertThat(received.tls()).isTrue();
            assertThat(received.recipients()).containsExactly("bob@example.test", "carol@example.test");
            assertThat(report(exchange).statusOf("bob@example.test").host()).isEqualTo("localhost");
            assertThat(report(exchange).statusOf("bob@example.test").tls()).isTrue();
        }
    }

    @Test
    void implicitTlsSpeaksTlsFromTheFirstByte() {
        mx2.implicitTls(TestCertificates.serverContext());

        Exchange exchange = send(relayUri(MX2_IP, "&implicitTls=true"), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx2.awaitMessage(WAIT);
        assertThat(received.tls()).isTrue();
        assertThat(mx2.commands()).doesNotContain("STARTTLS");
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.tls()).isTrue());
    }

    @Test
    void implicitTlsWithVerifyChecksTheCertificate() {
        mx2.implicitTls(TestCertificates.serverContext());

        Exchange trusted = send(relayUri(MX2_IP, "&implicitTls=true&tls=VERIFY&sslContextParameters=#trustTest"), RAW);
        Exchange untrusted = send(relayUri(MX2_IP, "&implicitTls=true&tls=VERIFY"), RAW);

        assertThat(trusted.getException()).isNull();
        assertThat(untrusted.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(mx2.messages()).hasSize(1);
    }

    @Test
    void implicitTlsAgainstAPlainServerDefers() {
        Exchange exchange = send(relayUri(MX2_IP, "&implicitTls=true"), RAW);

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(mx2.messages()).isEmpty();
    }
}
