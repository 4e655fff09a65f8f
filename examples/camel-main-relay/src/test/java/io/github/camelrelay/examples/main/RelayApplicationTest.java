package io.github.camelrelay.examples.main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Properties;

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
