package io.github.camelrelay.examples.jms;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the example as {@code main} does, on its embedded broker in a temporary directory, and puts mail on its
 * queue with {@link SubmitMail} over the broker's TCP acceptor, as another program would: a message is delivered to
 * a loopback SMTP server given as RELAY_HOST, and refused mail ends in the failure queue with its reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JmsDeliveryApplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final TestSmtpServer relayHost = TestSmtpServer.start("127.0.0.1", 0);
    private String brokerUrl;
    private Main main;

    @BeforeAll
    void start(@TempDir Path dataDirectory) throws Exception {
        brokerUrl = "tcp://127.0.0.1:" + freePort();
        main = new Main(JmsDeliveryApplication.class);
        main.addOverrideProperty("broker.embedded.acceptorUrl", brokerUrl);
        main.addOverrideProperty("broker.embedded.dataDirectory", dataDirectory.toString());
        main.addOverrideProperty("relay.host", relayHost.host());
        main.addOverrideProperty("relay.port", String.valueOf(relayHost.port()));
        main.addOverrideProperty("delivery.maximumRedeliveries", "1");
        main.addOverrideProperty("delivery.redeliveryDelay", "100");
        main.start();
    }

    @AfterAll
    void stop() {
        main.stop();
        relayHost.close();
    }

    @BeforeEach
    void resetRelayHost() {
        relayHost.reset();
        relayHost.rcptReply(rcpt -> "250 2.1.5 OK");
    }

    @Test
    void startsEachRouteOnce() {
        assertThat(main.getCamelContext().getRoutes()).extracting(r -> r.getRouteId())
                .containsExactlyInAnyOrder("jms-to-smtp", "to-failure-queue");
    }

    @Test
    void deliversAQueuedMessage() throws Exception {
        SubmitMail.submit(brokerUrl, "mail.outgoing", "app@example.com", "someone@example.net",
                SubmitMail.testMessage("app@example.com", "someone@example.net"));

        TestSmtpServer.Received received = relayHost.awaitMessage(WAIT);
        assertThat(received.mailFrom()).isEqualTo("app@example.com");
        assertThat(received.recipients()).containsExactly("someone@example.net");
        assertThat(received.text()).contains("Subject: Test through camel-main-jms");
    }

    @Test
    void refusedMailGoesToTheFailureQueueWithItsReason() throws Exception {
        String message = "From: <invalid@example.com>\r\nSubject: bad recipient\r\n\r\nbody\r\n";
        SubmitMail.submit(brokerUrl, "mail.outgoing", "invalid@example.com", "not an address",
                message.getBytes(StandardCharsets.UTF_8));

        Message failed = receiveFailed("invalid@example.com");
        assertThat(failed.getStringProperty(JmsDeliveryApplication.FAILURE))
                .contains("InvalidMailException").contains("not an address");
        assertThat(new String(body(failed), StandardCharsets.UTF_8)).isEqualTo(message);
        assertThat(relayHost.messages()).isEmpty();
    }

    @Test
    void mailTheServerRejectsGoesToTheFailureQueueWithTheReport() throws Exception {
        relayHost.rcptReply(rcpt -> rcpt.contains("nobody@") ? "550 5.1.1 No such user" : "250 2.1.5 OK");
        SubmitMail.submit(brokerUrl, "mail.outgoing", "rejected@example.com", "nobody@example.net,someone@example.net",
                SubmitMail.testMessage("rejected@example.com", "nobody@example.net,someone@example.net"));

        Message failed = receiveFailed("rejected@example.com");
        assertThat(failed.getStringProperty(JmsDeliveryApplication.FAILURE)).contains("SmtpRelayPermanentException");
        assertThat(failed.getStringProperty(JmsDeliveryApplication.REPORT_TEXT))
                .contains("<nobody@example.net> FAILED dsn=5.1.1");
        // only the recipient that did not get it: the other one must not get it twice when this is sent again
        assertThat(failed.getStringProperty(JmsDeliveryApplication.RECIPIENTS)).isEqualTo("nobody@example.net");
        assertThat(relayHost.awaitMessage(WAIT).recipients()).containsExactly("someone@example.net");
    }

    @Test
    void mailStillDeferredAfterTheRetriesGoesToTheFailureQueueForTheDeferredRecipientOnly() throws Exception {
        relayHost.rcptReply(rcpt -> rcpt.contains("busy@") ? "451 4.2.0 Try again later" : "250 2.1.5 OK");
        SubmitMail.submit(brokerUrl, "mail.outgoing", "deferred@example.com", "busy@example.net,someone@example.net",
                SubmitMail.testMessage("deferred@example.com", "busy@example.net,someone@example.net"));

        Message failed = receiveFailed("deferred@example.com");
        assertThat(failed.getStringProperty(JmsDeliveryApplication.FAILURE)).contains("SmtpRelayTransientException");
        assertThat(failed.getStringProperty(JmsDeliveryApplication.REPORT_TEXT))
                .contains("<busy@example.net> DEFERRED dsn=4.2.0");
        assertThat(failed.getStringProperty(JmsDeliveryApplication.RECIPIENTS)).isEqualTo("busy@example.net");
        // the redelivery asked for the deferred recipient only: the other one got the message once
        assertThat(relayHost.awaitMessage(WAIT).recipients()).containsExactly("someone@example.net");
        assertThat(relayHost.messages()).hasSize(1);
        assertThat(relayHost.commands().stream().filter(c -> c.startsWith("RCPT TO:<busy@")).count()).isEqualTo(2);
    }

    /** The message from {@code sender} in the failure queue, so one test never takes another's. */
    private Message receiveFailed(String sender) throws JMSException {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl);
                Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue("mail.failed"),
                    JmsDeliveryApplication.ENVELOPE_FROM + " = '" + sender + "'");
            Message message = consumer.receive(WAIT.toMillis());
            assertThat(message).as("a message from " + sender + " in mail.failed within " + WAIT).isNotNull();
            body(message); // read while the connection is open
            return message;
        }
    }

    private static byte[] body(Message message) throws JMSException {
        return message.getBody(byte[].class);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
