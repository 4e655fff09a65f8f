package io.github.camelrelay.smtprelay.relay;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.enrich.HeaderEnricher;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import jakarta.jms.ConnectionFactory;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.StreamCache;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay routes end to end on a real, persistent Artemis broker: queue to delivery to a loopback SMTP server,
 * retries through the broker's delivery delay, bounces, dead letters, a restart, and two competing instances.
 */
class SmtpRelayRoutesTest {

    private static final String QUEUE = "jms:queue:smtprelay.outbound?transacted=true";
    private static final String DEAD = "jms:queue:smtprelay.dead";
    private static final RetrySchedule FAST =
            new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofSeconds(30), Duration.ZERO);

    @TempDir
    Path dataDir;

    private ArtemisBroker broker;
    private TestSmtpServer smtp;
    private final List<DefaultCamelContext> contexts = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = new ArtemisBroker(dataDir, "relay-test").start();
        smtp = TestSmtpServer.start("127.0.0.2", 0);
    }

    @AfterEach
    void stop() throws Exception {
        for (DefaultCamelContext c : contexts) {
            c.stop();
        }
        smtp.close();
        broker.close();
    }

    private final java.util.Set<String> deliveringContexts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private DefaultCamelContext relay(RetrySchedule schedule) throws Exception {
        return relay(schedule, null, List.of());
    }

    /** A relay with large-message options, spooling large stream caches to disk, and enrichers run before the headers. */
    private DefaultCamelContext relay(RetrySchedule schedule, String largeMessageOptions, List<Processor> firstEnrichers) throws Exception {
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.getStreamCachingStrategy().setSpoolEnabled(true);
        ctx.getRegistry().bind("instanceRecorder", new io.github.camelrelay.smtprelay.SmtpRelayListener() {
            @Override
            public void deliveryCompleted(String endpoint, io.github.camelrelay.smtprelay.report.DeliveryReport report, long ms) {
                if (report.allDelivered()) {
                    deliveringContexts.add(ctx.getName());
                }
            }
        });
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        String delivery = "smtprelay:out?relayHost=127.0.0.2&relayPort=" + smtp.port() + "&tls=NONE&commandTimeout=2000"
                          + "&connectTimeout=1000&addReceivedHeader=false";
        List<Processor> enrichers = new java.util.ArrayList<>(firstEnrichers);
        enrichers.add(new HeaderEnricher("relay.example.test", Map.of()));
        ctx.addRoutes(new SmtpRelayRoutes(new RelayRouteSettings(null, QUEUE, null, delivery, DEAD, "relay.example.test",
                schedule, enrichers, null, largeMessageOptions)));
        ctx.start();
        contexts.add(ctx);
        return ctx;
    }

    private static void submit(DefaultCamelContext ctx, String from, String recipients, String body) {
        ctx.createProducerTemplate().send(QUEUE, e -> {
            e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
            // the documented queue format: raw message, envelope in SmtpRelayEnvelopeFrom and SmtpRelayRecipients
            e.getMessage().setHeader("SmtpRelayEnvelopeFrom", from);
            e.getMessage().setHeader("SmtpRelayRecipients", recipients);
        });
    }

    private static String message(String subject) {
        return "From: alice@example.test\r\nTo: bob@example.net\r\nSubject: " + subject + "\r\n\r\nHello\r\n";
    }

    @Test
    void aDestinationThatDefersTwiceGetsExactlyOneCopyAfterTheThirdAttempt() throws Exception {
        smtp.dataReply(n -> n < 3 ? "451 4.3.0 try again later" : "250 2.0.0 queued as " + n);
        DefaultCamelContext ctx = relay(FAST);
        submit(ctx, "alice@example.test", "bob@example.net", message("retry me"));

        Received got = smtp.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.recipients()).containsExactly("bob@example.net");
        assertThat(got.text()).contains("Subject: retry me").containsPattern("Message-ID: <[^>]+@relay\\.example\\.test>");
        // two more seconds: no second copy, no bounce, nothing in the dead letters
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> smtp.messages().size() == 1);
        assertThat(ctx.createConsumerTemplate().receiveNoWait(DEAD)).isNull();
    }

    @Test
    void aPermanentFailureIsBouncedAsAnRfc3464ReportAndTheOriginalGoesToDeadLetters() throws Exception {
        smtp.rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 <" + r + ">: no such user" : "250 2.1.5 OK");
        DefaultCamelContext ctx = relay(FAST);
        submit(ctx, "alice@example.test", "nobody@example.net,bob@example.net", message("partly bounced"));

        List<Received> got = smtp.awaitMessages(2, Duration.ofSeconds(20));
        Received delivered = got.stream().filter(r -> r.recipients().contains("bob@example.net")).findFirst().orElseThrow();
        assertThat(delivered.mailFrom()).isEqualTo("alice@example.test");
        Received bounce = got.stream().filter(r -> r.recipients().contains("alice@example.test")).findFirst().orElseThrow();
        assertThat(bounce.mailFrom()).isEmpty();

        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bounce.data()));
        assertThat(m.getContentType()).startsWith("multipart/report");
        MimeMultipart parts = new MimeMultipart(new jakarta.mail.util.ByteArrayDataSource(m.getInputStream(), m.getContentType()));
        DeliveryStatus status = new DeliveryStatus(parts.getBodyPart(1).getInputStream());
        assertThat(status.getRecipientDSNCount()).isEqualTo(1);
        assertThat(status.getRecipientDSN(0).getHeader("Final-Recipient")[0]).isEqualTo("rfc822; nobody@example.net");
        assertThat(status.getRecipientDSN(0).getHeader("Status")[0]).isEqualTo("5.1.1");
        assertThat(status.getRecipientDSN(0).getHeader("Diagnostic-Code")[0]).startsWith("smtp; 550 5.1.1");

        Exchange dead = ctx.createConsumerTemplate().receive(DEAD, 10_000);
        assertThat(dead).isNotNull();
        assertThat(dead.getMessage().getBody(String.class)).contains("Subject: partly bounced");
        assertThat(dead.getMessage().getHeader("SmtpRelayReportText", String.class))
                .contains("<nobody@example.net> FAILED dsn=5.1.1").contains("<bob@example.net> DELIVERED");
    }

    @Test
    void aLargeMessageGoesThroughTheQueueItsRetryAndTheDeadLettersAsAStreamAndStaysUnchanged() throws Exception {
        // deferred once, then refused: back to the queue, then bounced and moved to the dead letters
        AtomicInteger attempts = new AtomicInteger();
        smtp.rcptReply(r -> !r.startsWith("big") ? "250 2.1.5 OK"
                : attempts.incrementAndGet() == 1 ? "451 4.2.0 mailbox busy" : "550 5.1.1 <" + r + ">: no such user");
        List<String> bodies = new CopyOnWriteArrayList<>();
        Processor probe = e -> bodies.add(e.getMessage().getBody() instanceof StreamCache cache
                ? (cache.inMemory() ? "stream cache in memory" : "stream cache spooled to disk")
                : e.getMessage().getBody().getClass().getSimpleName());
        DefaultCamelContext ctx = relay(FAST, "artemisStreamingEnabled=true", List.of(probe));
        String body = message("large") + "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123\r\n".repeat(16_000);
        submit(ctx, "alice@example.test", "big@example.net", body);

        Received bounce = smtp.awaitMessage(Duration.ofSeconds(20));
        assertThat(bounce.recipients()).containsExactly("alice@example.test");
        assertThat(bounce.text()).contains("Status: 5.1.1", "Subject: large");
        // read while the session is open: the body of an Artemis large message arrives only then
        String dead;
        try (jakarta.jms.Connection c = broker.connectionFactory().createConnection();
                jakarta.jms.Session session = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE)) {
            c.start();
            jakarta.jms.Message m = session.createConsumer(session.createQueue("smtprelay.dead")).receive(10_000);
            assertThat(m).isNotNull();
            dead = new String(m.getBody(byte[].class), StandardCharsets.UTF_8);
        }
        // the header step's Message-ID and Date above the message as it was submitted
        assertThat(dead).endsWith(body).startsWith("Message-ID: <");
        assertThat(attempts).hasValue(2);
        assertThat(bodies).as("the body the enrichers got, first attempt only").containsExactly("stream cache spooled to disk");
    }

    @Test
    void aMessageFromTheNullSenderIsNeverBounced() throws Exception {
        smtp.rcptReply(r -> "550 5.1.1 no such user");
        DefaultCamelContext ctx = relay(FAST);
        submit(ctx, "", "nobody@example.net", message("a bounce that bounces"));

        Exchange dead = ctx.createConsumerTemplate().receive(DEAD, 10_000);
        assertThat(dead).isNotNull();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> smtp.messages().isEmpty());
    }

    @Test
    void aMessageThatStaysDeferredIsReturnedToTheSenderWhenTheScheduleExpires() throws Exception {
        smtp.rcptReply(r -> r.startsWith("slow") ? "451 4.2.0 mailbox busy" : "250 2.1.5 OK");
        DefaultCamelContext ctx = relay(new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(1), null));
        submit(ctx, "alice@example.test", "slow@example.net", message("never arrives"));

        Received bounce = smtp.awaitMessage(Duration.ofSeconds(20));
        assertThat(bounce.recipients()).containsExactly("alice@example.test");
        assertThat(bounce.text()).contains("Action: failed", "Status: 4.2.0", "giving up");
        assertThat(ctx.createConsumerTemplate().receive(DEAD, 10_000)).isNotNull();
    }

    @Test
    void aConfiguredDelayWarningTellsTheSenderOnceThatDeliveryIsSlow() throws Exception {
        smtp.rcptReply(r -> r.startsWith("slow") ? "451 4.2.0 mailbox busy" : "250 2.1.5 OK");
        relay(new RetrySchedule(Duration.ofMillis(150), Duration.ofMillis(150), Duration.ofMinutes(5), Duration.ofMillis(500)));
        submit(contexts.get(0), "alice@example.test", "slow@example.net", message("slow one"));

        Received warning = smtp.awaitMessage(Duration.ofSeconds(20));
        assertThat(warning.mailFrom()).isEmpty();
        assertThat(warning.recipients()).containsExactly("alice@example.test");
        assertThat(warning.text()).contains("Action: delayed", "Status: 4.2.0", "Final-Recipient: rfc822; slow@example.net");
        // retries go on (at least three more attempts) without a second warning
        await().atMost(Duration.ofSeconds(10)).until(() -> smtp.commands().stream().filter(c -> c.startsWith("RCPT TO:<slow")).count() >= 5);
        assertThat(smtp.messages()).hasSize(1);
    }

    @Test
    void messagesWaitingForRetrySurviveARestartOfTheRelayAndTheBroker() throws Exception {
        smtp.dataReply(n -> n == 1 ? "451 4.3.0 try again later" : "250 2.0.0 ok " + n);
        DefaultCamelContext first = relay(new RetrySchedule(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofMinutes(5), null));
        submit(first, "alice@example.test", "bob@example.net", message("survivor"));
        await().atMost(Duration.ofSeconds(10)).until(() -> smtp.commands().contains("DATA"));
        first.stop();
        contexts.remove(first);
        broker.close();
        assertThat(smtp.messages()).isEmpty();

        broker = new ArtemisBroker(dataDir, "relay-test").start();
        relay(new RetrySchedule(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofMinutes(5), null));
        Received got = smtp.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.text()).contains("Subject: survivor");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> smtp.messages().size() == 1);
    }

    @Test
    void twoRelayInstancesOnOneBrokerShareTheWorkAndDeliverEachMessageOnce() throws Exception {
        DefaultCamelContext a = relay(FAST);
        relay(FAST);
        int n = 40;
        for (int i = 0; i < n; i++) {
            submit(a, "alice@example.test", "bob@example.net", message("shared " + i));
        }
        List<Received> got = smtp.awaitMessages(n, Duration.ofSeconds(30));
        assertThat(got.stream().map(r -> r.text().replaceAll("(?s).*Subject: (shared \\d+).*", "$1")).distinct()).hasSize(n);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> smtp.messages().size() == n);
        // both instances took part: each delivery thread name carries its context's name
        assertThat(deliveringContexts).hasSize(2);
    }
}
