package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.recipient.RecipientValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13 item 10: unknown recipients at the local domains are refused at RCPT time, never accepted and bounced. */
class RecipientValidationTest {

    private static final String UNKNOWN = "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table";

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    /** A client outside the relay networks: it may send only to the local domains. */
    private SmtpTestClient stranger() {
        SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.9");
        c.ehlo("stranger.test");
        assertThat(c.send("MAIL FROM:<someone@stranger.test>").code()).isEqualTo(250);
        return c;
    }

    @Test
    void aListOfAddressesAndACatchAllRefuseUnknownRecipientsWith550() {
        relay = RelayFixture.start("relayNetworks=127.0.0.1/32&localDomains=corp.example,other.example,third.example"
                                   + "&validRecipients=staff@corp.example,Bob@Corp.Example,@other.example");
        try (SmtpTestClient c = stranger()) {
            assertThat(c.send("RCPT TO:<staff@corp.example>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<BOB@corp.EXAMPLE>").code()).as("case").isEqualTo(250);
            assertThat(c.send("RCPT TO:<anyone@other.example>").code()).as("catch-all").isEqualTo(250);
            assertThat(c.send("RCPT TO:<nobody@corp.example>").text()).isEqualTo(UNKNOWN.formatted("nobody@corp.example"));
            assertThat(c.send("RCPT TO:<staff@third.example>").text()).as("local domain not listed")
                    .isEqualTo(UNKNOWN.formatted("staff@third.example"));
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: x\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(relay.next().header(io.github.camelrelay.smtprelay.SmtpRelayConstants.RECIPIENTS).toString())
                .doesNotContain("nobody").doesNotContain("third");
    }

    @Test
    void relayedRecipientsAtOtherDomainsAreNotChecked() {
        relay = RelayFixture.start("localDomains=corp.example&validRecipients=staff@corp.example");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("trusted.test");
            c.send("MAIL FROM:<a@trusted.test>");
            assertThat(c.send("RCPT TO:<anyone@elsewhere.example>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<nobody@corp.example>").code()).as("a trusted client too").isEqualTo(550);
        }
    }

    @Test
    void aFileOfRecipientsAndABeanAreAskedTooAndABeanFailureIs451(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("recipients.txt");
        Files.writeString(file, "# staff\nalice@corp.example\n\ncarol@corp.example, dave@corp.example\n", StandardCharsets.UTF_8);
        List<MailAddress> asked = new CopyOnWriteArrayList<>();
        RecipientValidator directory = r -> {
            asked.add(r);
            if (r.localPart().equals("broken")) {
                throw new IllegalStateException("directory down");
            }
            return r.localPart().equals("erin");
        };
        relay = RelayFixture.start("relayNetworks=127.0.0.1/32&localDomains=corp.example&recipientValidator=#dir"
                                   + "&validRecipientsFile=" + file, ctx -> ctx.getRegistry().bind("dir", directory));
        try (SmtpTestClient c = stranger()) {
            assertThat(c.send("RCPT TO:<dave@corp.example>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<erin@corp.example>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<frank@corp.example>").text()).isEqualTo(UNKNOWN.formatted("frank@corp.example"));
            assertThat(c.send("RCPT TO:<broken@corp.example>").text()).startsWith("451 4.3.0 <broken@corp.example>:");
        }
        assertThat(asked).extracting(MailAddress::localPart).containsExactly("erin", "frank", "broken");
    }
}
