package io.github.camelrelay.examples.server;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.examples.server.testsupport.RelayServers;
import io.github.camelrelay.examples.server.testsupport.SmtpSubmission;
import io.github.camelrelay.smtprelay.auth.PasswordHash;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.james.jdkim.DKIMVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13 items 1 and 2 end to end through the relay server (SMTP in, embedded persistent Artemis, DKIM, MX
 * delivery over loopback): mail an unauthenticated client from the Internet sends to a local domain arrives unsigned,
 * however its From reads; mail an authenticated user submits arrives signed; and with sender logins a user cannot
 * put another's address in MAIL FROM or From.
 */
class RelayServerSubmissionSigningTest {

    private static final String PASSWORD = "c0rrect-h0rse-battery";
    /** A client outside relay-networks (127.0.0.1/32 here): "the Internet". */
    private static final String STRANGER = "127.0.0.9";

    private static TestSmtpServer mx;
    private static TestDnsServer dns;
    private static ConfigurableApplicationContext relay;
    private static int smtpPort;
    private static KeyPair dkimKeys;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startRelay() throws Exception {
        int mxPort = TestSmtpServer.freePortOnAll("127.0.0.2");
        mx = TestSmtpServer.start("127.0.0.2", mxPort);
        dns = TestDnsServer.start()
                .mx("corp.test", 10, "mx.corp.test").mx("far.test", 10, "mx.corp.test").a("mx.corp.test", "127.0.0.2");
        Path key = dir.resolve("dkim.pem");
        dkimKeys = RelayServers.dkimKey(key);

        smtpPort = RelayServers.freePort();
        Map<String, String> p = RelayServers.testProperties("signing-test", dir.resolve("artemis"), smtpPort, dns, mxPort);
        p.put("camel.smtprelay.relay.ingress.relay-networks", "127.0.0.1/32");
        p.put("camel.smtprelay.relay.ingress.local-domains", "corp.test");
        p.put("camel.component.smtprelay.users", "alice:" + PasswordHash.of(PASSWORD, 1000));
        p.put("camel.component.smtprelay.allow-auth-without-tls", "true");
        p.put("camel.component.smtprelay.sender-logins", "alice: alice@corp.test");
        p.put("camel.smtprelay.relay.dkim.domain", "corp.test");
        p.put("camel.smtprelay.relay.dkim.selector", "s2026");
        p.put("camel.smtprelay.relay.dkim.private-key", key.toString());
        relay = RelayServers.start(p);
    }

    @AfterAll
    static void stopRelay() throws Exception {
        RelayServers.closeAll(relay, mx, dns);
    }

    @Test
    void anUnauthenticatedMessageToALocalDomainArrivesUnsignedAndAnAuthenticatedOneSigned() throws Exception {
        String forged = SmtpSubmission.send(smtpPort, STRANGER, null, null, "ceo@corp.test", List.of("staff@corp.test"),
                "From: The CEO <ceo@corp.test>\r\nTo: staff@corp.test\r\nSubject: urgent payment\r\n\r\nPay this today\r\n");
        String submitted = SmtpSubmission.send(smtpPort, STRANGER, "alice", PASSWORD, "alice@corp.test", List.of("bob@far.test"),
                "From: Alice <alice@corp.test>\r\nTo: bob@far.test\r\nSubject: from alice\r\n\r\nHello Bob\r\n");
        assertThat(forged).startsWith("250");
        assertThat(submitted).startsWith("250");

        Received inbound = awaitFor("staff@corp.test");
        assertThat(inbound.text()).contains("Subject: urgent payment").doesNotContain("DKIM-Signature:")
                .as("nor enriched: no Message-ID added").doesNotContain("Message-ID:");
        Received outbound = awaitFor("bob@far.test");
        assertThat(outbound.text()).contains("Subject: from alice").containsOnlyOnce("DKIM-Signature:");
        assertThat(dkim().verify(new ByteArrayInputStream(outbound.data()))).as("DKIM verification result").hasSize(1);
    }

    @Test
    void anAuthenticatedUserCannotUseAnotherSenderInTheEnvelopeOrTheFromHeader() {
        assertThatThrownBy(() -> SmtpSubmission.send(smtpPort, STRANGER, "alice", PASSWORD, "ceo@corp.test",
                List.of("bob@far.test"), "From: ceo@corp.test\r\nSubject: as the ceo\r\n\r\nx\r\n"))
                .hasMessageContaining("553 5.7.1 <ceo@corp.test>: Sender address rejected: not owned by user alice");
        assertThatThrownBy(() -> SmtpSubmission.send(smtpPort, STRANGER, "alice", PASSWORD, "alice@corp.test",
                List.of("bob@far.test"), "From: The CEO <ceo@corp.test>\r\nSubject: as the ceo\r\n\r\nx\r\n"))
                .hasMessageContaining("553 5.7.1 <ceo@corp.test>: From header address rejected: not owned by user alice");
        assertThat(mx.messages()).noneMatch(r -> r.text().contains("Subject: as the ceo"));
    }

    private static Received awaitFor(String recipient) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> mx.messages().stream().filter(r -> r.recipients().contains(recipient)).toList(),
                list -> !list.isEmpty()).get(0);
    }

    private static DKIMVerifier dkim() {
        String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(dkimKeys.getPublic().getEncoded());
        return new DKIMVerifier((method, selector, domain) -> {
            assertThat(domain.toString()).isEqualTo("corp.test");
            return List.of(record);
        });
    }
}
