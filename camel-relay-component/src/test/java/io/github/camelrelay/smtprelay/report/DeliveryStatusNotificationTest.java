package io.github.camelrelay.smtprelay.report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliveryStatusNotificationTest {

    /** UTC+14, so a date written in the JVM's zone instead of the clock's is a different day. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:05:00Z"), ZoneId.of("Pacific/Kiritimati"));

    private static final String ORIGINAL = "From: alice@example.com\r\nTo: bob@example.net, carol@example.org\r\n"
                                           + "Subject: quarterly numbers\r\nMessage-ID: <m1@example.com>\r\n\r\nsecret body\r\n";

    private static DeliveryReport report() {
        return DeliveryReport.of(List.of(
                RecipientStatus.fromReply(MailAddress.of("bob@example.net"), 550, "5.1.1 <bob@example.net>: no such user",
                        "mx.example.net", "192.0.2.1", 25, true),
                RecipientStatus.local(MailAddress.of("carol@example.org"), Outcome.FAILED, "5.1.10", "nullMX"),
                RecipientStatus.fromReply(MailAddress.of("dave@example.net"), 250, "2.0.0 ok", "mx.example.net", "192.0.2.1", 25, true)));
    }

    @Test
    void bounceIsAValidRfc3464ReportFromTheNullSenderWithOneStatusPerFailedRecipient() throws Exception {
        byte[] bounce = DeliveryStatusNotification.failure("relay.example.com", MailAddress.of("alice@example.com"), report(),
                new ByteArrayInputStream(ORIGINAL.getBytes(StandardCharsets.US_ASCII)), Instant.parse("2026-11-23T10:00:00Z"), CLOCK);

        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bounce));
        assertThat(m.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
        assertThat(m.getHeader("To")[0]).isEqualTo("alice@example.com");
        assertThat(m.getHeader("Auto-Submitted")[0]).isEqualTo("auto-replied");
        assertThat(m.getHeader("Date")[0]).as("dated by the clock, in its zone").startsWith("Tue, 24 Nov 2026 00:05:00 +1400");
        MimeMultipart parts = new MimeMultipart(new jakarta.mail.util.ByteArrayDataSource(m.getInputStream(), m.getContentType()));
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");

        DeliveryStatus status = new DeliveryStatus(parts.getBodyPart(1).getInputStream());
        assertThat(status.getMessageDSN().getHeader("Reporting-MTA")[0]).isEqualTo("dns; relay.example.com");
        assertThat(status.getMessageDSN().getHeader("Arrival-Date")[0]).startsWith("Tue, 24 Nov 2026 00:00:00 +1400");
        assertThat(status.getRecipientDSNCount()).isEqualTo(2);
        InternetHeaders bob = status.getRecipientDSN(0);
        assertThat(bob.getHeader("Final-Recipient")[0]).isEqualTo("rfc822; bob@example.net");
        assertThat(bob.getHeader("Action")[0]).isEqualTo("failed");
        assertThat(bob.getHeader("Status")[0]).isEqualTo("5.1.1");
        assertThat(bob.getHeader("Remote-MTA")[0]).isEqualTo("dns; mx.example.net");
        assertThat(bob.getHeader("Diagnostic-Code")[0]).isEqualTo("smtp; 550 5.1.1 <bob@example.net>: no such user");
        assertThat(status.getRecipientDSN(1).getHeader("Status")[0]).isEqualTo("5.1.10");

        String headers = new String(parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(headers).contains("Subject: quarterly numbers", "Message-ID: <m1@example.com>").doesNotContain("secret body");

        // a second, independent MIME parser agrees on the structure
        Message parsed = new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(bounce));
        assertThat(parsed.getMimeType()).isEqualTo("multipart/report");
        assertThat(((Multipart) parsed.getBody()).getBodyParts()).extracting(e -> e.getMimeType())
                .containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");
    }

    @Test
    void delayWarningListsDeferredRecipientsWithActionDelayed() throws Exception {
        DeliveryReport r = DeliveryReport.of(List.of(RecipientStatus.fromReply(MailAddress.of("bob@example.net"), 451,
                "4.3.0 try later", "mx.example.net", "192.0.2.1", 25, false)));
        byte[] warning = DeliveryStatusNotification.delay("relay.example.com", MailAddress.of("alice@example.com"), r,
                new ByteArrayInputStream(ORIGINAL.getBytes(StandardCharsets.US_ASCII)), CLOCK.instant(), CLOCK.instant().plusSeconds(3600), CLOCK);
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(warning));
        MimeMultipart parts = new MimeMultipart(new jakarta.mail.util.ByteArrayDataSource(m.getInputStream(), m.getContentType()));
        DeliveryStatus status = new DeliveryStatus(parts.getBodyPart(1).getInputStream());
        assertThat(status.getRecipientDSN(0).getHeader("Action")[0]).isEqualTo("delayed");
        assertThat(status.getRecipientDSN(0).getHeader("Status")[0]).isEqualTo("4.3.0");
    }

    @Test
    void theNullSenderIsNeverBounced() {
        assertThat(DeliveryStatusNotification.mayNotify(MailAddress.NULL_SENDER)).isFalse();
        assertThatThrownBy(() -> DeliveryStatusNotification.failure("relay.example.com", MailAddress.NULL_SENDER, report(),
                new ByteArrayInputStream(ORIGINAL.getBytes(StandardCharsets.US_ASCII)), CLOCK.instant(), CLOCK))
                .hasMessageContaining("null sender");
    }
}
