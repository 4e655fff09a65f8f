package io.github.camelrelay.smtprelay.relay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hand-built set-up that docs/consumer.md shows (listener, a transacted JMS queue, the producer with
 * synchronous=true and a settled record) on a real Artemis: after a partial failure the transaction rolls back and
 * the broker redelivers the whole message, and only the recipient that did not get it is sent it again. A recipient
 * whose quoted local part holds a comma survives the comma-joined list the route puts on the queue.
 */
class DocumentedJmsRouteTest {

    @TempDir
    Path dataDir;

    private ArtemisBroker broker;
    private TestSmtpServer relayHost;
    private DefaultCamelContext ctx;

    @AfterEach
    void stop() throws Exception {
        if (ctx != null) {
            ctx.stop();
        }
        if (relayHost != null) {
            relayHost.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aRedeliveryAfterAPartialFailureReachesOnlyTheRecipientThatDidNotGetIt() throws Exception {
        broker = new ArtemisBroker(dataDir.resolve("broker"), "documented-jms-route").start();
        AtomicInteger laterAttempts = new AtomicInteger();
        relayHost = TestSmtpServer.start("127.0.0.1", 0)
                .rcptReply(rcpt -> rcpt.contains("later@") && laterAttempts.incrementAndGet() <= 2
                        ? "451 4.3.0 try again later" : "250 2.1.5 ok");
        int port = TestSmtpServer.freePortOnAll("127.0.0.1");

        ctx = new DefaultCamelContext();
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        SettledFileRepository settled = SettledFileRepository.of(dataDir.resolve("settled.dat"));
        ctx.addService(settled, true, true);
        ctx.getRegistry().bind("settled", settled);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the routes of docs/consumer.md, without TLS and AUTH, delivering to the test's relay host
                from("smtprelay:submission?bindAddress=127.0.0.1&port=" + port + "&relayNetworks=127.0.0.0/8")
                        .routeId("smtp-in")
                        .setHeader("SmtpRelayEnvelopeFrom", header(SmtpRelayConstants.ENVELOPE_FROM))
                        .setHeader("SmtpRelayQueueId", header(SmtpRelayConstants.QUEUE_ID))
                        .process(e -> e.getMessage().setHeader("SmtpRelayRecipients", String.join(",",
                                e.getMessage().getHeader(SmtpRelayConstants.RECIPIENTS, List.class))))
                        .to("jms:queue:outbound-mail");
                from("jms:queue:outbound-mail?transacted=true")
                        .routeId("smtp-out")
                        .setHeader(SmtpRelayConstants.ENVELOPE_FROM, header("SmtpRelayEnvelopeFrom"))
                        .setHeader(SmtpRelayConstants.RECIPIENTS, header("SmtpRelayRecipients"))
                        .setHeader(SmtpRelayConstants.QUEUE_ID, header("SmtpRelayQueueId"))
                        .to("smtprelay:out?relayHost=127.0.0.1&relayPort=" + relayHost.port()
                            + "&heloName=relay.example.test&synchronous=true&settledRepository=#settled");
            }
        });
        ctx.start();

        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(port));
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress("app@example.com"));
        message.addRecipient(Message.RecipientType.TO, new InternetAddress("now@example.net"));
        message.addRecipient(Message.RecipientType.TO, new InternetAddress("\"a,b\"@example.net"));
        message.addRecipient(Message.RecipientType.TO, new InternetAddress("later@example.net"));
        message.setSubject("Partial failure");
        message.setText("Hello");
        Transport.send(message);

        await().atMost(Duration.ofSeconds(60)).until(() -> relayHost.messages().stream()
                .anyMatch(m -> m.recipients().contains("later@example.net")));
        assertThat(laterAttempts).hasValue(3);
        assertThat(relayHost.messages()).flatExtracting(TestSmtpServer.Received::recipients)
                .containsExactlyInAnyOrder("now@example.net", "\"a,b\"@example.net", "later@example.net");
    }
}
