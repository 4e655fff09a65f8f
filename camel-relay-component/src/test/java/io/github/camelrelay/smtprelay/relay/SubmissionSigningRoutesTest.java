package io.github.camelrelay.smtprelay.relay;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.auth.PasswordHash;
import io.github.camelrelay.smtprelay.enrich.DkimSigner;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Processor;
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
 * Issue 13 item 1 through the relay routes on a real, persistent Artemis broker: the listener's submission flag and
 * authenticated user travel on the queue, and only submissions are enriched and DKIM-signed; mail an unauthenticated
 * client outside relayNetworks sent to a local domain arrives unsigned, even after a retry through the broker.
 */
class SubmissionSigningRoutesTest {

    private static final String QUEUE = "jms:queue:smtprelay.outbound?transacted=true";
    private static final String DEAD = "jms:queue:smtprelay.dead";
    private static final RetrySchedule FAST =
            new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofSeconds(30), Duration.ZERO);
    private static final String PASSWORD = "c0rrect-h0rse-battery";
    private static KeyPair keys;

    @TempDir
    Path dataDir;

    private ArtemisBroker broker;
    private TestSmtpServer mx;
    private DefaultCamelContext ctx;
    private int ingressPort;
    /** The authenticated user each enriched message had, by subject, as the enrichment saw it after the queue. */
    private final Map<String, String> enrichedFor = new ConcurrentHashMap<>();

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
    }

    @BeforeEach
    void start() throws Exception {
        broker = new ArtemisBroker(dataDir, "signing-test").start();
        mx = TestSmtpServer.start("127.0.0.2", 0);
        ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        ctx = new DefaultCamelContext();
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        String ingress = "smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1&relayNetworks=127.0.0.1/32"
                         + "&localDomains=corp.test&allowAuthWithoutTls=true&users=alice:" + PasswordHash.of(PASSWORD, 1000);
        String delivery = "smtprelay:out?relayHost=127.0.0.2&relayPort=" + mx.port() + "&tls=NONE&addReceivedHeader=false";
        Processor recorder = e -> {
            String text = e.getMessage().getBody(String.class);
            String subject = text.replaceAll("(?s).*?Subject: ([^\r\n]*).*", "$1");
            enrichedFor.put(subject, e.getMessage().getHeader(SmtpRelayConstants.AUTHENTICATED_USER, "(none)", String.class));
        };
        DkimSigner dkim = new DkimSigner("corp.test", "s1", keys.getPrivate(), DkimSigner.DEFAULT_SIGNED_HEADERS);
        ctx.addRoutes(new SmtpRelayRoutes(new RelayRouteSettings(ingress, QUEUE, null, delivery, DEAD, "relay.corp.test",
                FAST, List.of(recorder, dkim))));
        ctx.start();
    }

    @AfterEach
    void stop() throws Exception {
        ctx.stop();
        mx.close();
        broker.close();
    }

    @Test
    void inboundMailForALocalDomainIsRelayedUnsignedAndUnenrichedEvenAfterARetry() throws Exception {
        mx.dataReply(n -> n < 2 ? "451 4.3.0 try again later" : "250 2.0.0 queued as " + n);
        String forged = "From: The CEO <ceo@corp.test>\r\nTo: staff@corp.test\r\nSubject: forged\r\n\r\nPay this\r\n";
        assertThat(smtp("127.0.0.9", null, "ceo@corp.test", "staff@corp.test", forged)).startsWith("250 ");
        // no From: had it been a submission, the DKIM check would have refused it at end of data
        assertThat(smtp("127.0.0.9", null, "x@other.test", "staff@corp.test", "Subject: no from\r\n\r\nx\r\n")).startsWith("250 ");

        List<Received> got = mx.awaitMessages(2, Duration.ofSeconds(20));
        Received relayed = got.stream().filter(r -> r.text().contains("Subject: forged")).findFirst().orElseThrow();
        assertThat(relayed.text()).doesNotContain("DKIM-Signature:").contains("From: The CEO <ceo@corp.test>");
        assertThat(enrichedFor).isEmpty();
    }

    @Test
    void mailFromAnAuthenticatedUserIsSignedAndItsUserCrossesTheQueue() throws Exception {
        assertThat(smtp("127.0.0.9", "alice", "alice@corp.test", "bob@far.test",
                "From: alice@corp.test\r\nTo: bob@far.test\r\nSubject: from alice\r\n\r\nHi\r\n")).startsWith("250 ");

        Received got = mx.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.text()).startsWith("DKIM-Signature:");
        assertThat(verifier().verify(new ByteArrayInputStream(got.data()))).hasSize(1);
        assertThat(enrichedFor).containsExactly(Map.entry("from alice", "alice"));
    }

    @Test
    void mailFromARelayNetworksClientIsSignedToo() throws Exception {
        assertThat(smtp("127.0.0.1", null, "app@corp.test", "staff@corp.test",
                "From: app@corp.test\r\nTo: staff@corp.test\r\nSubject: from the app\r\n\r\nHi\r\n")).startsWith("250 ");

        Received got = mx.awaitMessage(Duration.ofSeconds(20));
        assertThat(verifier().verify(new ByteArrayInputStream(got.data()))).hasSize(1);
        assertThat(enrichedFor).containsExactly(Map.entry("from the app", "(none)"));
    }

    @Test
    void aQueueEntryFromAnApplicationIsTrustedUnlessItSaysOtherwise() throws Exception {
        for (Boolean submission : new Boolean[] {null, false}) {
            ctx.createProducerTemplate().send(QUEUE, e -> {
                e.getMessage().setBody(("From: app@corp.test\r\nTo: bob@far.test\r\nSubject: queued " + submission
                                        + "\r\n\r\nHi\r\n").getBytes(StandardCharsets.UTF_8));
                e.getMessage().setHeader("SmtpRelayEnvelopeFrom", "app@corp.test");
                e.getMessage().setHeader("SmtpRelayRecipients", "bob@far.test");
                e.getMessage().setHeader("SmtpRelaySubmission", submission);
            });
        }
        List<Received> got = mx.awaitMessages(2, Duration.ofSeconds(20));
        Received trusted = got.stream().filter(r -> r.text().contains("Subject: queued null")).findFirst().orElseThrow();
        Received notSigned = got.stream().filter(r -> r.text().contains("Subject: queued false")).findFirst().orElseThrow();
        assertThat(verifier().verify(new ByteArrayInputStream(trusted.data()))).hasSize(1);
        assertThat(notSigned.text()).doesNotContain("DKIM-Signature:");
        assertThat(enrichedFor).containsOnlyKeys("queued null");
    }

    private static DKIMVerifier verifier() {
        String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        return new DKIMVerifier((method, selector, domain) -> List.of(record));
    }

    /** One transaction from {@code localAddress}, authenticated as {@code user} when not null; the reply to the dot. */
    private String smtp(String localAddress, String user, String from, String to, String message) throws Exception {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress(localAddress, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", ingressPort), 5_000);
            socket.setSoTimeout(20_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            var out = socket.getOutputStream();
            reply(in);
            List<String> commands = new java.util.ArrayList<>(List.of("EHLO client.test"));
            if (user != null) {
                commands.add("AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + user + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
            }
            commands.addAll(List.of("MAIL FROM:<" + from + ">", "RCPT TO:<" + to + ">", "DATA"));
            for (String command : commands) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String r = reply(in);
                assertThat(r).as(command).matches("(235|250|354) .*");
            }
            out.write((message + ".\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply(in);
        }
    }

    private static String reply(java.io.BufferedReader in) throws java.io.IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
