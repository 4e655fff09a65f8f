package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.camelrelay.smtprelay.SmtpRelayConsumer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code from("smtprelay:in").to("smtprelay:out")}: one hop, so one Received header (the listener's), and one queue id,
 * the one in the listener's "queued as" reply, on its acceptance line, in its Received header and on the producer's
 * delivery line.
 */
class OneHopTraceTest extends ProducerTestSupport {

    private static final Pattern QUEUED_AS = Pattern.compile("250 2\\.0\\.0 Ok: queued as (\\S+)");

    private LogCapture capture;

    @Override
    protected void beforeStart(CamelContext context) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtprelay:in?port=0&heloName=" + HELO + "&localDomains=example.test").routeId("in")
                        .to(relayUri(MX2_IP, "&tls=NONE"));
            }
        });
    }

    @BeforeEach
    void capture() {
        capture = LogCapture.start();
    }

    @AfterEach
    void release() {
        capture.close();
    }

    private String sendThroughTheListener() throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(((SmtpRelayConsumer) context.getRoute("in").getConsumer()).getLocalPort()));
        p.put("mail.smtp.localhost", "client.example.test");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom("alice@sender.test");
        m.setRecipients(Message.RecipientType.TO, "bob@example.test");
        m.setSubject("one hop");
        m.setText("traced once\r\n");
        m.saveChanges();
        try (SMTPTransport t = (SMTPTransport) session.getTransport("smtp")) {
            t.connect();
            t.sendMessage(m, new Address[] {new InternetAddress("bob@example.test")});
            Matcher queued = QUEUED_AS.matcher(t.getLastServerResponse());
            assertThat(queued.lookingAt()).as(t.getLastServerResponse()).isTrue();
            return queued.group(1);
        }
    }

    @Test
    void theListenerAddsTheOnlyReceivedHeaderAndItsQueueIdFollowsTheMessage() throws Exception {
        String id = sendThroughTheListener();

        Received received = mx2.awaitMessage(WAIT);
        String headers = new String(received.data(), StandardCharsets.UTF_8).split("\r\n\r\n", 2)[0];
        assertThat(Pattern.compile("^Received:", Pattern.MULTILINE).matcher(headers).results().count())
                .as("Received headers in:%n%s", headers).isEqualTo(1);
        assertThat(headers).startsWith("Received: from client.example.test ([127.0.0.1])")
                .contains("by " + HELO + " with ESMTP id " + id.replaceAll("[^A-Za-z0-9.-]", ""));

        List<String> accepted = capture.messages(SmtpRelayConsumer.class.getName());
        assertThat(accepted).anySatisfy(line -> assertThat(line).matches(Pattern.quote(id)
                + ": client=unknown\\[127\\.0\\.0\\.1], from=<alice@sender\\.test>, size=\\d+, nrcpt=1 \\(queued\\)"));
        assertThat(capture.messages("io.github.camelrelay.smtprelay.delivery"))
                .anySatisfy(line -> assertThat(line).startsWith(id + ": to=<bob@example.test>, relay=").contains("status=sent"));
    }

    @Test
    void usedOnItsOwnTheProducerAddsItsReceivedHeader() {
        send(relayUri(MX2_IP, "&tls=NONE"), RAW);

        assertThat(new String(mx2.awaitMessage(WAIT).data(), StandardCharsets.UTF_8)).startsWith("Received: by " + HELO);
    }
}
