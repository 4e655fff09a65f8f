package io.github.camelrelay.examples.server;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.examples.server.testsupport.RelayServers;
import io.github.camelrelay.examples.server.testsupport.SmtpSubmission;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import io.github.camelrelay.springboot.SmtpRelayEnrichmentHook;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.james.jdkim.DKIMVerifier;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay server end to end in this JVM, over real sockets on loopback: SMTP in on its port, the embedded
 * persistent Artemis, enrichment with a hook, extra headers and DKIM, delivery by MX found through a loopback DNS
 * server, retries, bounces and dead letters. One instance serves every test; each test uses its own recipient
 * domain, so their deliveries do not mix.
 */
class RelayServerDeliveryTest {

    /** ok.test: accepts everyone except nobody@ok.test (550). */
    private static TestSmtpServer okMx;
    /** flaky.test: answers the end of data with 451 twice, then 250. */
    private static TestSmtpServer flakyMx;
    /** sender.test: the senders' own domain, where bounces arrive. */
    private static TestSmtpServer senderMx;
    private static final AtomicInteger flakyAttempts = new AtomicInteger();

    private static TestDnsServer dns;
    private static ConfigurableApplicationContext relay;
    private static int smtpPort;
    private static KeyPair dkimKeys;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startRelay() throws Exception {
        int mxPort = TestSmtpServer.freePortOnAll("127.0.0.2", "127.0.0.3", "127.0.0.4");
        okMx = TestSmtpServer.start("127.0.0.2", mxPort)
                .rcptReply(r -> r.startsWith("nobody@") ? "550 5.1.1 <" + r + ">: Recipient address rejected: no such user" : "250 2.1.5 OK");
        flakyMx = TestSmtpServer.start("127.0.0.3", mxPort).dataReply(n -> {
            flakyAttempts.incrementAndGet();
            return n < 3 ? "451 4.3.0 temporary local problem, try again" : "250 2.0.0 queued as F" + n;
        });
        senderMx = TestSmtpServer.start("127.0.0.4", mxPort);
        dns = TestDnsServer.start()
                .mx("ok.test", 10, "mx.ok.test").a("mx.ok.test", "127.0.0.2")
                .mx("flaky.test", 10, "mx.flaky.test").a("mx.flaky.test", "127.0.0.3")
                .mx("sender.test", 10, "mx.sender.test").a("mx.sender.test", "127.0.0.4");

        Path key = dir.resolve("dkim.pem");
        dkimKeys = RelayServers.dkimKey(key);

        smtpPort = RelayServers.freePort();
        Map<String, String> p = RelayServers.testProperties("delivery-test", dir.resolve("artemis"), smtpPort, dns, mxPort);
        p.put("camel.smtprelay.relay.enrichment.hook", "recordingHook");
        p.put("camel.smtprelay.relay.enrichment.extra-headers.[X-Relayed-By]", "relay-server test");
        p.put("camel.smtprelay.relay.dkim.domain", "sender.test");
        p.put("camel.smtprelay.relay.dkim.selector", "relay2026");
        p.put("camel.smtprelay.relay.dkim.private-key", key.toString());
        relay = RelayServers.start(p, HookBeans.class);
    }

    @AfterAll
    static void stopRelay() throws Exception {
        RelayServers.closeAll(relay, okMx, flakyMx, senderMx, dns);
    }

    /** What the hook saw, in the order it ran. */
    static final List<String> HOOK_SAW = new CopyOnWriteArrayList<>();
    /** When the hook ran for the message it fails once. */
    static final List<Long> HOOK_FAILURES = new CopyOnWriteArrayList<>();

    /** Bean source: the enrichment hook, named in camel.smtprelay.relay.enrichment.hook. */
    static class HookBeans {
        @Bean
        SmtpRelayEnrichmentHook recordingHook() {
            return exchange -> {
                String text = exchange.getMessage().getBody(String.class);
                String subject = text.replaceAll("(?s).*?Subject: ([^\r\n]*).*", "$1");
                HOOK_SAW.add(subject + (text.contains("Message-ID:") ? ": Message-ID present" : ": no Message-ID yet"));
                if (subject.equals("hook fails once") && HOOK_FAILURES.isEmpty()) {
                    HOOK_FAILURES.add(System.nanoTime());
                    throw new IllegalStateException("the service this hook asks is down");
                }
                if (subject.equals("hook fails once")) {
                    HOOK_FAILURES.add(System.nanoTime());
                }
                exchange.getMessage().setBody("X-Hook: seen\r\n" + text);
            };
        }
    }

    @Test
    void theEmbeddedJournalSyncsAfterTheConfiguredBufferTimeout() {
        var configuration = relay.getBean(org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ.class)
                .getActiveMQServer().getConfiguration();

        assertThat(configuration.isJournalSyncNonTransactional()).as("a 250 waits for the disk").isTrue();
        assertThat(configuration.getJournalBufferTimeout_NIO())
                .isEqualTo((int) RelayServerConfiguration.DEFAULT_JOURNAL_BUFFER_TIMEOUT.toNanos())
                .isNotEqualTo(org.apache.activemq.artemis.api.config.ActiveMQDefaultConfiguration.getDefaultJournalBufferTimeoutNio());
    }

