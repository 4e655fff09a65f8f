package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import io.github.camelrelay.smtprelay.SmtpRelayConsumer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code from("smtprelay:in").to("smtprelay:out?relayHost=...")} is a working relay: what a client sends to the
 * listener arrives at the next hop (a loopback TestSmtpServer) with the same envelope, and the client hears 250 only
 * after the next hop took the message.
 */
class RelayEndToEndTest {

    private TestSmtpServer nextHop;
    private CamelContext context;
    private int port;

    @BeforeEach
    void start() throws Exception {
        nextHop = TestSmtpServer.start("127.0.0.2", 0);
        context = new DefaultCamelContext();
        context.getStreamCachingStrategy().setSpoolEnabled(true);
        context.getStreamCachingStrategy().setSpoolThreshold(16 * 1024);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtprelay:in?port=0&heloName=relay.example.test&relayNetworks=&localDomains=example.net")
                        .routeId("relay")
                        .to("smtprelay:out?relayHost=127.0.0.2&relayPort=" + nextHop.port() + "&tls=NONE"
                            + "&heloName=relay.example.test");
            }
        });
        context.start();
        port = ((SmtpRelayConsumer) context.getRoute("relay").getConsumer()).getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
        nextHop.close();
    }

    @Test
    void aMessageSentWithAngusMailArrivesAtTheNextHopWithItsEnvelope() throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(port));
        p.put("mail.smtp.localhost", "client.example.test");
        p.put("mail.smtp.from", "sender@example.org");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom("sender@example.org");
        m.setRecipients(Message.RecipientType.TO, "one@example.net");
        m.setSubject("end to end");
        m.setText("through the relay\r\n");
        m.saveChanges();

        try (Transport t = session.getTransport()) {
            t.connect();
            t.sendMessage(m, new Address[] {new InternetAddress("one@example.net"), new InternetAddress("two@Example.NET")});
            // sendMessage returns after the 250, which came after the next hop's own 250
            assertThat(nextHop.messages()).hasSize(1);
        }

        TestSmtpServer.Received got = nextHop.awaitMessage(Duration.ofSeconds(5));
        assertThat(got.mailFrom()).isEqualTo("sender@example.org");
        assertThat(got.recipients()).isEqualTo(List.of("one@example.net", "two@example.net"));
        String text = got.text();
        assertThat(text).contains("Received: from client.example.test ([127.0.0.1])\r\n\tby relay.example.test with ESMTP id ");
        assertThat(text).contains("Subject: end to end").endsWith("through the relay\r\n");
    }

    @Test
    void aMessageSpooledToDiskIsRelayedByteForByte() {
        String body = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n".repeat(2000);
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            c.ehlo("client.example.test");
            c.send("MAIL FROM:<sender@example.org>");
            c.send("RCPT TO:<one@example.net>");
            c.send("DATA");
            c.write("Subject: large\r\n\r\n" + body + ".\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        String text = nextHop.awaitMessage(Duration.ofSeconds(5)).text();
        assertThat(text).contains("\tby relay.example.test with ESMTP id ").endsWith("Subject: large\r\n\r\n" + body);
    }

    @Test
    void theNullSenderOfABounceIsRelayedAsTheNullSender() {
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            c.ehlo("mailer-daemon.example.org");
            assertThat(c.send("MAIL FROM:<>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<one@example.net>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<far@elsewhere.example>").code()).as("not local, client not trusted").isEqualTo(554);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: bounce\r\n\r\nundeliverable\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        TestSmtpServer.Received got = nextHop.awaitMessage(Duration.ofSeconds(5));
        assertThat(got.mailFrom()).isEmpty();
        assertThat(got.recipients()).isEqualTo(List.of("one@example.net"));
    }

    @Test
    void whenTheNextHopDefersTheClientGets451AndNothingIsLost() {
        nextHop.rcptReply(address -> "451 4.3.0 try later");
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            c.ehlo("client.example.test");
            c.send("MAIL FROM:<sender@example.org>");
            c.send("RCPT TO:<one@example.net>");
            c.send("DATA");
            c.write("Subject: deferred\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().text()).isEqualTo("451 4.3.0 Message not accepted, try again later");
            nextHop.rcptReply(address -> "250 2.1.5 OK");
            assertThat(c.send("RSET").code()).isEqualTo(250);
            c.send("MAIL FROM:<sender@example.org>");
            c.send("RCPT TO:<one@example.net>");
            c.send("DATA");
            c.write("Subject: deferred\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(nextHop.awaitMessage(Duration.ofSeconds(5)).text()).contains("Subject: deferred");
    }
}
