package io.github.camelrelay.smtprelay.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.Date;
import java.util.Properties;
import java.util.TimeZone;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import jakarta.activation.DataHandler;
import jakarta.activation.MailcapCommandMap;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * A report as mail (RFC 8460 section 5.3): Subject {@code Report Domain: <domain> Submitter: <submitter> Report-ID:
 * <id>}, the TLS-Report-Domain and TLS-Report-Submitter headers, and a {@code multipart/report; report-type="tlsrpt"}
 * body of a short text and the gzip-compressed JSON as an {@code application/tlsrpt+gzip} attachment named as
 * section 5.1 says. {@code TLS-Required: No} (RFC 8689 section 5), because section 5.3 wants reports delivered
 * despite the TLS failures they may be about.
 */
final class ReportMail {

    static final String MEDIA_TYPE = "application/tlsrpt+gzip";

    // Angus's dsn jar registers a multipart/report handler that only writes its own MultipartReport class
    private static final MailcapCommandMap MULTIPART_ONLY = new MailcapCommandMap();

    static {
        MULTIPART_ONLY.addMailcap("multipart/*;; x-java-content-handler=org.eclipse.angus.mail.handlers.multipart_mixed");
    }

    private ReportMail() {
    }

    static byte[] build(TlsRptReport report, byte[] gzip, MailAddress from, MailAddress to, Clock clock)
            throws MessagingException, IOException {
        MimeMultipart multipart = new TlsRptMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("This is an aggregate TLS report from " + report.submitter() + " for " + report.domain() + ",\n"
                     + "sessions from " + report.start() + " to " + report.end() + " (RFC 8460).\n", "US-ASCII");
        multipart.addBodyPart(text);
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(gzip, MEDIA_TYPE)));
        attachment.setHeader("Content-Type", MEDIA_TYPE);
        attachment.setDisposition(Part.ATTACHMENT);
        attachment.setFileName(report.fileName());
        attachment.setHeader("Content-Transfer-Encoding", "base64");
        multipart.addBodyPart(attachment);

        Properties props = new Properties();
        // Angus takes the Message-ID's domain from mail.from
        props.setProperty("mail.from", from.address());
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress(from.address()));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to.address()));
        message.setSubject("Report Domain: " + report.domain() + " Submitter: " + report.submitter() + " Report-ID: <"
                           + report.id() + ">", "US-ASCII");
        message.setHeader("TLS-Report-Domain", report.domain());
        message.setHeader("TLS-Report-Submitter", report.submitter());
        message.setHeader("TLS-Required", "No");
        message.setHeader("Auto-Submitted", "auto-generated");
        MailDateFormat dates = new MailDateFormat();
        dates.setTimeZone(TimeZone.getTimeZone(clock.getZone()));
        message.setHeader("Date", dates.format(Date.from(clock.instant())));
        DataHandler content = new DataHandler(multipart, multipart.getContentType());
        content.setCommandMap(MULTIPART_ONLY);
        message.setDataHandler(content);
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    /** multipart/report with the report-type section 5.3 names. */
    private static final class TlsRptMultipart extends MimeMultipart {
        TlsRptMultipart() {
            super("report");
            contentType = contentType + "; report-type=\"tlsrpt\"";
        }
    }
}
