package io.github.camelrelay.examples.main;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the example as {@code main} does, with its own application.properties, and relays one message from a
 * Jakarta Mail client through it to a loopback SMTP server given as RELAY_HOST.
 */
class RelayApplicationTest {

    private final TestSmtpServer relayHost = TestSmtpServer.start("127.0.0.1", 0);
    private Main main;

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
        relayHost.close();
    }

    @Test
    void relaysOneMessageToTheRelayHost() throws Exception {
        int smtpPort = freePort();
        main = new Main(RelayApplication.class);
        main.addOverrideProperty("smtp.port", String.valueOf(smtpPort));
        main.addOverrideProperty("relay.host", relayHost.host());
        main.addOverrideProperty("relay.port", String.valueOf(relayHost.port()));
        main.start();

        // the package scan finds the route builder once: a second copy failed the start with duplicate route ids
        assertThat(main.getCamelContext().getRoutes()).extracting(r -> r.getRouteId()).containsExactly("smtp-in");

        send(smtpPort, "app@example.com", "someone@example.net", "Hello through camel-main-relay");

        TestSmtpServer.Received received = relayHost.awaitMessage(Duration.ofSeconds(30));
        assertThat(received.mailFrom()).isEqualTo("app@example.com");
        assertThat(received.recipients()).containsExactly("someone@example.net");
        assertThat(received.text()).contains("Subject: Hello through camel-main-relay");
    }

    /**
     * A partial failure: the relay host takes one recipient and defers the other, so the client is answered 451 and
     * sends the same message again, to a restarted relay. The recipient that got it is not sent it a second time.
     */
    @Test
    void aMessageSentAgainAfterAPartialFailureReachesOnlyTheRecipientsThatDidNotGetIt(@TempDir Path dir) throws Exception {
        AtomicBoolean deferLater = new AtomicBoolean(true);
        relayHost.rcptReply(rcpt -> rcpt.contains("later@") && deferLater.get() ? "451 4.3.0 try again later" : "250 2.1.5 ok");
        int smtpPort = freePort();
        String settled = dir.resolve("settled.dat").toString();
        MimeMessage message = message(smtpPort, "app@example.com", "Partial failure", "now@example.net", "later@example.net");

        main = startRelay(smtpPort, settled);
        assertThatThrownBy(() -> Transport.send(message))
                .isInstanceOf(MessagingException.class).hasMessageContaining("451");
        assertThat(relayHost.awaitMessage(Duration.ofSeconds(30)).recipients()).containsExactly("now@example.net");
        main.stop();

        deferLater.set(false);
        main = startRelay(smtpPort, settled);
        Transport.send(message);
        await().atMost(Duration.ofSeconds(30)).until(() -> relayHost.messages().size() == 2);
        assertThat(relayHost.messages().get(1).recipients()).containsExactly("later@example.net");
        assertThat(relayHost.messages()).flatExtracting(TestSmtpServer.Received::recipients)
                .containsExactly("now@example.net", "later@example.net");
    }

    private Main startRelay(int smtpPort, String settledFile) {
        Main relay = new Main(RelayApplication.class);
        relay.addOverrideProperty("smtp.port", String.valueOf(smtpPort));
        relay.addOverrideProperty("relay.host", relayHost.host());
        relay.addOverrideProperty("relay.port", String.valueOf(relayHost.port()));
        relay.addOverrideProperty("settled.file", settledFile);
        relay.start();
        return relay;
    }

    /** A message that keeps its Message-ID when sent again, as a client's retry of the same message does. */
    private static MimeMessage message(int port, String from, String subject, String... to) throws MessagingException {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(port));
        props.put("mail.smtp.timeout", "30000");
        MimeMessage message = new MimeMessage(Session.getInstance(props)) {
            @Override
            protected void updateMessageID() throws MessagingException {
                if (getHeader("Message-ID") == null) {
                    super.updateMessageID();
                }
            }
        };
        message.setFrom(new InternetAddress(from));
        for (String r : to) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(r));
        }
        message.setSubject(subject);
        message.setText("Hello");
        message.saveChanges();
        return message;
    }

    static void send(int port, String from, String to, String subject) throws MessagingException {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(port));
        props.put("mail.smtp.timeout", "30000");
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("Hello");
        Transport.send(message);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
