package io.github.camelrelay.springboot.oauth2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter's token provider for the client-credentials grant, end to end over real sockets: Spring Security's
 * OAuth2 client fetches the token from a token endpoint on loopback (the JDK's HTTP server answering as Entra ID
 * does), and the smtprelay producer sends it in AUTH OAUTHBEARER to a relay host over verified STARTTLS. When the
 * relay host refuses the token, the provider drops it from Spring's authorized-client store and fetches a new one.
 */
@SpringBootTest(classes = ClientCredentialsTokenProviderTest.App.class, properties = {
        "camel.smtprelay.oauth2.registration-id=office365",
        "camel.component.smtprelay.token-provider=#bean:smtpRelayTokenProvider",
        "camel.component.smtprelay.username=" + ClientCredentialsTokenProviderTest.USER,
        "camel.component.smtprelay.ssl-context-parameters=#bean:relayTls",
        "camel.component.smtprelay.helo-name=starter.test",
        // no pooling, so that each message authenticates on its own connection
        "camel.component.smtprelay.connection-idle-timeout=0" })
class ClientCredentialsTokenProviderTest {

    static final String USER = "relay@contoso.test";
    static final String SCOPE = "https://outlook.office365.com/.default";
    static final Duration WAIT = Duration.ofSeconds(10);

    static final TokenEndpoint TOKENS = TokenEndpoint.start("app-id", "app-s3cret");
    // the test certificate is valid for 127.0.0.3
    static final TestSmtpServer RELAY = TestSmtpServer.start("127.0.0.3", 0).advertiseStartTls(TestCertificates.serverContext());

    @Autowired
    ProducerTemplate template;

    @Autowired
    SmtpRelayTokenProvider smtpRelayTokenProvider;

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("camel.component.smtprelay.relay-host", RELAY::host);
        registry.add("camel.component.smtprelay.relay-port", RELAY::port);
    }

    @AfterAll
    static void stop() {
        RELAY.close();
        TOKENS.close();
    }

    @Test
    void theTokenEndpointsTokenAuthenticatesTheRelayAndARefusedOneIsFetchedAnew() {
        assertThat(smtpRelayTokenProvider).isInstanceOf(ClientCredentialsTokenProvider.class);
        RELAY.requireBearer(USER, token -> token.equals(TokenEndpoint.token(1)));

        Exchange first = send("first");

        assertThat(first.getException()).isNull();
        Received received = RELAY.awaitMessage(WAIT);
        assertThat(received.authUser()).isEqualTo(USER);
        assertThat(received.tls()).isTrue();
        assertThat(RELAY.bearerTokens()).containsExactly(TokenEndpoint.token(1));
        assertThat(TOKENS.requests).singleElement().satisfies(r -> {
            assertThat(r.form()).containsEntry("grant_type", "client_credentials").containsEntry("scope", SCOPE);
            assertThat(r.authorization()).as("client_secret_basic").isEqualTo("Basic "
                    + Base64.getEncoder().encodeToString("app-id:app-s3cret".getBytes(StandardCharsets.UTF_8)));
        });

        // the token is revoked at the relay host before it expires
        RELAY.requireBearer(USER, token -> token.equals(TokenEndpoint.token(2)));
        Exchange second = send("second");

        assertThat(second.getException()).isNull();
        assertThat(RELAY.awaitMessage(WAIT).text()).contains("second");
        assertThat(RELAY.bearerTokens()).containsExactly(TokenEndpoint.token(1), TokenEndpoint.token(1), TokenEndpoint.token(2));
        assertThat(TOKENS.requests).as("one new token, fetched for the refused one").hasSize(2);
    }

    private Exchange send(String subject) {
        return template.send("smtprelay:office365", e -> {
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, USER);
            e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, "bob@example.test");
            e.getMessage().setBody("From: <" + USER + ">\r\nTo: <bob@example.test>\r\nSubject: " + subject
                                   + "\r\nMessage-ID: <" + subject + "@contoso.test>\r\n\r\nHello.\r\n");
        });
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /** What Spring Boot makes of spring.security.oauth2.client.registration.office365.* for Entra ID. */
        @Bean
        ClientRegistrationRepository clientRegistrations() {
            return new InMemoryClientRegistrationRepository(ClientRegistration.withRegistrationId("office365")
                    .clientId("app-id").clientSecret("app-s3cret")
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).scope(SCOPE)
                    .tokenUri(TOKENS.uri()).build());
        }

        /** Camel's TLS settings trusting the test certificate. */
        @Bean
        SSLContextParameters relayTls() {
            KeyStoreParameters store = new KeyStoreParameters();
            store.setResource("classpath:" + TestCertificates.truststorePath());
            store.setPassword(TestCertificates.PASSWORD);
            store.setType("PKCS12");
            TrustManagersParameters trust = new TrustManagersParameters();
            trust.setKeyStore(store);
            SSLContextParameters params = new SSLContextParameters();
            params.setTrustManagers(trust);
            return params;
        }
    }

    /** One request the token endpoint received: its form parameters and Authorization header. */
    record TokenRequest(Map<String, String> form, String authorization) {
    }

    /**
     * An OAuth 2.0 token endpoint on loopback (RFC 6749 4.4): for the client credentials it was given, a bearer token
     * valid for an hour, {@link #token(int)} numbered in order; 401 invalid_client otherwise.
     */
    static final class TokenEndpoint implements AutoCloseable {

        final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final AtomicInteger issued = new AtomicInteger();
        private final String basic;

        private TokenEndpoint(HttpServer server, String clientId, String secret) {
            this.server = server;
            this.basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        }

        static TokenEndpoint start(String clientId, String secret) {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
                TokenEndpoint endpoint = new TokenEndpoint(server, clientId, secret);
                server.createContext("/tenant/oauth2/v2.0/token", endpoint::handle);
                server.start();
                return endpoint;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static String token(int n) {
            return "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.starter-token-" + n + ".c2lnbmF0dXJl";
        }

        String uri() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/tenant/oauth2/v2.0/token";
        }

        private void handle(HttpExchange exchange) throws IOException {
            Map<String, String> form = new LinkedHashMap<>();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            requests.add(new TokenRequest(form, authorization));
            boolean ok = "POST".equals(exchange.getRequestMethod()) && basic.equals(authorization)
                         && "client_credentials".equals(form.get("grant_type"));
            String json = ok ? "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"" + token(issued.incrementAndGet()) + "\"}"
                    : "{\"error\":\"invalid_client\"}";
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json;charset=UTF-8");
            exchange.sendResponseHeaders(ok ? 200 : 401, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