    @Test
    void mailSubmittedOverSmtpIsEnrichedOnceSignedLastAndDeliveredByMx() throws Exception {
        String reply = SmtpSubmission.send(smtpPort, "alice@sender.test", List.of("bob@ok.test"),
                "From: Alice <alice@sender.test>\r\nTo: bob@ok.test\r\nSubject: raw submission\r\n\r\nHello Bob\r\n");
        assertThat(reply).startsWith("250");

        Received got = awaitFor(okMx, "bob@ok.test");
        assertThat(got.mailFrom()).isEqualTo("alice@sender.test");
        assertThat(got.helo()).isEqualTo("relay.test");
        String text = got.text();
        // the hook ran before the header step: it saw the message without the Message-ID that step then added
        assertThat(HOOK_SAW).contains("raw submission: no Message-ID yet");
        assertThat(text).containsPattern("(?m)^Message-ID: <[^>]+@relay\\.test>$").containsPattern("(?m)^Date: ")
                .contains("X-Relayed-By: relay-server test", "X-Hook: seen", "Hello Bob");
        // DKIM last: the signature is above everything the relay added
        assertThat(text.indexOf("DKIM-Signature:")).isLessThan(text.indexOf("X-Hook: seen")).isLessThan(text.indexOf("Message-ID:"));
        assertThat(dkim().verify(new ByteArrayInputStream(got.data()))).as("DKIM verification result").hasSize(1);
        assertThat(text.split("DKIM-Signature:", -1)).as("signed once").hasSize(2);
    }

