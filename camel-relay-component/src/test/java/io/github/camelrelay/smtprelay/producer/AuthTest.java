package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * SMTP AUTH at a relay host: PLAIN with the configured credentials, only over TLS with the relay host's certificate
 * verified (here Camel's sslContextParameters trust the test certificate, valid for 127.0.0.3) unless
 * allowAuthWithoutVerifiedTls says the network is trusted; a stripped STARTTLS or a failed handshake never leads to
 * AUTH in plain text; a wrong password defers; no password in logs.
 */
class AuthTest extends ProducerTestSupport {

    private static final String USER = "relay-user";
    private static final String PASSWORD = "s3cr3t-Pa55word";
    private static final String WRONG = "wr0ng-Pa55word";

    private final RecordingListener listener = new RecordingListener();

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("trustTest", trustingTestCertificate());
        context.getRegistry().bind("recorder", listener);
    }

    private static final String CREDENTIALS = "&username=" + USER + "&password=";

    /** The relay host on 127.0.0.3 with STARTTLS and AUTH, its certificate verified. */
    private String verifiedAuthUri(String password) {
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireAuth(USER, PASSWORD);
        return relayUri(MX2_IP, CREDENTIALS + password + "&tls=VERIFY&sslContextParameters=#trustTest");
    }

    /** A relay host on a trusted network, AUTH without a verified certificate explicitly allowed. */
    private String trustedNetworkUri(String tls) {
        return relayUri(MX2_IP, CREDENTIALS + PASSWORD + "&tls=" + tls + "&allowAuthWithoutVerifiedTls=true");
    }

    @Test
    void authPlainWithTheConfiguredCredentials() {
        Exchange exchange = send(verifiedAuthUri(PASSWORD), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx2.awaitMessage(WAIT);
        assertThat(received.authUser()).isEqualTo(USER);
        assertThat(received.tls()).isTrue();
        assertThat(received.recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertThat(listener.startingWith("command 127.0.0.3 AUTH")).containsExactly("command 127.0.0.3 AUTH PLAIN ****");
        assertThat(mx2.commands()).containsSubsequence("STARTTLS", "AUTH ***");
        assertThat(dns.queries()).isZero();
    }

    @Test
    void authMechanismLoginIsUsedWhenAskedAndItsAnswersAreMasked() {
        Exchange exchange = send(verifiedAuthUri(PASSWORD) + "&authMechanism=LOGIN", RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).authUser()).isEqualTo(USER);
        assertThat(listener.startingWith("command 127.0.0.3 AUTH")).containsExactly("command 127.0.0.3 AUTH LOGIN");
        for (String secret : secretsOf(PASSWORD)) {
            assertThat(listener.events).noneSatisfy(e -> assertThat(e).contains(secret));
        }
    }

    @Test
    void aStrippedStartTlsDefersTheRecipientsWithoutSendingThePassword() {
        // a man in the middle removed STARTTLS from the EHLO reply and offers AUTH in plain text
        mx2.requireAuth(USER, PASSWORD);
        Exchange exchange;
        List<LogCapture.Line> lines;
        try (LogCapture capture = LogCapture.start()) {
            exchange = send(trustedNetworkUri("OPPORTUNISTIC"), RAW);
            lines = capture.lines();
        }

        assertAuthHeldBack(exchange, "the server did not offer STARTTLS");
        assertThat(lines).anySatisfy(l -> assertThat(l.message()).contains("to=<bob@example.test>", "dsn=4.7.10",
                "status=deferred (AUTH not sent in plain text: the server did not offer STARTTLS"));
    }

    @Test
    void aFailedHandshakeDefersTheRecipientsInsteadOfRetryingAuthInPlainText() throws Exception {
        // the server offers STARTTLS, but no handshake can succeed, and it takes AUTH in plain text too
        javax.net.ssl.SSLContext broken = javax.net.ssl.SSLContext.getInstance("TLS");
        broken.init(null, null, null);
        mx2.advertiseStartTls(broken).requireAuth(USER, PASSWORD).authBeforeTls(true);

        Exchange exchange = send(trustedNetworkUri("OPPORTUNISTIC"), RAW);

        assertAuthHeldBack(exchange, "the TLS handshake failed");
        assertThat(mx2.connections()).as("no plain-text retry").isEqualTo(1);
    }

    @Test
    void requiredWithoutVerificationAuthenticatesWhenAllowedForATrustedNetwork() {
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireAuth(USER, PASSWORD);

        Exchange exchange = send(trustedNetworkUri("REQUIRED"), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx2.awaitMessage(WAIT);
        assertThat(received.tls()).isTrue();
        assertThat(received.authUser()).isEqualTo(USER);
    }

    @Test
    void tlsNoneAuthenticatesInPlainTextWhenAllowedForATrustedNetwork() {
        mx2.requireAuth(USER, PASSWORD);

        Exchange exchange = send(trustedNetworkUri("NONE"), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx2.awaitMessage(WAIT);
        assertThat(received.tls()).isFalse();
        assertThat(received.authUser()).isEqualTo(USER);
    }

    @Test
    void anUntrustedCertificateDefersWithoutSendingThePassword() {
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireAuth(USER, PASSWORD);

        Exchange exchange = send(relayUri(MX2_IP, CREDENTIALS + PASSWORD), RAW);

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.replyText()).contains("certification path");
        });
        assertThat(mx2.commands()).contains("STARTTLS").doesNotContain("AUTH ***");
        assertThat(mx2.messages()).isEmpty();
    }

    private void assertAuthHeldBack(Exchange exchange, String reason) {
        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.enhancedStatus()).isEqualTo("4.7.10");
            assertThat(s.replyText()).startsWith("AUTH not sent in plain text: " + reason);
        });
        assertThat(mx2.commands()).doesNotContain("AUTH ***").noneMatch(c -> c.startsWith("MAIL"));
        assertThat(mx2.messages()).isEmpty();
        assertThat(listener.startingWith("command 127.0.0.3 AUTH")).isEmpty();
    }

    @Test
    void authAfterStartTlsWithTheCertificateVerifiedByDefault() {
        int relayPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        try (TestSmtpServer relay = TestSmtpServer.start("127.0.0.1", relayPort)
                .advertiseStartTls(TestCertificates.serverContext())
                .requireAuth(USER, PASSWORD)) {
            String uri = "smtprelay:auth?relayHost=localhost&relayPort=" + relayPort + "&ipVersion=IPV4"
                         + "&username=" + USER + "&password=" + PASSWORD + "&sslContextParameters=#trustTest"
                         + "&heloName=" + HELO + TIMEOUTS;

            Exchange exchange = send(uri, RAW);

            assertThat(exchange.getException()).isNull();
            Received received = relay.awaitMessage(WAIT);
            assertThat(received.tls()).isTrue();
            assertThat(received.authUser()).isEqualTo(USER);
            assertThat(relay.commands()).containsSubsequence("STARTTLS", "AUTH ***", "MAIL FROM:<alice@sender.test> SIZE="
                                                                                    + received.data().length + " BODY=8BITMIME");
        }
    }

    @Test
    void aWrongPasswordDefers() {
        Exchange exchange = send(verifiedAuthUri(WRONG), RAW);

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.replyCode()).isEqualTo(535);
            assertThat(s.enhancedStatus()).isEqualTo("4.7.8");
        });
        assertThat(mx2.messages()).isEmpty();
        assertThat(mx2.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void thePasswordNeverAppearsInLogsListenerEventsReportsOrExceptions() {
        String goodUri = verifiedAuthUri(PASSWORD);
        String badUri = verifiedAuthUri(WRONG);
        List<String> secrets = secretsOf(PASSWORD);
        secrets.addAll(secretsOf(WRONG));
        Exchange good;
        Exchange bad;
        List<LogCapture.Line> lines;
        try (LogCapture capture = LogCapture.start()
                .raise("io.github.camelrelay", Level.TRACE)
                // Camel core's own TRACE lines print endpoint URIs unmasked, which no component can prevent
                .raise("org.apache.camel", Level.DEBUG)) {
            good = send(goodUri, RAW);
            bad = send(badUri, RAW);
            context.stop();
            lines = capture.lines();
        }

        assertThat(good.getException()).isNull();
        assertThat(bad.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(lines).as("something was logged").anySatisfy(l -> assertThat(l.message()).contains("to=<bob@example.test>"));
        assertThat(lines).as("the endpoint URI is logged, masked")
                .anySatisfy(l -> assertThat(l.message()).contains("password=xxxxxx"));
        for (String secret : secrets) {
            assertThat(lines).noneSatisfy(l -> assertThat(l.all()).contains(secret));
            assertThat(listener.events).noneSatisfy(e -> assertThat(e).contains(secret));
            assertThat(report(good).toString()).doesNotContain(secret);
            assertThat(report(bad).toString()).doesNotContain(secret);
            assertThat(bad.getException().toString()).doesNotContain(secret);
        }
        assertThat(listener.startingWith("command 127.0.0.3 AUTH")).containsOnly("command 127.0.0.3 AUTH PLAIN ****");
    }

    /** The password as typed and as it travels in AUTH PLAIN and AUTH LOGIN. */
    private static List<String> secretsOf(String password) {
        Base64.Encoder b64 = Base64.getEncoder();
        return new java.util.ArrayList<>(List.of(password,
                b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString(("\0" + USER + "\0" + password).getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString((USER + "\0" + USER + "\0" + password).getBytes(StandardCharsets.UTF_8))));
    }
}
