package io.github.camelrelay.examples.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.examples.server.testsupport.RelayServers;
import io.github.camelrelay.examples.server.testsupport.SmtpSubmission;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay-host mode as an operator switches it on: the variables RELAY_HOST, RELAY_PORT, RELAY_USERNAME,
 * RELAY_PASSWORD (and RELAY_TLS, RELAY_ALLOW_AUTH_WITHOUT_VERIFIED_TLS) that application.yml reads. They are given here as properties, which the yml's
 * placeholders resolve exactly as they would environment variables.
 */
class RelayServerRelayHostTest {

    @TempDir
    Path dir;

    private TestSmtpServer smarthost;
    private TestDnsServer dns;
    private ConfigurableApplicationContext relay;

    @AfterEach
    void stop() throws Exception {
        RelayServers.closeAll(relay, smarthost, dns);
    }

    @Test
    void withRelayHostSetEverythingGoesThroughItWithAuthAndNoMxLookup() {
        smarthost = TestSmtpServer.start("127.0.0.5", 0).requireAuth("relayuser", "s3cret");
        dns = TestDnsServer.start();
        int smtpPort = RelayServers.freePort();
        Map<String, String> p = RelayServers.testProperties("relay-host-test", dir.resolve("artemis"), smtpPort, dns, 1);
        // the application.yml mapping is under test: the component's own property must not hide it
        p.remove("camel.component.smtprelay.relay-host");
        p.put("RELAY_HOST", "127.0.0.5");
        p.put("RELAY_PORT", String.valueOf(smarthost.port()));
        p.put("RELAY_USERNAME", "relayuser");
        p.put("RELAY_PASSWORD", "s3cret");
        // the test smarthost offers no STARTTLS; a real one would, and VERIFY is the default with a password. AUTH in
        // plain text needs the operator's explicit opt-out for a trusted network, else the server refuses to start
        p.put("RELAY_TLS", "NONE");
        p.put("RELAY_ALLOW_AUTH_WITHOUT_VERIFIED_TLS", "true");
        relay = RelayServers.start(p);

        SmtpSubmission.send(smtpPort, "alice@sender.test", List.of("henry@anywhere.example", "ivy@elsewhere.example"),
                "From: alice@sender.test\r\nTo: henry@anywhere.example, ivy@elsewhere.example\r\nSubject: via smarthost\r\n\r\nHi\r\n");

        Received got = smarthost.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.authUser()).isEqualTo("relayuser");
        assertThat(got.mailFrom()).isEqualTo("alice@sender.test");
        assertThat(got.recipients()).containsExactlyInAnyOrder("henry@anywhere.example", "ivy@elsewhere.example");
        assertThat(got.text()).contains("Subject: via smarthost");
        assertThat(dns.queries()).as("DNS queries in relay-host mode").isZero();
    }
}
