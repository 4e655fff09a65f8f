package io.github.camelrelay.smtprelay.relay;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
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
 * DSN requests (RFC 3461) end to end: a client's MAIL FROM and RCPT TO parameters at the listener, through the relay
 * routes and a real Artemis queue (and its retries), passed on to a next hop that offers DSN, and obeyed by the
 * relay's own notifications when it does not: NEVER, FAILURE, DELAY and SUCCESS, RET=HDRS and RET=FULL, ENVID and
 * ORCPT in the reports.
 */
class DsnRoutesTest {

    private static final String QUEUE = "jms:queue:smtprelay.outbound?transacted=true";
    private static final String DEAD = "jms:queue:smtprelay.dead";
    private static final String SENDER = "alice@corp.test";

    @TempDir
    Path dataDir;

    private ArtemisBroker broker;
    private TestSmtpServer mx;
    private DefaultCamelContext ctx;
    private int ingressPort;

    @BeforeEach
    void start() throws Exception {
        broker = new ArtemisBroker(dataDir, "dsn-test").start();
        mx = TestSmtpServer.start("127.0.0.2", 0);
        ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
    }

    /** The relay; a delay warning once a message is 1 ms old, that is at its first deferral. */
    private void relay() throws Exception {
        ctx = new DefaultCamelContext();
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        String ingress = "smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1&relayNetworks=127.0.0.1/32"
                         + "&localDomains=corp.test";
        String delivery = "smtprelay:out?relayHost=127.0.0.2&relayPort=" + mx.port() + "&tls=NONE&addReceivedHeader=false";
        RetrySchedule schedule = new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofSeconds(30),
                Duration.ofMillis(1));
        ctx.addRoutes(new SmtpRelayRoutes(new RelayRouteSettings(ingress, QUEUE, null, delivery, DEAD, "relay.corp.test",
                schedule, List.of())));
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

    private static String message(String subject) {
        return "From: " + SENDER + "\r\nTo: bob@far.test\r\nSubject: " + subject + "\r\n\r\nthe body text\r\n";
    }

