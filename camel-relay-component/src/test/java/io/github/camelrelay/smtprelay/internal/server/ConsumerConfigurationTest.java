package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import io.github.camelrelay.smtprelay.SmtpRelayServerConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Options are checked when the route is created, and the error names the option and what it expected. */
class ConsumerConfigurationTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "maxConnectionsPerClient=0|Option maxConnectionsPerClient: expected a value from 1 to 100000 but found 0",
            "maxRecipients=0|Option maxRecipients: expected a value from 1",
            "maxMessageSize=0|Option maxMessageSize: expected a positive number of octets but found 0",
            "relayNetworks=10.0.0.0/8,intranet|Option relayNetworks: Expected an IPv4 or IPv6 address literal",
            "localDomains=ok.example,not a domain|Option localDomains: Expected a domain name",
            "implicitTls=true|Option implicitTls needs sslContextParameters with a key store",
            "bindAddress=[::1|Option bindAddress: expected a local address but found '[::1'",
            "idleTimeout=0|Option idleTimeout: expected a value from 1"})
    void badOptionsFailTheRouteWithAMessageNamingTheOption(String option, String message) {
        assertThatThrownBy(() -> RelayFixture.start(option)).satisfies(t -> {
            StringBuilder messages = new StringBuilder();
            for (Throwable c = t; c != null; c = c.getCause()) {
                messages.append(c.getMessage()).append('\n');
            }
            assertThat(messages).contains(message);
        });
    }

    @Test
    void thePortMustBeATcpPort() {
        SmtpRelayServerConfiguration c = new SmtpRelayServerConfiguration();
        c.setPort(70000);
        assertThatThrownBy(c::validate).hasMessage("Option port: expected a value from 0 to 65535 but found 70000");
    }

    @Test
    void listenerOptionsSetOnTheComponentAreTheDefaultsOfItsEndpoints() {
        try (RelayFixture relay = RelayFixture.start("", ctx -> {
            SmtpRelayComponent component = new SmtpRelayComponent();
            SmtpRelayServerConfiguration server = new SmtpRelayServerConfiguration();
            server.setRelayNetworks("");
            server.setLocalDomains("component.test");
            component.setServer(server);
            ctx.addComponent("smtprelay", component);
        })) {
            try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
                c.ehlo("client.test");
                c.send("MAIL FROM:<a@client.test>");
                assertThat(c.send("RCPT TO:<x@component.test>").code()).isEqualTo(250);
                assertThat(c.send("RCPT TO:<x@elsewhere.example>").code()).isEqualTo(554);
            }
        }
    }

    @Test
    void theListenerBindsToLoopbackByDefault() {
        SmtpRelayServerConfiguration defaults = new SmtpRelayServerConfiguration();
        assertThat(defaults.getBindAddress()).isEqualTo("127.0.0.1");
        assertThat(defaults.getRelayNetworks()).isEqualTo("127.0.0.0/8,::1/128");
        assertThat(defaults.getMaxRecipients()).isGreaterThanOrEqualTo(100);
        assertThat(defaults.isAllowAuthWithoutTls()).isFalse();
        try (RelayFixture relay = RelayFixture.start("")) {
            assertThat(relay.consumer().getLocalPort()).isPositive();
            assertThatThrownBy(() -> SmtpTestClient.connect("127.0.0.2", relay.port(), null)).as("not bound to 127.0.0.2")
                    .hasRootCauseInstanceOf(java.net.ConnectException.class);
        }
    }
}
