package io.github.camelrelay.smtprelay.relay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.IdempotentRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay routes' queue manager on a real, persistent Artemis broker and real SMTP and DNS servers on loopback:
 * per-destination scheduling (split by domain, a tarpit that does not stall a healthy domain, a 421 greeting that
 * suspends its destination and halves its concurrency), the settled record across rollbacks and a restart, and the
 * envelope and bounce cases that used to end silently in the dead letters.
 */
class QueueManagerRoutesTest {

    private static final String HEALTHY_IP = "127.0.0.2";
    private static final String TARPIT_IP = "127.0.0.3";
    private static final String BUSY_IP = "127.0.0.4";
    /** The starter's default: 50 queue consumers. */
    private static final String QUEUE = "jms:queue:smtprelay.outbound?transacted=true&concurrentConsumers=50";
    private static final String DEAD = "jms:queue:smtprelay.dead";
    private static final RetrySchedule FAST =
            new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofSeconds(30), Duration.ZERO);

    @TempDir
    Path dataDir;

    private ArtemisBroker broker;
    private TestDnsServer dns;
    private TestSmtpServer healthy;
    private TestSmtpServer tarpit;
    private TestSmtpServer busy;
    private int port;
    private final List<DefaultCamelContext> contexts = new ArrayList<>();
    private final List<SmtpRelayRoutes> routes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = new ArtemisBroker(dataDir.resolve("broker"), "qmgr-test").start();
        port = TestSmtpServer.freePortOnAll(HEALTHY_IP, TARPIT_IP, BUSY_IP);
        healthy = TestSmtpServer.start(HEALTHY_IP, port);
        tarpit = TestSmtpServer.start(TARPIT_IP, port).tarpit(true);
        busy = TestSmtpServer.start(BUSY_IP, port).greeting("421 4.7.0 mx.test too many connections, try again later");
        dns = TestDnsServer.start()
                .mx("healthy.test", 10, "mx.healthy.test").a("mx.healthy.test", HEALTHY_IP)
                .mx("other.test", 10, "mx.other.test").a("mx.other.test", HEALTHY_IP)
                .mx("tarpit.test", 10, "mx.tarpit.test").a("mx.tarpit.test", TARPIT_IP)
                .mx("busy.test", 10, "mx.busy.test").a("mx.busy.test", BUSY_IP);
    }

    @AfterEach
    void stop() throws Exception {
        // the servers first: a delivery waiting for a tarpit's greeting then ends at once
        tarpit.close();
        busy.close();
        healthy.close();
        for (DefaultCamelContext c : contexts) {
            c.stop();
        }
        dns.close();
        broker.close();
    }

    /** The delivery endpoint with every option at its default but where the test's DNS and SMTP servers are. */
    private String delivery() {
        return "smtprelay:out?dnsServers=" + dns.address() + "&mxPort=" + port + "&heloName=relay.example.test&addReceivedHeader=false";
    }

    private DefaultCamelContext relay(RelayRouteSettings settings, RouteBuilder... extra) throws Exception {
        return relay(new SmtpRelayRoutes(settings), extra);
    }

    private DefaultCamelContext relay(SmtpRelayRoutes r, RouteBuilder... extra) throws Exception {
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        for (RouteBuilder b : extra) {
            ctx.addRoutes(b);
        }
        ctx.addRoutes(r);
        ctx.start();
        contexts.add(ctx);
        routes.add(r);
        return ctx;
    }

    private RelayRouteSettings settings(RetrySchedule schedule, List<Processor> enrichers, String deadLetterUri) {
        return new RelayRouteSettings(null, QUEUE, null, delivery(), deadLetterUri, "relay.example.test", schedule, enrichers);
    }

    private RelayRouteSettings settings(RetrySchedule schedule) {
        return settings(schedule, List.of(), DEAD);
    }

    private static void submit(DefaultCamelContext ctx, String from, String recipients, String body) {
        submit(ctx, from, recipients, body, null);
    }

    private static void submit(DefaultCamelContext ctx, String from, String recipients, String body, String key) {
        ctx.createProducerTemplate().send(QUEUE, e -> {
            e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
            if (key != null) {
                e.getMessage().setHeader("SmtpRelayQueueId", key);
            }
            if (from != null) {
                e.getMessage().setHeader("SmtpRelayEnvelopeFrom", from);
            }
            e.getMessage().setHeader("SmtpRelayRecipients", recipients);
        });
    }

    private static String message(String subject) {
        return "From: Alice <alice@healthy.test>\r\nTo: someone@healthy.test\r\nSubject: " + subject + "\r\n\r\nHello\r\n";
    }

    private static String subjectOf(Received r) {
        return r.text().replaceAll("(?s).*Subject: ([^\r\n]*).*", "$1");
    }

    @Test
    void aHealthyDestinationKeepsFlowingBehindATarpitWithTheDefaultSettings() throws Exception {
        DefaultCamelContext ctx = relay(settings(RetrySchedule.POSTFIX_LIKE));
        for (int i = 0; i < 8; i++) {
            submit(ctx, "alice@healthy.test", "[\"user" + i + "@tarpit.test\"]", message("tarpit " + i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> tarpit.connections() >= 8);
        int n = 200;
        for (int i = 0; i < n; i++) {
            submit(ctx, "alice@healthy.test", "[\"bob@healthy.test\"]", message("healthy " + i));
        }

        // the figure: 200 messages within 30 s while 8 deliveries wait for a greeting that never comes
        List<Received> got = healthy.awaitMessages(n, Duration.ofSeconds(30));
        assertThat(got.stream().map(QueueManagerRoutesTest::subjectOf).distinct()).hasSize(n);
        assertThat(tarpit.connections()).as("one connection per tarpit message, none for anything else").isEqualTo(8);
        assertThat(routes.get(0).scheduler().active("tarpit.test")).isEqualTo(8);
    }

    @Test
    void aMessageForThreeDomainsBecomesThreeIndependentDeliveries() throws Exception {
        DefaultCamelContext ctx = relay(settings(FAST));
        submit(ctx, "alice@healthy.test", "[\"bob@healthy.test\",\"carol@other.test\",\"dave@tarpit.test\"]", message("three"));

        // the two reachable domains get their copy each, while the tarpit's entry waits on its own
        List<Received> got = healthy.awaitMessages(2, Duration.ofSeconds(20));
        assertThat(got).extracting(Received::recipients)
                .containsExactlyInAnyOrder(List.of("bob@healthy.test"), List.of("carol@other.test"));
        await().atMost(Duration.ofSeconds(10)).until(() -> tarpit.connections() == 1);
    }

    @Test
    void aDestinationAtItsTrafficShapingRateIsHeldBackWithoutAnAttemptWhileOthersFlow() throws Exception {
        RelayRouteSettings s = new RelayRouteSettings(null, QUEUE, null, delivery() + "&trafficShaping=other.test: maxRate=1/h",
                DEAD, "relay.example.test", FAST, List.of());
        DefaultCamelContext ctx = relay(s);
        for (int i = 0; i < 3; i++) {
            submit(ctx, "alice@healthy.test", "[\"x" + i + "@other.test\"]", message("other-" + i));
        }
        for (int i = 0; i < 5; i++) {
            submit(ctx, "alice@healthy.test", "[\"y" + i + "@healthy.test\"]", message("healthy-" + i));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> healthy.messages().stream().filter(m -> subjectOf(m).startsWith("healthy-")).count() == 5);
        // the held messages are offered again only when the hour's window frees one: neither delivered, nor deferred
        // as attempts (which the FAST schedule would have expired and bounced within its 30 s), nor dead-lettered
        assertThat(healthy.messages().stream().filter(m -> subjectOf(m).startsWith("other-")).count()).isEqualTo(1);
        assertThat(healthy.messages()).noneMatch(m -> m.mailFrom().isEmpty());
        // the queue gauges' source: the two held back are queued for other.test, nothing for healthy.test
        QueueTracker tracker = routes.get(0).tracker();
        await().atMost(Duration.ofSeconds(10)).until(() -> tracker.queued("other.test") == 2);
        assertThat(tracker.queued("healthy.test")).isZero();
        assertThat(tracker.oldestAge("other.test")).isPositive();
        assertThat(ctx.createConsumerTemplate().receiveNoWait(DEAD)).isNull();
    }

    @Test
    void aGreetingOf421SuspendsTheDestinationAndHalvesItsConcurrency() throws Exception {
        DefaultCamelContext ctx = relay(settings(FAST));
        submit(ctx, "alice@healthy.test", "[\"bob@busy.test\"]", message("busy 1"));
        DestinationScheduler scheduler = routes.get(0).scheduler();
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.suspendedUntil("busy.test") != null);
        assertThat(scheduler.limit("busy.test")).isEqualTo(10);
        assertThat(busy.connections()).isEqualTo(1);

        // while it backs off (60 s by default) its mail is deferred without a connection, retry after retry
        submit(ctx, "alice@healthy.test", "[\"carol@busy.test\"]", message("busy 2"));
        submit(ctx, "alice@healthy.test", "[\"bob@healthy.test\"]", message("healthy"));
        healthy.awaitMessage(Duration.ofSeconds(20));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> busy.connections() == 1);
        assertThat(healthy.messages()).hasSize(1);
    }

    @Test
    void aRecipientWithACommaInItsQuotedLocalPartIsDeliveredInEitherQueueFormat() throws Exception {
        DefaultCamelContext ctx = relay(settings(FAST));
        submit(ctx, "alice@healthy.test", "[\"\\\"a,b\\\"@healthy.test\",\"bob@healthy.test\"]", message("json"));
        // the format before JSON, as entries written by the previous version hold it
        submit(ctx, "alice@healthy.test", "\"c,d\"@healthy.test,carol@healthy.test", message("comma list"));

        List<Received> got = healthy.awaitMessages(2, Duration.ofSeconds(20));
        assertThat(got).extracting(Received::recipients).containsExactlyInAnyOrder(
                List.of("\"a,b\"@healthy.test", "bob@healthy.test"), List.of("\"c,d\"@healthy.test", "carol@healthy.test"));
        assertThat(ctx.createConsumerTemplate().receiveNoWait(DEAD)).isNull();
    }

    @Test
    void aFailingBounceSendRollsBackWithoutASecondCopyForTheDeliveredRecipient() throws Exception {
        healthy.rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 no such user" : "250 2.1.5 OK");
        AtomicInteger bounceSends = new AtomicInteger();
        DefaultCamelContext ctx = relay(settings(FAST), new RouteBuilder() {
            @Override
            public void configure() {
                // the first bounce send fails, as with a full address: the whole attempt rolls back
                interceptSendToEndpoint("jms:queue:smtprelay.outbound*")
                        .when(e -> "".equals(e.getMessage().getHeader("SmtpRelayEnvelopeFrom")) && bounceSends.incrementAndGet() == 1)
                        .throwException(new IllegalStateException("address full"));
                // an interception takes effect with the routes of its builder
                from("direct:bounce-test").log("unused");
            }
        });
        submit(ctx, "alice@healthy.test", "[\"bob@healthy.test\",\"nobody@healthy.test\"]", message("bounce fails once"));

        await().atMost(Duration.ofSeconds(20)).until(() -> healthy.messages().stream().anyMatch(r -> r.mailFrom().isEmpty()));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> healthy.messages().size() == 2);
        List<Received> got = healthy.messages();
        assertThat(got).filteredOn(r -> r.recipients().contains("bob@healthy.test")).hasSize(1);
        assertThat(got).filteredOn(r -> r.recipients().contains("alice@healthy.test")).hasSize(1);
        assertThat(bounceSends).hasValueGreaterThanOrEqualTo(2);
        assertThat(ctx.createConsumerTemplate().receive(DEAD, 10_000)).isNotNull();
    }

    @Test
    void aFailingDeadLetterSendRollsBackWithoutASecondCopyOrASecondBounce() throws Exception {
        healthy.rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 no such user" : "250 2.1.5 OK");
        AtomicInteger deadSends = new AtomicInteger();
        DefaultCamelContext ctx = relay(settings(FAST, List.of(), "direct:dead"), new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:dead").process(e -> {
                    if (deadSends.incrementAndGet() == 1) {
                        throw new IllegalStateException("dead-letter address unavailable");
                    }
                }).to(DEAD);
            }
        });
        submit(ctx, "alice@healthy.test", "[\"bob@healthy.test\",\"nobody@healthy.test\"]", message("dead letter fails once"));

        Exchange dead = ctx.createConsumerTemplate().receive(DEAD, 20_000);
        assertThat(dead).isNotNull();
        assertThat(dead.getMessage().getHeader("SmtpRelayReportText", String.class))
                .contains("<nobody@healthy.test> FAILED dsn=5.1.1").contains("sender notified: <alice@healthy.test>");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> healthy.messages().size() == 2);
        assertThat(healthy.messages()).filteredOn(r -> r.recipients().contains("bob@healthy.test")).hasSize(1);
        assertThat(healthy.messages()).filteredOn(r -> r.recipients().contains("alice@healthy.test")).hasSize(1);
        assertThat(deadSends).hasValue(2);
    }

    @Test
    void theSettledRecordOnFileKeepsADeliveredRecipientFromASecondCopyAfterARestart() throws Exception {
        IdempotentRepository file = SettledFileRepository.of(dataDir.resolve("settled.dat"));
        healthy.rcptReply(r -> r.startsWith("carol") ? "451 4.2.0 mailbox busy" : "250 2.1.5 OK");
        AtomicInteger retrySends = new AtomicInteger();
        DefaultCamelContext first = relay(settings(FAST).withSettledRepository(file), new RouteBuilder() {
            @Override
            public void configure() {
                // every retry send fails, as when the broker goes away right after the delivery
                interceptSendToEndpoint("jms:queue:smtprelay.outbound*")
                        .when(e -> e.getMessage().getHeader("CamelSmtpRelayRetryDelay") != null)
                        .process(e -> retrySends.incrementAndGet())
                        .throwException(new IllegalStateException("broker gone"));
                from("direct:restart-test").log("unused");
            }
        });
        submit(first, "alice@healthy.test", "[\"bob@healthy.test\",\"carol@healthy.test\"]", message("restart"), "restart-1");
        await().atMost(Duration.ofSeconds(20)).until(() -> retrySends.get() >= 2);
        first.stop();
        contexts.remove(first);
        broker.close();
        assertThat(healthy.messages()).extracting(Received::recipients).containsOnly(List.of("bob@healthy.test"));
        assertThat(healthy.messages()).hasSize(1);

        broker = new ArtemisBroker(dataDir.resolve("broker"), "qmgr-test").start();
        healthy.rcptReply(r -> "250 2.1.5 OK");
        IdempotentRepository reopened = SettledFileRepository.of(dataDir.resolve("settled.dat"));
        DefaultCamelContext second = relay(settings(FAST).withSettledRepository(reopened));
        // the entry is still queued (every attempt rolled back) or, past the redelivery limit, submitted again
        // under the same key as an operator would: either way bob is not sent a second copy
        submit(second, "alice@healthy.test", "[\"bob@healthy.test\",\"carol@healthy.test\"]", message("restart"), "restart-1");
        await().atMost(Duration.ofSeconds(20)).until(() -> healthy.messages().stream().anyMatch(r -> r.recipients().contains("carol@healthy.test")));
        assertThat(healthy.messages()).filteredOn(r -> r.recipients().contains("bob@healthy.test")).hasSize(1);
    }

    @Test
    void aMessageAnEnricherRefusesIsBouncedWithTheReasonAndDeadLetteredWithAReport() throws Exception {
        Processor refuse = e -> {
            throw new InvalidMailException("Expected a From header to sign but found none", "5.7.1", e, null);
        };
        DefaultCamelContext ctx = relay(settings(FAST, List.of(refuse), DEAD));
        submit(ctx, "alice@healthy.test", "[\"bob@healthy.test\"]", message("unsignable"));

        Received bounce = healthy.awaitMessage(Duration.ofSeconds(20));
        assertThat(bounce.recipients()).containsExactly("alice@healthy.test");
        assertThat(bounce.text()).contains("Status: 5.7.1", "Final-Recipient: rfc822; bob@healthy.test",
                "Expected a From header to sign");
        Exchange dead = ctx.createConsumerTemplate().receive(DEAD, 10_000);
        assertThat(dead.getMessage().getHeader("SmtpRelayReportText", String.class))
                .contains("refused before delivery (5.7.1)").contains("sender notified: <alice@healthy.test>");
    }

    @Test
    void anEntryThatKeepsFailingUnexpectedlyIsBouncedAndDeadLetteredWithAReportBeforeTheBrokerGivesUp() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Processor broken = e -> {
            calls.incrementAndGet();
            throw new IllegalStateException("enricher bug");
        };
        DefaultCamelContext ctx = relay(settings(FAST, List.of(broken), DEAD));
        submit(ctx, "alice@healthy.test", "[\"bob@healthy.test\"]", message("keeps failing"));

        Exchange dead = ctx.createConsumerTemplate().receive(DEAD, 30_000);
        assertThat(dead).as("dead-lettered by the routes, not by the broker").isNotNull();
        assertThat(dead.getMessage().getHeader("SmtpRelayReportText", String.class))
                .contains("failed " + SmtpRelayRoutes.MAX_ROLLBACKS + " times with an unexpected error")
                .contains("enricher bug").contains("<bob@healthy.test> FAILED dsn=5.3.0")
                .contains("sender notified: <alice@healthy.test>");
        Received bounce = healthy.awaitMessage(Duration.ofSeconds(20));
        assertThat(bounce.recipients()).containsExactly("alice@healthy.test");
        assertThat(bounce.text()).contains("Status: 5.3.0", "Final-Recipient: rfc822; bob@healthy.test");
        assertThat(calls).hasValue(SmtpRelayRoutes.MAX_ROLLBACKS);
    }

    @Test
    void aMessageAnEnricherWillRefuseIsRefusedAtEndOfDataAndOneItAcceptsIsEnrichedOnceBeforeDelivery() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        class NeedsFrom implements Processor, io.github.camelrelay.smtprelay.enrich.MessageCheck {
            @Override
            public void check(Exchange e) throws InvalidMailException {
                checks.incrementAndGet();
                if (!e.getMessage().getBody(String.class).contains("From:")) {
                    throw new InvalidMailException("Expected a From header to sign with DKIM but the message has none", "5.7.1", e, null);
                }
            }

            @Override
            public void process(Exchange e) {
                runs.incrementAndGet();
                e.getMessage().setBody(("X-Enriched: yes\r\n" + e.getMessage().getBody(String.class)).getBytes(StandardCharsets.UTF_8));
            }
        }
        Processor needsFrom = new NeedsFrom();
        int ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        RelayRouteSettings s = new RelayRouteSettings("smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1", QUEUE, null,
                delivery(), DEAD, "relay.example.test", FAST, List.of(needsFrom));
        relay(s);

        String refused = smtp(ingressPort, "Subject: no From\r\n\r\nHi\r\n");
        String accepted = smtp(ingressPort, message("signed"));

        assertThat(refused).startsWith("550 5.7.1 ").contains("Expected a From header to sign");
        assertThat(accepted).startsWith("250 ");
        Received got = healthy.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.text()).startsWith("X-Enriched: yes\r\n").containsOnlyOnce("X-Enriched");
        assertThat(checks).as("checked at the ingress, each message once").hasValue(2);
        assertThat(runs).as("the accepted one enriched once, before its delivery").hasValue(1);
        assertThat(healthy.messages()).hasSize(1);
    }

    @Test
    void aClientsResendOfAMessageQueuedBeforeACrashIsAnswered250AndNotQueuedAgain() throws Exception {
        int ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        String ingress = queuedBeforeACrash(ingressPort, "queued before the crash");
        RelayRouteSettings s = new RelayRouteSettings(ingress, QUEUE, null, delivery(), DEAD, "relay.example.test", FAST, List.of());

        relay(s);
        // the client never read that 250 and sends the same message again; then another one
        resendThenAnother(ingressPort, "queued before the crash", "answered as accepted: the copy on the queue is the message");
    }

    /**
     * A client's resend of the message with the subject, then a new message: both answered 250, and the sink ends with
     * the original (delivered once) and the new one.
     */
    private void resendThenAnother(int ingressPort, String subject, String why) throws Exception {
        String resent = smtp(ingressPort, message(subject));
        String other = smtp(ingressPort, message("sent after the restart"));

        assertThat(resent).as(why).startsWith("250 ");
        assertThat(other).startsWith("250 ");
        await().atMost(Duration.ofSeconds(20)).until(() -> healthy.messages().size() >= 2);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> healthy.messages().size() == 2);
        assertThat(healthy.messages()).extracting(QueueManagerRoutesTest::subjectOf)
                .containsExactlyInAnyOrder(subject, "sent after the restart");
    }

    @Test
    void aResendOfAMessageDeliveredBeforeACrashIsFoundInTheResendRecordAndNotSentAgain() throws Exception {
        int ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        String ingress = "smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1";
        java.nio.file.Path record = dataDir.resolve("resend.dat");
        RelayRouteSettings s = new RelayRouteSettings(ingress, QUEUE, null, delivery(), DEAD, "relay.example.test", FAST, List.of());
        DefaultCamelContext died = relay(new SmtpRelayRoutes(s).resendRecord(record));
        assertThat(smtp(ingressPort, message("delivered before the crash"))).startsWith("250 ");
        healthy.awaitMessage(Duration.ofSeconds(20));
        // the record as a SIGKILL leaves it: without the marker a clean stop adds
        byte[] atTheCrash = java.nio.file.Files.readAllBytes(record);
        died.stop();
        contexts.remove(died);
        java.nio.file.Files.write(record, atTheCrash);

        // nothing is left on the queue to browse: only the record knows the message was queued
        relay(new SmtpRelayRoutes(s).resendRecord(record));
        resendThenAnother(ingressPort, "delivered before the crash", "answered as accepted: the message was queued and delivered");
    }

    @Test
    void afterACleanRestartOrARouteRestartTheSameMessageIsQueuedAgain() throws Exception {
        int ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        String ingress = "smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1";
        java.nio.file.Path record = dataDir.resolve("resend.dat");
        RelayRouteSettings s = new RelayRouteSettings(ingress, QUEUE, null, delivery(), DEAD, "relay.example.test", FAST, List.of());
        DefaultCamelContext deployed = relay(new SmtpRelayRoutes(s).resendRecord(record));
        assertThat(smtp(ingressPort, message("disk full"))).startsWith("250 ");
        healthy.awaitMessage(Duration.ofSeconds(20));
        deployed.stop();
        contexts.remove(deployed);

        DefaultCamelContext redeployed = relay(new SmtpRelayRoutes(s).resendRecord(record));
        assertThat(smtp(ingressPort, message("disk full"))).startsWith("250 ");
        await().atMost(Duration.ofSeconds(20)).until(() -> healthy.messages().size() == 2);
        // Camel calls its startup listeners again when a route starts later: that is no start of the guard's
        redeployed.getRouteController().stopRoute("smtprelay-ingress");
        redeployed.getRouteController().startRoute("smtprelay-ingress");
        assertThat(smtp(ingressPort, message("disk full"))).startsWith("250 ");

        await().atMost(Duration.ofSeconds(20)).until(() -> healthy.messages().size() == 3);
        assertThat(healthy.messages()).extracting(QueueManagerRoutesTest::subjectOf)
                .containsExactly("disk full", "disk full", "disk full");
    }

    @Test
    void aMessageSentAgainAfterTheStartIsQueuedAgain() throws Exception {
        int ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        String ingress = "smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1";
        relay(new SmtpRelayRoutes(new RelayRouteSettings(ingress, QUEUE, null, delivery(), DEAD, "relay.example.test", FAST,
                List.of())).resendRecord(dataDir.resolve("resend.dat")));

        // the same alert twice, without a Date or Message-ID to tell them apart: both were queued after the start
        assertThat(smtp(ingressPort, message("disk full"))).startsWith("250 ");
        healthy.awaitMessage(Duration.ofSeconds(20));
        assertThat(smtp(ingressPort, message("disk full"))).startsWith("250 ");

        await().atMost(Duration.ofSeconds(20)).until(() -> healthy.messages().size() == 2);
        assertThat(healthy.messages()).extracting(QueueManagerRoutesTest::subjectOf).containsExactly("disk full", "disk full");
    }

    @Test
    void withoutTheResendWindowTheResendIsQueuedAgain() throws Exception {
        int ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        String ingress = queuedBeforeACrash(ingressPort, "twice");
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        ctx.addRoutes(new SmtpRelayRoutes(new RelayRouteSettings(ingress, QUEUE, null, delivery(), DEAD, "relay.example.test",
                FAST, List.of())).resendWindow(Duration.ZERO));
        ctx.start();
        contexts.add(ctx);

        assertThat(smtp(ingressPort, message("twice"))).startsWith("250 ");

        await().atMost(Duration.ofSeconds(20)).until(() -> healthy.messages().size() == 2);
        assertThat(healthy.messages()).extracting(QueueManagerRoutesTest::subjectOf).containsExactly("twice", "twice");
    }

    @Test
    void aRequireTlsEntryNoHostCanTakeIsBouncedWith5730AndItsNoticeCarriesNeitherRequireTlsNorTheContent() throws Exception {
        DefaultCamelContext ctx = relay(settings(FAST));

        ctx.createProducerTemplate().send(QUEUE, e -> {
            e.getMessage().setBody(message("secret plans").replace("Hello", "The secret body").getBytes(StandardCharsets.UTF_8));
            e.getMessage().setHeader("SmtpRelayEnvelopeFrom", "alice@healthy.test");
            e.getMessage().setHeader("SmtpRelayRecipients", "[\"bob@other.test\"]");
            // as the listener queues a message that came with MAIL FROM:<...> REQUIRETLS
            e.getMessage().setHeader("SmtpRelayRequireTls", true);
        });

        Received notice = healthy.awaitMessage(Duration.ofSeconds(20));
        assertThat(notice.recipients()).containsExactly("alice@healthy.test");
        assertThat(notice.mailFrom()).isEmpty();
        assertThat(notice.text()).contains("5.7.30").contains("REQUIRETLS support required").contains("Subject: secret plans")
                .doesNotContain("The secret body");
        assertThat(healthy.commands()).filteredOn(c -> c.startsWith("MAIL FROM")).singleElement()
                .satisfies(c -> assertThat(c).doesNotContain("REQUIRETLS"));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> healthy.messages().size() == 1);
    }

    /**
     * As an instance that died would leave it: its listener put the message on the queue, its deliveries had not
     * taken it yet. Returns the ingress URI, for the next instance to listen where the client sends again.
     */
    private String queuedBeforeACrash(int ingressPort, String subject) throws Exception {
        String ingress = "smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1";
        DefaultCamelContext died = relay(new RelayRouteSettings(ingress, "jms:queue:parked", null, delivery(), DEAD,
                "relay.example.test", FAST, List.of(), "jms:queue:smtprelay.outbound"));
        assertThat(smtp(ingressPort, message(subject))).startsWith("250 ");
        died.stop();
        contexts.remove(died);
        return ingress;
    }

    /** One SMTP transaction to the ingress over a socket: the reply to the final dot. */
    private static String smtp(int port, String message) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            var out = socket.getOutputStream();
            reply(in);
            for (String command : List.of("EHLO client.test", "MAIL FROM:<alice@healthy.test>", "RCPT TO:<bob@healthy.test>", "DATA")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                reply(in);
            }
            out.write((message + ".\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String end = reply(in);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return end;
        }
    }

    private static String reply(java.io.BufferedReader in) throws java.io.IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    @Test
    void withoutAnEnvelopeSenderPropertyTheBounceGoesToTheMessagesFrom() throws Exception {
        healthy.rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 no such user" : "250 2.1.5 OK");
        DefaultCamelContext ctx = relay(settings(FAST));
        submit(ctx, null, "[\"nobody@healthy.test\"]", message("no envelope sender"));

        Received bounce = healthy.awaitMessage(Duration.ofSeconds(20));
        assertThat(bounce.mailFrom()).isEmpty();
        assertThat(bounce.recipients()).containsExactly("alice@healthy.test");
        assertThat(ctx.createConsumerTemplate().receive(DEAD, 10_000).getMessage().getHeader("SmtpRelayReportText", String.class))
                .contains("sender notified: <alice@healthy.test>");
    }
}
