package io.github.camelrelay.examples.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Properties;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Starts Camel Main as the example's jar does, so it loads camel/relay.camel.yaml through application.properties,
 * and relays one message from a Jakarta Mail client through it to a loopback SMTP server given as RELAY_HOST.
 */
class YamlRelayTest {

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
    void relaysOneMessageThroughTheYamlRoute() throws Exception {
        int smtpPort = freePort();
        main = new Main();
        main.addOverrideProperty("smtp.port", String.valueOf(smtpPort));
        main.addOverrideProperty("relay.host", relayHost.host());
        main.addOverrideProperty("relay.port", String.valueOf(relayHost.port()));
        main.start();

        assertThat(main.getCamelContext().getRoutes()).extracting(r -> r.getRouteId()).containsExactly("yaml-relay");

        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(smtpPort));
        props.put("mail.smtp.timeout", "30000");
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress("app@example.com"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("someone@example.net"));
        message.setSubject("Hello through yaml-relay");
        message.setText("Hello");
        Transport.send(message);

        TestSmtpServer.Received received = relayHost.awaitMessage(Duration.ofSeconds(30));
        assertThat(received.mailFrom()).isEqualTo("app@example.com");
        assertThat(received.recipients()).containsExactly("someone@example.net");
        assertThat(received.text()).contains("Subject: Hello through yaml-relay");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
