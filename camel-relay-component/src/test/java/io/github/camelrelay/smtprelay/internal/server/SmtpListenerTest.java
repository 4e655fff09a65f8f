package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.auth.PasswordHash;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The normal cases, with a real client: Angus Mail sends, the route receives one exchange per message. */
class SmtpListenerTest {

    private static final String ALICE_HASH = PasswordHash.of("correct horse", 1000).toString();

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private Properties smtp(int port) {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(port));
        p.put("mail.smtp.localhost", "client.example.test");
        p.put("mail.smtp.from", "sender@example.org");
        p.put("mail.smtp.timeout", "5000");
        p.put("mail.smtp.connectiontimeout", "5000");
        return p;
    }

    private static MimeMessage message(Session session, String subject, String text) throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom("Sender <sender@example.org>");
        m.setRecipients(Message.RecipientType.TO, "to@example.net");
        m.setSubject(subject);
        m.setText(text, "UTF-8");
        m.saveChanges();
        return m;
    }

    private static byte[] bytes(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private static void send(Session session, MimeMessage m, String... recipients) throws Exception {
        Address[] to = Arrays.stream(recipients).map(r -> {
            // setAddress does not validate, so spellings Angus would refuse still reach the listener
            InternetAddress a = new InternetAddress();
            a.setAddress(r);
            return a;
        }).toArray(Address[]::new);
        try (Transport t = session.getTransport()) {
            t.connect();
            t.sendMessage(m, to);
        }
    }

    @Test
    void aMessageBecomesOneExchangeWithTheRawBytesAndTheEnvelopeHeaders() throws Exception {
        relay = RelayFixture.start("heloName=relay.example.test");
        Session session = Session.getInstance(smtp(relay.port()));
        MimeMessage m = message(session, "Hello", "Line one\r\n.starts with a dot\r\nLast line");
        byte[] sent = bytes(m);

        send(session, m, "First@Example.NET", "second@EXAMPLE.net.");

        RelayFixture.Seen seen = relay.next();
        assertThat(seen.header(SmtpRelayConstants.ENVELOPE_FROM)).isEqualTo("sender@example.org");
        assertThat(seen.header(SmtpRelayConstants.RECIPIENTS)).isInstanceOf(List.class)
                .isEqualTo(List.of("First@example.net", "second@example.net"));
        assertThat((String) seen.header(SmtpRelayConstants.CLIENT_ADDRESS)).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(seen.header(SmtpRelayConstants.HELO_NAME)).isEqualTo("client.example.test");
        assertThat(seen.headers()).doesNotContainKey(SmtpRelayConstants.AUTHENTICATED_USER);
        assertThat(seen.header(SmtpRelayConstants.TLS)).isEqualTo(false);
        String text = seen.text();
        assertThat(text).startsWith("Received: from client.example.test ([127.0.0.1])\r\n\tby relay.example.test with ESMTP id ");
        int end = text.indexOf("\r\n", text.indexOf("\r\n\t", text.indexOf(" id ")) + 3) + 2;
        // the client ends the last line with CRLF before the final dot, so the message as received has it
        assertThat(new String(Arrays.copyOfRange(seen.body(), end, seen.body().length), StandardCharsets.UTF_8))
                .as("the message after our Received header").isEqualTo(new String(sent, StandardCharsets.UTF_8) + "\r\n");
        assertThat(relay.pending()).isZero();
    }

    @Test
    void theReceivedHeaderNamesOneRecipientAndADateButNeverSeveralRecipients() throws Exception {
        relay = RelayFixture.start("heloName=relay.example.test");
        Session session = Session.getInstance(smtp(relay.port()));

        send(session, message(session, "one", "x"), "only@example.net");
        send(session, message(session, "two", "x"), "a@example.net", "b@example.net");

        String one = relay.next().text();
        String two = relay.next().text();
        assertThat(one.substring(0, one.indexOf("\r\n", one.indexOf("\tfor ")) + 2))
                .matches("(?s)Received: from .*\r\n\tby relay\\.example\\.test with ESMTP id [A-Za-z0-9.-]+\r\n"
                         + "\tfor <only@example\\.net>; \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\r\n");
        assertThat(two.substring(0, two.indexOf("Subject:"))).doesNotContain("a@example.net").doesNotContain(" for ");
    }

    @Test
    void bodyIsAStreamCacheThatSpillsToDiskForLargeMessagesAndTheSpoolFileIsRemovedAfterwards() throws Exception {
        relay = RelayFixture.start("", ctx -> {
            ctx.getStreamCachingStrategy().setSpoolEnabled(true);
            ctx.getStreamCachingStrategy().setSpoolThreshold(64 * 1024);
        });
        Session session = Session.getInstance(smtp(relay.port()));
        StringBuilder big = new StringBuilder();
        while (big.length() < 1024 * 1024) {
            big.append("0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n");
        }
        MimeMessage m = message(session, "big", big.toString());
        byte[] sent = bytes(m);

        send(session, m, "to@example.net");

        RelayFixture.Seen seen = relay.next();
        assertThat(seen.inMemory()).as("body of type %s in memory", seen.bodyType()).isFalse();
        assertThat(seen.body().length).isGreaterThan(sent.length);
        byte[] tail = Arrays.copyOfRange(seen.body(), seen.body().length - sent.length, seen.body().length);
        assertThat(tail).isEqualTo(sent);
        java.io.File spool = relay.context().getStreamCachingStrategy().getSpoolDirectory();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(spool.listFiles()).as("spool files left").isNullOrEmpty());
    }

    @Test
    void smallMessagesStayInMemory() throws Exception {
        relay = RelayFixture.start("");
        Session session = Session.getInstance(smtp(relay.port()));

        send(session, message(session, "small", "x"), "to@example.net");

        RelayFixture.Seen seen = relay.next();
        assertThat(seen.inMemory()).isTrue();
        assertThat(seen.bodyType()).isEqualTo("io.github.camelrelay.smtprelay.SmtpRelayConsumer$MessageBody");
    }

    @Test
    void authenticatedUserAfterStartTlsIsNotedInTheHeadersAndTheReceivedHeaderAsEsmtpsa() throws Exception {
        relay = RelayFixture.start("heloName=relay.example.test&sslContextParameters=#ssl&relayNetworks=&users=alice:"
                                   + ALICE_HASH);
        for (String mechanism : List.of("PLAIN", "LOGIN")) {
            Properties p = smtp(relay.port());
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
            p.put("mail.smtp.ssl.socketFactory", TestCertificates.clientContextTrustingTestCa().getSocketFactory());
            p.put("mail.smtp.auth", "true");
            p.put("mail.smtp.auth.mechanisms", mechanism);
            Session session = Session.getInstance(p);
            try (Transport t = session.getTransport()) {
                t.connect("alice", "correct horse");
                t.sendMessage(message(session, mechanism, "x"), new Address[] {new InternetAddress("far@elsewhere.example")});
            }

            RelayFixture.Seen seen = relay.next();
            assertThat(seen.header(SmtpRelayConstants.AUTHENTICATED_USER)).isEqualTo("alice");
            assertThat(seen.header(SmtpRelayConstants.TLS)).isEqualTo(true);
            assertThat(seen.header(SmtpRelayConstants.RECIPIENTS)).isEqualTo(List.of("far@elsewhere.example"));
            assertThat(seen.text()).startsWith("Received: from client.example.test ([127.0.0.1])\r\n\t(using TLSv1.")
                    .contains("\r\n\tby relay.example.test with ESMTPSA id ");
        }
    }

    @Test
    void aWrongPasswordIsRefusedToAngusMail() throws Exception {
        relay = RelayFixture.start("sslContextParameters=#ssl&authFailureDelay=0&users=alice:" + ALICE_HASH);
        Properties p = smtp(relay.port());
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.ssl.socketFactory", TestCertificates.clientContextTrustingTestCa().getSocketFactory());
        p.put("mail.smtp.auth", "true");
        Session session = Session.getInstance(p);

        assertThatThrownBy(() -> {
            try (Transport t = session.getTransport()) {
                t.connect("alice", "wrong horse");
            }
        }).isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("535 5.7.8");
    }

    @Test
    void implicitTlsSessionsAreEsmtpsFromTheFirstByte() throws Exception {
        relay = RelayFixture.start("heloName=relay.example.test&sslContextParameters=#ssl&implicitTls=true");
        Properties p = smtp(relay.port());
        p.put("mail.transport.protocol", "smtps");
        p.put("mail.smtps.host", "127.0.0.1");
        p.put("mail.smtps.port", String.valueOf(relay.port()));
        p.put("mail.smtps.localhost", "client.example.test");
        p.put("mail.smtps.from", "sender@example.org");
        p.put("mail.smtps.ssl.socketFactory", TestCertificates.clientContextTrustingTestCa().getSocketFactory());
        Session session = Session.getInstance(p);

        send(session, message(session, "smtps", "x"), "to@example.net");

        RelayFixture.Seen seen = relay.next();
        assertThat(seen.header(SmtpRelayConstants.TLS)).isEqualTo(true);
        assertThat(seen.text()).contains("\tby relay.example.test with ESMTPS id ");
    }

    @Test
    void stopsListeningWhenTheRouteStops() throws Exception {
        relay = RelayFixture.start("");
        int port = relay.port();
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            assertThat(c.greeting().code()).isEqualTo(220);
        }
        relay.context().getRouteController().stopRoute("in");

        assertThatThrownBy(() -> SmtpTestClient.connect(port)).hasRootCauseInstanceOf(java.net.ConnectException.class);
    }
}