    @Test
    void toANextHopWithDsnTheParametersArePassedOnAndTheRelaySendsNoSuccessNotice() throws Exception {
        mx.offer("DSN");
        relay();
        assertThat(smtp("MAIL FROM:<" + SENDER + "> RET=HDRS ENVID=id+2B1",
                List.of("RCPT TO:<bob@far.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bx@far.test"), message("passed on")))
                .startsWith("250 ");

        Received got = mx.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.recipients()).containsExactly("bob@far.test");
        assertThat(mx.commands()).contains("MAIL FROM:<" + SENDER + "> SIZE=" + got.data().length + " RET=HDRS ENVID=id+2B1",
                "RCPT TO:<bob@far.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bx@far.test");
        // the next hop reports on what it accepted: no notice from the relay
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> mx.messages().size() == 1);
    }

    @Test
    void toANextHopWithoutDsnNoParametersAreSentAndNotifySuccessGetsARelayedNotice() throws Exception {
        relay();
        assertThat(smtp("MAIL FROM:<" + SENDER + "> ENVID=env-42",
                List.of("RCPT TO:<bob@far.test> NOTIFY=SUCCESS ORCPT=rfc822;Bob@far.test", "RCPT TO:<carol@far.test>"),
                message("relayed"))).startsWith("250 ");

        List<Received> got = mx.awaitMessages(2, Duration.ofSeconds(20));
        Received notice = to(got, SENDER);
        Received relayed = to(got, "bob@far.test");
        assertThat(mx.commands()).contains("MAIL FROM:<" + SENDER + "> SIZE=" + relayed.data().length, "RCPT TO:<bob@far.test>",
                "RCPT TO:<carol@far.test>");
        assertThat(notice.mailFrom()).isEmpty();
        DeliveryStatus status = status(notice);
        assertThat(status.getMessageDSN().getHeader("Original-Envelope-Id")[0]).isEqualTo("env-42");
        assertThat(status.getRecipientDSNCount()).as("carol asked for nothing on success").isEqualTo(1);
        assertThat(status.getRecipientDSN(0).getHeader("Action")[0]).isEqualTo("relayed");
        assertThat(status.getRecipientDSN(0).getHeader("Original-Recipient")[0]).isEqualTo("rfc822; Bob@far.test");
        assertThat(status.getRecipientDSN(0).getHeader("Final-Recipient")[0]).isEqualTo("rfc822; bob@far.test");
        assertThat(status.getRecipientDSN(0).getHeader("Status")[0]).startsWith("2.");
        assertThat(new String(notice.data(), StandardCharsets.UTF_8)).contains("Subject: Successful Mail Delivery Report");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> mx.messages().size() == 2);
    }

    @Test
    void notifyNeverGetsNoBounceAndNotifyFailureWithRetHdrsGetsTheHeadersOnly() throws Exception {
        mx.rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 <" + r + ">: no such user" : "250 2.1.5 OK");
        relay();
        assertThat(smtp("MAIL FROM:<" + SENDER + "> RET=HDRS",
                List.of("RCPT TO:<nobody1@far.test> NOTIFY=NEVER", "RCPT TO:<nobody2@far.test> NOTIFY=FAILURE ORCPT=rfc822;nobody2@far.test",
                        "RCPT TO:<bob@far.test>"), message("headers only"))).startsWith("250 ");

        List<Received> got = mx.awaitMessages(2, Duration.ofSeconds(20));
        Received bounce = to(got, SENDER);
        DeliveryStatus status = status(bounce);
        assertThat(status.getRecipientDSNCount()).isEqualTo(1);
        assertThat(status.getRecipientDSN(0).getHeader("Final-Recipient")[0]).isEqualTo("rfc822; nobody2@far.test");
        assertThat(status.getRecipientDSN(0).getHeader("Original-Recipient")[0]).isEqualTo("rfc822; nobody2@far.test");
        assertThat(status.getRecipientDSN(0).getHeader("Action")[0]).isEqualTo("failed");
        BodyPart returned = parts(bounce).getBodyPart(2);
        assertThat(returned.getContentType()).startsWith("text/rfc822-headers");
        String text = new String(bounce.data(), StandardCharsets.UTF_8);
        assertThat(text).contains("Subject: headers only").doesNotContain("the body text");
        assertThat(ctx.createConsumerTemplate().receive(DEAD, 10_000)).isNotNull();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> mx.messages().size() == 2);
    }

    @Test
    void retFullReturnsTheWholeMessageAndNotifyNeverAloneSendsNothing() throws Exception {
        mx.rcptReply(r -> r.startsWith("nobody") ? "550 5.1.1 <" + r + ">: no such user" : "250 2.1.5 OK");
        relay();
        assertThat(smtp("MAIL FROM:<" + SENDER + "> RET=FULL", List.of("RCPT TO:<nobody@far.test>"), message("full")))
                .startsWith("250 ");
        Received bounce = mx.awaitMessage(Duration.ofSeconds(20));
        assertThat(parts(bounce).getBodyPart(2).getContentType()).startsWith("message/rfc822");
        assertThat(new String(bounce.data(), StandardCharsets.UTF_8)).contains("Subject: full", "the body text");
        assertThat(ctx.createConsumerTemplate().receive(DEAD, 10_000)).isNotNull();

        mx.reset();
        assertThat(smtp("MAIL FROM:<" + SENDER + ">", List.of("RCPT TO:<nobody@far.test> NOTIFY=NEVER"), message("never")))
                .startsWith("250 ");
        assertThat(ctx.createConsumerTemplate().receive(DEAD, 10_000)).isNotNull();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> mx.messages().isEmpty());
    }

    @Test
    void delayWarningsGoOnlyToRecipientsThatAskedForThemOrGaveNoNotifyAndTheRequestSurvivesTheRetry() throws Exception {
        // slow ones are deferred twice, then taken
        java.util.Map<String, Integer> tries = new java.util.concurrent.ConcurrentHashMap<>();
        mx.rcptReply(r -> !r.startsWith("slow") || tries.merge(r, 1, Integer::sum) > 2 ? "250 2.1.5 OK" : "451 4.2.0 mailbox busy");
        relay();
        assertThat(smtp("MAIL FROM:<" + SENDER + "> ENVID=slow-one", List.of("RCPT TO:<slow1@far.test> NOTIFY=FAILURE",
                "RCPT TO:<slow2@far.test> NOTIFY=DELAY,SUCCESS", "RCPT TO:<slow3@far.test>"), message("slow"))).startsWith("250 ");

        // the warning, then the message itself, then the relayed notice for slow2 (SUCCESS asked, no DSN at the next hop)
        List<Received> got = mx.awaitMessages(3, Duration.ofSeconds(20));
        List<Received> notices = got.stream().filter(r -> r.recipients().contains(SENDER)).toList();
        assertThat(notices).hasSize(2);
        DeliveryStatus warning = status(notices.get(0));
        assertThat(warning.getMessageDSN().getHeader("Original-Envelope-Id")[0]).isEqualTo("slow-one");
        List<String> warned = new ArrayList<>();
        for (int i = 0; i < warning.getRecipientDSNCount(); i++) {
            assertThat(warning.getRecipientDSN(i).getHeader("Action")[0]).isEqualTo("delayed");
            warned.add(warning.getRecipientDSN(i).getHeader("Final-Recipient")[0]);
        }
        assertThat(warned).containsExactly("rfc822; slow2@far.test", "rfc822; slow3@far.test");
        DeliveryStatus relayed = status(notices.get(1));
        assertThat(relayed.getRecipientDSNCount()).isEqualTo(1);
        assertThat(relayed.getRecipientDSN(0).getHeader("Final-Recipient")[0]).isEqualTo("rfc822; slow2@far.test");
        assertThat(relayed.getRecipientDSN(0).getHeader("Action")[0]).isEqualTo("relayed");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> mx.messages().size() == 3);
    }

    private static Received to(List<Received> got, String recipient) {
        return got.stream().filter(r -> r.recipients().contains(recipient)).findFirst().orElseThrow();
    }

    private static MimeMultipart parts(Received r) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(r.data()));
        assertThat(m.getContentType()).startsWith("multipart/report");
        return new MimeMultipart(new jakarta.mail.util.ByteArrayDataSource(m.getInputStream(), m.getContentType()));
    }

    private static DeliveryStatus status(Received r) throws Exception {
        return new DeliveryStatus(parts(r).getBodyPart(1).getInputStream());
    }

    private String smtp(String mailFrom, List<String> rcpts, String message) throws Exception {
        return SmtpClientSession.transaction(ingressPort, mailFrom, rcpts, message);
    }
}
