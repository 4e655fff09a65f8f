package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.auth.SmtpRelayToken;
import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestClock;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * SMTP AUTH XOAUTH2 and OAUTHBEARER (RFC 7628) at a relay host with tokens from a token provider, over STARTTLS with
 * the relay host's certificate verified (Camel's sslContextParameters trust the test certificate, valid for
 * 127.0.0.3): the token kept until it expires, a pooled connection whose token has expired closed rather than reused,
 * a refused token replaced once, and no token in logs, listener events, reports, exceptions or Angus's wire trace.
 * The token expiry is read from the component's clock, which the tests move.
 */
class OAuthTest extends ProducerTestSupport {

    private static final String USER = "relay@example.test";
    private static final Duration LIFETIME = Duration.ofMinutes(60);

    private final RecordingListener listener = new RecordingListener();
    private final TestClock clock = TestClock.at("2026-11-09T23:59:59Z");
    private final Tokens tokens = new Tokens(clock, 0);

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("trustTest", trustingTestCertificate());
        context.getRegistry().bind("recorder", listener);
        context.getRegistry().bind("tokens", tokens);
        context.getRegistry().bind("longTokens", new Tokens(clock, 1500));
        context.getRegistry().bind("broken", (SmtpRelayTokenProvider) user -> {
            throw new IllegalStateException("authorization server unreachable");
        });
        context.getComponent("smtprelay", io.github.camelrelay.smtprelay.SmtpRelayComponent.class).setClock(clock);
    }

    /** The relay host on 127.0.0.3 with STARTTLS, its certificate verified, taking the tokens {@code accepted} names. */
    private String verifiedUri(String options, String... accepted) {
        List<String> good = List.of(accepted);
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireBearer(USER, good::contains);
        return relayUri(MX2_IP, "&username=" + USER + "&tls=VERIFY&sslContextParameters=#trustTest&tokenProvider=#tokens"
                                + options);
    }

    @Test
    void xoauth2WithTheProvidersToken() {
        Exchange exchange = send(verifiedUri("&authMechanism=XOAUTH2", Tokens.token(1)), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx2.awaitMessage(WAIT);
        assertThat(received.authUser()).isEqualTo(USER);
        assertThat(received.tls()).isTrue();
        assertThat(received.recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertThat(mx2.bearerTokens()).containsExactly(Tokens.token(1));
        assertThat(mx2.commands()).containsSubsequence("STARTTLS", "AUTH ***", "MAIL FROM:<alice@sender.test> SIZE="
                                                                              + received.data().length + " BODY=8BITMIME");
        assertThat(listener.startingWith("command 127.0.0.3 AUTH")).containsExactly("command 127.0.0.3 AUTH XOAUTH2 ****");
        assertThat(tokens.calls).containsExactly("token " + USER);
    }

    @Test
    void oauthBearerIsChosenWhenTheServerOffersBoth() {
        Exchange exchange = send(verifiedUri("", Tokens.token(1)), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).authUser()).isEqualTo(USER);
        assertThat(listener.startingWith("command 127.0.0.3 AUTH")).containsExactly("command 127.0.0.3 AUTH OAUTHBEARER ****");
        assertThat(mx2.bearerTokens()).containsExactly(Tokens.token(1));
    }

    @Test
    void aTokenTooLongForTheAuthLineGoesAfterTheServersChallenge() {
        // a real access token (a JWT from Entra ID: 1 to 3 KB) does not fit the 512 octets of a command line
        String longToken = Tokens.token(1) + "x".repeat(1500 - Tokens.token(1).length());
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireBearer(USER, longToken::equals);
        String uri = relayUri(MX2_IP, "&username=" + USER + "&tls=VERIFY&sslContextParameters=#trustTest"
                                      + "&tokenProvider=#longTokens&authMechanism=XOAUTH2");

        Exchange exchange = send(uri, RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).authUser()).isEqualTo(USER);
        assertThat(mx2.bearerTokens()).containsExactly(longToken);
        assertThat(listener.events).containsSubsequence("command 127.0.0.3 AUTH XOAUTH2", "reply 127.0.0.3 334 ",
                "command 127.0.0.3 ****", "reply 127.0.0.3 235 2.7.0 Accepted");
    }

    @Test
    void aPooledConnectionWhoseTokenExpiredIsClosedAndTheNextMessageAuthenticatesWithAFreshToken() {
        String uri = verifiedUri("&connectionIdleTimeout=600000", Tokens.token(1), Tokens.token(2));

        assertThat(send(uri, RAW).getException()).isNull();
        clock.advance(LIFETIME.minusSeconds(1));
        assertThat(send(uri, RAW).getException()).isNull();
        List<Received> beforeExpiry = mx2.awaitMessages(2, WAIT);
        assertThat(beforeExpiry).extracting(Received::connectionNumber).as("reused while the token is valid").containsExactly(1, 1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(send(uri, RAW).getException()).isNull();

        Received afterExpiry = mx2.awaitMessage(WAIT);
        assertThat(afterExpiry.connectionNumber()).as("a new connection").isEqualTo(2);
        assertThat(afterExpiry.authUser()).isEqualTo(USER);
        assertThat(mx2.bearerTokens()).containsExactly(Tokens.token(1), Tokens.token(2));
        assertThat(mx2.commands().stream().filter("AUTH ***"::equals)).hasSize(2);
        assertThat(tokens.calls).containsExactly("token " + USER, "refresh " + USER + " " + Tokens.token(1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(mx2.openConnections()).as("the expired one closed").isEqualTo(1));
    }

    @Test
    void aRefusedTokenIsReplacedOnceAndTheMessageGoesOnANewConnection() {
        List<LogCapture.Line> lines;
        Exchange exchange;
        try (LogCapture capture = LogCapture.start()) {
            exchange = send(verifiedUri("", Tokens.token(2)), RAW);
            lines = capture.lines();
        }

        assertThat(exchange.getException()).isNull();
        Received received = mx2.awaitMessage(WAIT);
        assertThat(received.connectionNumber()).isEqualTo(2);
        assertThat(received.authUser()).isEqualTo(USER);
        assertThat(mx2.bearerTokens()).containsExactly(Tokens.token(1), Tokens.token(2));
        assertThat(tokens.calls).containsExactly("token " + USER, "refresh " + USER + " " + Tokens.token(1));
        assertThat(lines).anySatisfy(l -> assertThat(l.message()).contains("refused the OAuth2 token for " + USER,
                "535 5.7.8 Username and Password not accepted (AUTH OAUTHBEARER; error: {\"status\":\"401\"",
                "asking the token provider for a new one"));
    }

    @Test
    void aRefusedFreshTokenDefersTheRecipientsWithTheServersReplyAndNoTokenAnywhere() {
        String uri = verifiedUri("");
        List<LogCapture.Line> lines;
        List<String> wire = new CopyOnWriteArrayList<>();
        Exchange exchange;
        java.util.logging.Logger protocol = java.util.logging.Logger.getLogger("io.github.camelrelay.smtprelay.delivery.protocol");
        java.util.logging.Level before = protocol.getLevel();
        Handler trace = new Handler() {
            @Override
            public void publish(LogRecord r) {
                wire.add(String.valueOf(r.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        protocol.setLevel(java.util.logging.Level.FINEST);
        protocol.addHandler(trace);
        try (LogCapture capture = LogCapture.start()
                .raise("io.github.camelrelay", Level.TRACE)
                .raise("org.apache.camel", Level.DEBUG)) {
            exchange = send(uri, RAW);
            context.stop();
            lines = capture.lines();
        } finally {
            protocol.removeHandler(trace);
            protocol.setLevel(before);
        }

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).as("as a wrong password: deferred, the relay host may accept a later token").isEqualTo(Outcome.DEFERRED);
            assertThat(s.replyCode()).isEqualTo(535);
            assertThat(s.enhancedStatus()).isEqualTo("4.7.8");
            assertThat(s.replyText()).isEqualTo("5.7.8 Username and Password not accepted (AUTH OAUTHBEARER; error: "
                                                + "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.test/\"})");
        });
        assertThat(mx2.bearerTokens()).as("one fresh token, no more").containsExactly(Tokens.token(1), Tokens.token(2));
        assertThat(mx2.connections()).isEqualTo(2);
        assertThat(mx2.commands()).noneMatch(c -> c.startsWith("MAIL"));
        assertThat(lines).anySatisfy(l -> assertThat(l.message()).contains("to=<bob@example.test>", "dsn=4.7.8",
                "status=deferred (535 5.7.8 Username and Password not accepted (AUTH OAUTHBEARER"));
        assertThat(wire).as("Angus traced the conversation").anySatisfy(l -> assertThat(l).contains("EHLO"));
        for (String secret : secretsOf(Tokens.token(1), Tokens.token(2))) {
            assertThat(lines).noneSatisfy(l -> assertThat(l.all()).contains(secret));
            assertThat(wire).noneSatisfy(l -> assertThat(l).contains(secret));
            assertThat(listener.events).noneSatisfy(e -> assertThat(e).contains(secret));
            assertThat(report(exchange).toString()).doesNotContain(secret);
            assertThat(exchange.getException().toString()).doesNotContain(secret);
        }
    }

    @Test
    void noTokenIsAskedForNorAuthSentWhenStartTlsIsMissing() {
        // STARTTLS stripped from the EHLO reply; the relay host is on a network trusted with unverified TLS, not with plain text
        mx2.requireBearer(USER, t -> true);
        String uri = relayUri(MX2_IP, "&username=" + USER + "&tokenProvider=#tokens&tls=OPPORTUNISTIC"
                                      + "&allowAuthWithoutVerifiedTls=true");

        Exchange exchange = send(uri, RAW);

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.enhancedStatus()).isEqualTo("4.7.10");
            assertThat(s.replyText()).startsWith("AUTH not sent in plain text: the server did not offer STARTTLS")
                    .contains("so the token would travel unencrypted");
        });
        assertThat(tokens.calls).isEmpty();
        assertThat(mx2.bearerTokens()).isEmpty();
        assertThat(mx2.commands()).doesNotContain("AUTH ***").noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void aTokenProviderNeedsAVerifiedCertificateUnlessTheNetworkIsTrusted() {
        String relay = "smtprelay:v?relayHost=smtp.example.test&username=" + USER + "&tokenProvider=#tokens";

        assertThatThrownBy(() -> context.getEndpoint(relay + "&tls=REQUIRED"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining("AUTH sends the password or token, so it goes only over TLS with the relay host's"
                                      + " certificate verified: expected tls=VERIFY");
        assertThat(context.getEndpoint(relay)).as("VERIFY by default").isNotNull();
    }

    @Test
    void anUntrustedCertificateDefersWithoutAskingForAToken() {
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireBearer(USER, t -> true);

        Exchange exchange = send(relayUri(MX2_IP, "&username=" + USER + "&tokenProvider=#tokens"), RAW);

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.replyText()).contains("certification path"));
        assertThat(tokens.calls).isEmpty();
        assertThat(mx2.commands()).contains("STARTTLS").doesNotContain("AUTH ***");
    }

    @Test
    void aFailingTokenProviderDefersWithItsReason() {
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireBearer(USER, t -> true);
        String uri = relayUri(MX2_IP, "&username=" + USER + "&tls=VERIFY&sslContextParameters=#trustTest&tokenProvider=#broken");

        Exchange exchange = send(uri, RAW);

        assertThat(report(exchange).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.enhancedStatus()).isEqualTo("4.7.0");
            assertThat(s.replyText()).isEqualTo("AUTH not sent: no OAuth2 token: the token provider failed:"
                                                + " java.lang.IllegalStateException: authorization server unreachable");
        });
        assertThat(mx2.commands()).doesNotContain("AUTH ***");
    }

    @Test
    void aServerWithoutBearerMechanismsDefersNamingWhatItOffers() {
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireAuth(USER, "password");

        Exchange exchange = send(relayUri(MX2_IP, "&username=" + USER + "&sslContextParameters=#trustTest&tokenProvider=#tokens"),
                RAW);

        assertThat(report(exchange).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.enhancedStatus()).isEqualTo("4.7.0");
            assertThat(s.replyText()).isEqualTo("AUTH not sent: the server offers no OAUTHBEARER or XOAUTH2 for the token"
                                                + " provider's token but AUTH PLAIN LOGIN");
        });
        assertThat(tokens.calls).isEmpty();
        assertThat(mx2.commands()).doesNotContain("AUTH ***");
    }

    @Test
    void inconsistentAuthOptionsFailEndpointResolution() {
        String relay = "smtprelay:w?relayHost=smtp.example.test";

        assertThatThrownBy(() -> context.getEndpoint(relay + "&username=u&password=p&tokenProvider=#tokens"))
                .hasMessageContaining("Options password and tokenProvider are both set: expected one of them");
        assertThatThrownBy(() -> context.getEndpoint(relay + "&tokenProvider=#tokens"))
                .hasMessageContaining("Option tokenProvider is set but username is not");
        assertThatThrownBy(() -> context.getEndpoint(relay + "&username=u&authMechanism=XOAUTH2"))
                .hasMessageContaining("Option authMechanism=XOAUTH2 sends an OAuth2 token: expected a tokenProvider but found none");
        assertThatThrownBy(() -> context.getEndpoint(relay + "&username=u&tokenProvider=#tokens&authMechanism=PLAIN"))
                .hasMessageContaining("Option authMechanism=PLAIN sends a password but tokenProvider is set");
        assertThatThrownBy(() -> context.getEndpoint(relay + "&authMechanism=LOGIN"))
                .hasMessageContaining("Option authMechanism=LOGIN is set but username is not");
    }

    @Test
    void theTokenValueNeverShowsAndMustBeABearerToken() {
        SmtpRelayToken token = SmtpRelayToken.of(Tokens.token(1), Instant.parse("2026-11-10T00:59:59Z"));

        assertThat(token.toString()).doesNotContain(Tokens.token(1)).contains("2026-11-10T00:59:59Z");
        assertThat(token.isExpiredAt(Instant.parse("2026-11-10T00:59:58Z"))).isFalse();
        assertThat(token.isExpiredAt(Instant.parse("2026-11-10T00:59:59Z"))).isTrue();
        assertThatThrownBy(() -> SmtpRelayToken.of("ya29.abc\u0001auth=Bearer x", token.expiresAt()))
                .hasMessage("Expected an access token of RFC 6750 b64token characters (letters, digits, - . _ ~ + / and"
                            + " trailing =) but found U+0001 at index 8");
        assertThatThrownBy(() -> SmtpRelayToken.of("", token.expiresAt())).hasMessage("Expected an access token but found an empty value");
        assertThatThrownBy(() -> SmtpRelayToken.of("abc=def", token.expiresAt())).hasMessageContaining("found '=' at index 3");
        assertThat(SmtpRelayToken.of("YWJj==", token.expiresAt()).accessToken()).isEqualTo("YWJj==");
    }

    /** The token as it could leak: as it is, and inside the XOAUTH2 and OAUTHBEARER responses. */
    private List<String> secretsOf(String... tokens) {
        Base64.Encoder b64 = Base64.getEncoder();
        List<String> secrets = new ArrayList<>();
        for (String token : tokens) {
            secrets.add(token);
            secrets.add(b64.encodeToString(("user=" + USER + "\u0001auth=Bearer " + token + "\u0001\u0001")
                    .getBytes(StandardCharsets.UTF_8)));
            secrets.add(b64.encodeToString(("n,a=" + USER + ",\u0001host=" + MX2_IP + "\u0001port=" + port + "\u0001auth=Bearer "
                                            + token + "\u0001\u0001").getBytes(StandardCharsets.UTF_8)));
        }
        return secrets;
    }

    /**
     * Hands out token-1, token-2, ... (padded to {@code length} when more than 0), each valid for an hour from the
     * clock's now, and records each call.
     */
    static final class Tokens implements SmtpRelayTokenProvider {

        final List<String> calls = new CopyOnWriteArrayList<>();
        private final TestClock clock;
        private final int length;
        private int issued;

        Tokens(TestClock clock, int length) {
            this.clock = clock;
            this.length = length;
        }

        static String token(int n) {
            return "ya29.A0secret-token-" + n;
        }

        @Override
        public synchronized SmtpRelayToken token(String username) {
            calls.add("token " + username);
            return next();
        }

        @Override
        public synchronized SmtpRelayToken refresh(String username, SmtpRelayToken rejected) {
            calls.add("refresh " + username + " " + rejected.accessToken());
            return next();
        }

        private SmtpRelayToken next() {
            String t = token(++issued);
            if (length > 0) {
                t = t + "x".repeat(length - t.length());
            }
            return SmtpRelayToken.of(t, clock.instant().plus(LIFETIME));
        }
    }
}