    @Test
    void oneQueueIdFromQueuedAsToTheDeliveryLineAndOneReceivedHeaderForTheHop() throws Exception {
        ch.qos.logback.classic.Logger deliveryLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("io.github.camelrelay.smtprelay.delivery");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        deliveryLog.addAppender(lines);
        try {
            String reply = SmtpSubmission.send(smtpPort, "alice@sender.test", List.of("erin@ok.test"),
                    "From: alice@sender.test\r\nTo: erin@ok.test\r\nSubject: followed by its id\r\n\r\nHello Erin\r\n");
            java.util.regex.Matcher queued = java.util.regex.Pattern.compile("250 2\\.0\\.0 Ok: queued as (\\S+)").matcher(reply);
            assertThat(queued.lookingAt()).as(reply).isTrue();
            String id = queued.group(1);

            Received got = awaitFor(okMx, "erin@ok.test");
            String headers = got.text().split("\r\n\r\n", 2)[0];
            assertThat(headers.split("(?m)^Received:", -1)).as("one Received header in:%n%s", headers).hasSize(2);
            assertThat(headers).contains(" id " + id.replaceAll("[^A-Za-z0-9.-]", ""));
            // through the broker queue the delivery line names the message by the same id
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines.list)
                    .anySatisfy(e -> assertThat(e.getFormattedMessage()).startsWith(id + ": to=<erin@ok.test>, relay=")
                            .contains("status=sent")));
        } finally {
            deliveryLog.detachAppender(lines);
        }
    }

    @Test
    void aMessageSentWithAngusMailIsDeliveredWithItsOwnMessageIdAndAValidSignature() throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(smtpPort));
        props.put("mail.smtp.localhost", "client.test");
        props.put("mail.smtp.connectiontimeout", "5000");
        props.put("mail.smtp.timeout", "30000");
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress("alice@sender.test"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("carol@ok.test"));
        message.setSubject("from Angus Mail");
        message.setText("Hello Carol, ünïcödé", "UTF-8");
        Transport.send(message);
        String messageId = message.getMessageID();

        Received got = awaitFor(okMx, "carol@ok.test");
        assertThat(got.text()).contains("Message-ID: " + messageId, "Subject: from Angus Mail").containsOnlyOnce("Message-ID:");
        assertThat(HOOK_SAW).contains("from Angus Mail: Message-ID present");
        assertThat(dkim().verify(new ByteArrayInputStream(got.data()))).hasSize(1);
        MimeMessage delivered = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(got.data()));
        assertThat(((String) delivered.getContent()).strip()).isEqualTo("Hello Carol, ünïcödé");
    }

    @Test
    void aDestinationThatAnswers451UntilTheThirdAttemptGetsExactlyOneCopy() throws Exception {
        SmtpSubmission.send(smtpPort, "alice@sender.test", List.of("dave@flaky.test"),
                "From: alice@sender.test\r\nTo: dave@flaky.test\r\nSubject: third time lucky\r\n\r\nHello Dave\r\n");

        Received got = flakyMx.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.recipients()).containsExactly("dave@flaky.test");
        assertThat(got.text()).contains("Subject: third time lucky");
        assertThat(flakyAttempts).hasValue(3);
        // a while longer: no second copy, no fourth attempt, no bounce or warning to the sender
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> flakyMx.messages().size() == 1 && flakyAttempts.get() == 3);
        assertThat(senderMx.messages()).noneMatch(r -> r.text().contains("third time lucky"));
        assertThat(RelayServers.browse(relay, "smtprelay.dead")).noneMatch(q -> q.body().contains("third time lucky"));
        // the hook and the headers ran once, although the message went through the queue three times
        assertThat(HOOK_SAW.stream().filter(s -> s.startsWith("third time lucky"))).hasSize(1);
        assertThat(got.text()).containsOnlyOnce("Message-ID:").containsOnlyOnce("DKIM-Signature:");
    }

    @Test
    void a550IsBouncedToTheSenderAsAnRfc3464ReportAndTheOriginalIsKeptInTheDeadLetterQueue() throws Exception {
        SmtpSubmission.send(smtpPort, "alice@sender.test", List.of("nobody@ok.test"),
                "From: alice@sender.test\r\nTo: nobody@ok.test\r\nSubject: to nobody\r\n\r\nAnyone there?\r\n");

        Received bounce = awaitFor(senderMx, "alice@sender.test");
        assertThat(bounce.mailFrom()).as("a bounce comes from the null sender").isEmpty();

        MimeMessage report = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bounce.data()));
        assertThat(report.getContentType()).startsWith("multipart/report").contains("delivery-status");
        MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(report.getInputStream(), report.getContentType()));
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
        DeliveryStatus status = new DeliveryStatus(parts.getBodyPart(1).getInputStream());
        assertThat(status.getMessageDSN().getHeader("Reporting-MTA")[0]).isEqualTo("dns; relay.test");
        assertThat(status.getRecipientDSNCount()).isEqualTo(1);
        var recipient = status.getRecipientDSN(0);
        assertThat(recipient.getHeader("Final-Recipient")[0]).isEqualTo("rfc822; nobody@ok.test");
        assertThat(recipient.getHeader("Action")[0]).isEqualTo("failed");
        assertThat(recipient.getHeader("Status")[0]).isEqualTo("5.1.1");
        assertThat(recipient.getHeader("Diagnostic-Code")[0]).startsWith("smtp; 550 5.1.1");
        assertThat(new String(parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("Subject: to nobody");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(RelayServers.browse(relay, "smtprelay.dead"))
                .anySatisfy(dead -> {
                    assertThat(dead.body()).contains("Subject: to nobody");
                    assertThat(dead.report()).contains("<nobody@ok.test> FAILED dsn=5.1.1");
                }));
        assertThat(okMx.messages()).noneMatch(r -> r.recipients().contains("nobody@ok.test"));
    }

    @Test
    void aMessageTheEnrichmentWillRefuseIsRefusedAtEndOfDataWhileTheClientStillHasIt() throws Exception {
        // DKIM must sign From (RFC 6376 5.4): a message without one cannot be signed, so the listener refuses it
        // (issue 11, requirement 10) instead of answering 250 and bouncing it later
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SmtpSubmission.send(smtpPort, "alice@sender.test",
                        List.of("grace@ok.test"), "To: grace@ok.test\r\nSubject: no sender header\r\n\r\nWho am I?\r\n"))
                .hasMessageContaining("550 5.7.1 Message refused: DKIM refused the message: Expected a From header");

        assertThat(RelayServers.browse(relay, "smtprelay.dead")).noneMatch(q -> q.body().contains("no sender header"));
        assertThat(okMx.messages()).noneMatch(r -> r.recipients().contains("grace@ok.test"));
        assertThat(senderMx.messages()).noneMatch(r -> r.text().contains("grace@ok.test"));
    }

    @Test
    void whenTheHookFailsTheBrokerOffersTheMessageAgainLaterAndItIsDeliveredOnce() throws Exception {
        SmtpSubmission.send(smtpPort, "alice@sender.test", List.of("heidi@ok.test"),
                "From: alice@sender.test\r\nTo: heidi@ok.test\r\nSubject: hook fails once\r\n\r\nHello Heidi\r\n");

        Received got = awaitFor(okMx, "heidi@ok.test");
        assertThat(got.text()).contains("Subject: hook fails once").containsOnlyOnce("X-Hook: seen");
        assertThat(HOOK_FAILURES).hasSize(2);
        // the rolled back message came back after the embedded broker's redelivery delay (5 s), not at once
        assertThat(Duration.ofNanos(HOOK_FAILURES.get(1) - HOOK_FAILURES.get(0))).isGreaterThan(Duration.ofSeconds(4));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> okMx.messages().stream().filter(r -> r.recipients().contains("heidi@ok.test")).count() == 1);
        assertThat(RelayServers.browse(relay, "smtprelay.dead")).noneMatch(q -> q.body().contains("hook fails once"));
    }

    /** The one message that reached {@code server} for {@code recipient}, waited for. */
    private static Received awaitFor(TestSmtpServer server, String recipient) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> server.messages().stream().filter(r -> r.recipients().contains(recipient)).toList(),
                list -> !list.isEmpty()).get(0);
    }

    private static DKIMVerifier dkim() {
        String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(dkimKeys.getPublic().getEncoded());
        return new DKIMVerifier((method, selector, domain) -> {
            assertThat(selector.toString()).isEqualTo("relay2026");
            assertThat(domain.toString()).isEqualTo("sender.test");
            return List.of(record);
        });
    }
}
