package io.github.camelrelay.smtprelay.relay;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import io.github.camelrelay.smtprelay.enrich.DkimSigner;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.james.jdkim.DKIMVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 8BITMIME and SMTPUTF8 through the relay routes on a real Artemis queue: a client's BODY=8BITMIME message, DKIM-signed
 * by the relay, reaches a next hop without 8BITMIME as 7-bit with a signature that verifies; a client's SMTPUTF8 and
 * UTF-8 recipient cross the queue and, at a next hop without SMTPUTF8, fail with 5.6.7 and are bounced.
 */
class EightBitRoutesTest {

    private static final String QUEUE = "jms:queue:smtprelay.outbound?transacted=true";
    private static final String DEAD = "jms:queue:smtprelay.dead";
    private static KeyPair keys;

    @TempDir
    Path dataDir;

    private ArtemisBroker broker;
    private TestSmtpServer mx;
    private DefaultCamelContext ctx;
    private int ingressPort;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
    }

    @BeforeEach
    void start() throws Exception {
        broker = new ArtemisBroker(dataDir, "eightbit-test").start();
        mx = TestSmtpServer.start("127.0.0.2", 0);
        ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
    }

    private void relay() throws Exception {
        ctx = new DefaultCamelContext();
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        String ingress = "smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1&relayNetworks=127.0.0.1/32&localDomains=corp.test";
        String delivery = "smtprelay:out?relayHost=127.0.0.2&relayPort=" + mx.port() + "&tls=NONE&addReceivedHeader=false";
        DkimSigner dkim = new DkimSigner("corp.test", "s1", keys.getPrivate(), DkimSigner.DEFAULT_SIGNED_HEADERS);
        ctx.addRoutes(new SmtpRelayRoutes(new RelayRouteSettings(ingress, QUEUE, null, delivery, DEAD, "relay.corp.test",
                new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofSeconds(30), Duration.ZERO),
                List.of(dkim))));
        ctx.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (ctx != null) {
            ctx.stop();
        }
        mx.close();
        broker.close();
    }

    @Test
    void aSigned8bitMessageReachesASevenBitNextHopConvertedWithAValidSignature() throws Exception {
        mx.withhold("8BITMIME");
        relay();
        String text = "Grüße aus Köln — über die Brücke.\r\n";
        assertThat(smtp("MAIL FROM:<alice@corp.test> BODY=8BITMIME", List.of("RCPT TO:<bob@far.test>"),
                "From: alice@corp.test\r\nTo: bob@far.test\r\nSubject: 8bit\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text)).startsWith("250 ");

        Received got = mx.awaitMessage(Duration.ofSeconds(20));
        for (byte b : got.data()) {
            assertThat(b).as("7-bit").isGreaterThanOrEqualTo((byte) 0);
        }
        assertThat(mx.commands()).noneMatch(c -> c.contains("BODY="));
        assertThat(got.text()).startsWith("DKIM-Signature:");
        String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        assertThat(new DKIMVerifier((method, selector, domain) -> List.of(record)).verify(new ByteArrayInputStream(got.data())))
                .hasSize(1);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(got.data()));
        assertThat((String) m.getContent()).isEqualTo(text);
    }

    @Test
    void aUtf8RecipientCrossesTheQueueAndIsBouncedWith567ByANextHopWithoutSmtputf8() throws Exception {
        relay();
        assertThat(smtp("MAIL FROM:<alice@corp.test> SMTPUTF8", List.of("RCPT TO:<jörg@far.test>", "RCPT TO:<bob@far.test>"),
                "From: alice@corp.test\r\nTo: bob@far.test\r\nSubject: utf8\r\n\r\nhi\r\n")).startsWith("250 ");

        List<Received> got = mx.awaitMessages(2, Duration.ofSeconds(20));
        Received delivered = got.stream().filter(r -> r.recipients().contains("bob@far.test")).findFirst().orElseThrow();
        assertThat(delivered.recipients()).containsExactly("bob@far.test");
        Received bounce = got.stream().filter(r -> r.recipients().contains("alice@corp.test")).findFirst().orElseThrow();
        assertThat(bounce.text()).contains("Status: 5.6.7", "SMTPUTF8 is required, but was not offered by host 127.0.0.2");
    }

    @Test
    void aUtf8RecipientGoesWithSmtputf8ToANextHopOfferingIt() throws Exception {
        mx.offer("SMTPUTF8");
        relay();
        assertThat(smtp("MAIL FROM:<alice@corp.test> SMTPUTF8", List.of("RCPT TO:<jörg@far.test>"),
                "From: alice@corp.test\r\nTo: jörg@far.test\r\nSubject: utf8 über\r\n\r\nhi\r\n")).startsWith("250 ");

        Received got = mx.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.recipients()).containsExactly("jörg@far.test");
        assertThat(got.text()).contains("Subject: utf8 über");
        assertThat(mx.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<alice@corp.test>") && c.endsWith(" SMTPUTF8"));
    }

    private String smtp(String mailFrom, List<String> rcpts, String message) throws Exception {
        return SmtpClientSession.transaction(ingressPort, mailFrom, rcpts, message);
    }
}
