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

/** SMTP AUTH at a relay host: PLAIN with the configured credentials, a wrong password defers, no password in logs. */
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

    private String plainAuthUri(String password) {
        return relayUri(MX2_IP, "&username=" + USER + "&password=" + password + "&tls=NONE");
    }

    @Test
    void authPlainWithTheConfiguredCredentials() {
        mx2.requireAuth(USER, PASSWORD);

        Exchange exchange = send(plainAuthUri(PASSWORD), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx2.awaitMessage(WAIT);
        assertThat(received.authUser()).isEqualTo(USER);
        assertThat(received.recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertThat(listener.startingWith("command 127.0.0.3 AUTH")).containsExactly("command 127.0.0.3 AUTH PLAIN ****");
        assertThat(dns.queries()).isZero();
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
                                                                                    + received.data().length);
        }
    }

    @Test
    void aWrongPasswordDefers() {
        mx2.requireAuth(USER, PASSWORD);

        Exchange exchange = send(plainAuthUri(WRONG), RAW);

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
        mx2.requireAuth(USER, PASSWORD);
        List<String> secrets = secretsOf(PASSWORD);
        secrets.addAll(secretsOf(WRONG));
        Exchange good;
        Exchange bad;
        List<LogCapture.Line> lines;
        try (LogCapture capture = LogCapture.start()
                .raise("io.github.camelrelay", Level.TRACE)
                // Camel core's own TRACE lines print endpoint URIs unmasked, which no component can prevent
                .raise("org.apache.camel", Level.DEBUG)) {
            good = send(plainAuthUri(PASSWORD), RAW);
            bad = send(plainAuthUri(WRONG), RAW);
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
