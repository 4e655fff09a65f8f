package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.List;

import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.SSLContextServerParameters;
import org.apache.camel.support.jsse.SecureSocketProtocolsParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server side of sslContextParameters reaches the listener's TLS: protocols and client authentication. */
class TlsSettingsTest {

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void theProtocolsOfSslContextParametersAreTheOnesNegotiated() {
        SSLContextParameters ssl = RelayFixture.serverSsl();
        SecureSocketProtocolsParameters protocols = new SecureSocketProtocolsParameters();
        protocols.setSecureSocketProtocol(List.of("TLSv1.2"));
        ssl.setSecureSocketProtocols(protocols);
        relay = RelayFixture.start("sslContextParameters=#tls12", ctx -> ctx.getRegistry().bind("tls12", ssl));
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            c.startTls();
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@client.test>");
            c.send("RCPT TO:<b@example.net>");
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: tls 1.2\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(relay.next().text()).contains("\t(using TLSv1.2 with cipher ");
    }

    @Test
    void requiredClientAuthenticationRefusesAClientWithoutACertificate() {
        SSLContextParameters ssl = RelayFixture.serverSsl();
        SSLContextServerParameters server = new SSLContextServerParameters();
        server.setClientAuthentication("REQUIRE");
        ssl.setServerParameters(server);
        relay = RelayFixture.start("sslContextParameters=#mtls", ctx -> ctx.getRegistry().bind("mtls", ssl));
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThatThrownBy(() -> {
                c.startTls();
                c.ehlo("client.test");
            }).isInstanceOfAny(UncheckedIOException.class, AssertionError.class);
        }
        // the listener goes on serving
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.greeting().code()).isEqualTo(220);
        }
    }
}
