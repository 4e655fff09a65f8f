package io.github.camelrelay.smtprelay.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.TimeZone;

import io.github.camelrelay.smtprelay.dsn.DsnRequest;
import io.github.camelrelay.smtprelay.dsn.Ret;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import jakarta.activation.DataHandler;
import jakarta.activation.MailcapCommandMap;
import org.eclipse.angus.mail.dsn.DeliveryStatus;


/**
 * Builds RFC 3464 delivery status notifications with Angus Mail's DSN classes: a multipart/report with a human
 * readable part, a message/delivery-status part (a Status and Diagnostic-Code per recipient) and the original
 * message's headers. A bounce goes from the null sender to the original envelope sender, and a message whose
 * sender is the null sender is never bounced (RFC 5321 section 4.5.5), which is what stops bounce loops.
 */
public final class DeliveryStatusNotification {

    // Angus's dsn jar registers a multipart/report handler that only writes its own MultipartReport class
    private static final MailcapCommandMap MULTIPART_ONLY = new MailcapCommandMap();

    static {
        MULTIPART_ONLY.addMailcap("multipart/*;; x-java-content-handler=org.eclipse.angus.mail.handlers.multipart_mixed");
    }

    private DeliveryStatusNotification() {
    }

    /** Whether a notification may be sent about a message from this sender. */
    public static boolean mayNotify(MailAddress sender) {
        return sender != null && !sender.isNullSender();
    }

    /**
     * The failure notice (action: failed) for every FAILED recipient of the report, dated by the clock and written in
     * its time zone.
     */
    public static byte[] failure(String reportingMta, MailAddress sender, DeliveryReport report, InputStream original,
                                 Instant arrival, Clock clock) throws MessagingException, IOException {
        return failure(reportingMta, sender, report, original, arrival, clock, DsnRequest.NONE);
    }

    /**
     * The failure notice as {@link #failure(String, MailAddress, DeliveryReport, InputStream, Instant, Clock)}, with
     * the message's DSN request: its ENVID as Original-Envelope-Id, each recipient's ORCPT as Original-Recipient, and
     * the whole message returned (message/rfc822) when it asked for RET=FULL, else its header section.
     */
    public static byte[] failure(String reportingMta, MailAddress sender, DeliveryReport report, InputStream original,
                                 Instant arrival, Clock clock, DsnRequest dsn) throws MessagingException, IOException {
        return build(reportingMta, sender, report.withOutcome(Outcome.FAILED), "failed", original, arrival, clock, dsn,
                dsn.ret() == Ret.FULL, "Undelivered Mail Returned to Sender",
                "This is the mail system at host " + reportingMta + ".\n\n"
                + "I'm sorry to have to inform you that your message could not be delivered to one or more recipients.\n"
                + "The headers of your message are attached below.\n");
    }

    /**
     * The warning (action: delayed) for every DEFERRED recipient: delivery goes on, the sender learns it is slow.
     */
    public static byte[] delay(String reportingMta, MailAddress sender, DeliveryReport report, InputStream original,
                               Instant arrival, Instant giveUpAt, Clock clock) throws MessagingException, IOException {
        return delay(reportingMta, sender, report, original, arrival, giveUpAt, clock, DsnRequest.NONE);
    }

    /** The warning with the message's ENVID and the recipients' ORCPT; the headers only, whatever RET says. */
    public static byte[] delay(String reportingMta, MailAddress sender, DeliveryReport report, InputStream original,
                               Instant arrival, Instant giveUpAt, Clock clock, DsnRequest dsn)
            throws MessagingException, IOException {
        return build(reportingMta, sender, report.withOutcome(Outcome.DEFERRED), "delayed", original, arrival, clock, dsn,
                false, "Delayed Mail (still being retried)",
                "This is the mail system at host " + reportingMta + ".\n\n"
                + "Your message could not be delivered yet to one or more recipients. It will be retried until "
                + dateFormat(clock).format(Date.from(giveUpAt)) + ".\n\nYou do not need to resend it.\n");
    }

    /**
     * The success notice (action: relayed, RFC 3461 6.2.1 and 3464 2.3.3) for every DELIVERED recipient of the report:
     * the sender asked for NOTIFY=SUCCESS and the server that took the message does not offer DSN, so it will send
     * none. The headers only, whatever RET says.
     */
    public static byte[] relayed(String reportingMta, MailAddress sender, DeliveryReport report, InputStream original,
                                 Instant arrival, Clock clock, DsnRequest dsn) throws MessagingException, IOException {
        return build(reportingMta, sender, report.withOutcome(Outcome.DELIVERED), "relayed", original, arrival, clock, dsn,
                false, "Successful Mail Delivery Report",
                "This is the mail system at host " + reportingMta + ".\n\n"
                + "Your message was successfully relayed to the destinations below. They do not offer delivery status\n"
                + "notifications, so you may not be told of its final delivery.\n");
    }

    private static byte[] build(String reportingMta, MailAddress sender, List<RecipientStatus> statuses, String action,
                                InputStream original, Instant arrival, Clock clock, DsnRequest dsn, boolean full,
                                String subject, String text)
            throws MessagingException, IOException {
        if (!mayNotify(sender)) {
            throw new IllegalArgumentException("A message from the null sender is never bounced");
        }
        if (statuses.isEmpty()) {
            throw new IllegalArgumentException("Expected at least one recipient with action " + action + " but found none");
        }
        MailDateFormat dates = dateFormat(clock);
        DeliveryStatus status = new DeliveryStatus();
        InternetHeaders perMessage = new InternetHeaders();
        if (dsn.envid() != null) {
            // RFC 3464 2.2.1: first, the ENVID as the sender gave it (printable ASCII, checked by DsnRequest)
            perMessage.addHeader("Original-Envelope-Id", dsn.envid());
        }
        perMessage.addHeader("Reporting-MTA", "dns; " + reportingMta);
        perMessage.addHeader("Arrival-Date", dates.format(Date.from(arrival)));
        status.setMessageDSN(perMessage);
        StringBuilder human = new StringBuilder(text).append('\n');
        for (RecipientStatus s : statuses) {
            InternetHeaders r = new InternetHeaders();
            String orcpt = dsn.recipient(s.recipient()).orcpt();
            if (orcpt != null) {
                int semi = orcpt.indexOf(';');
                r.addHeader("Original-Recipient", orcpt.substring(0, semi + 1) + " " + orcpt.substring(semi + 1));
            }
            r.addHeader("Final-Recipient", "rfc822; " + s.recipient().address());
            r.addHeader("Action", action);
            r.addHeader("Status", s.enhancedStatus());
            if (s.host() != null) {
                r.addHeader("Remote-MTA", "dns; " + s.host());
            }
            String diagnostic = s.replyCode() > 0 ? "smtp; " + s.replyCode() + " " + oneLine(s.replyText())
                    : "x-camel-smtprelay; " + oneLine(s.replyText());
            r.addHeader("Diagnostic-Code", diagnostic);
            status.addRecipientDSN(r);
            human.append('<').append(s.recipient().address()).append(">: ")
                    .append(s.host() != null ? "host " + s.relay() + " said: " : "")
                    .append(s.replyCode() > 0 ? s.replyCode() + " " : "").append(oneLine(s.replyText())).append('\n');
        }
        // the parts are raw bytes: Angus's MultipartReport keeps the returned headers as a MimeMessage, and
        // saveChanges() on the bounce would then rewrite the original's Message-ID
        MimeMultipart multipart = new ReportMultipart();
        MimeBodyPart textPart = new MimeBodyPart();
        textPart.setText(human.toString(), "UTF-8");
        multipart.addBodyPart(textPart);
        ByteArrayOutputStream statusBytes = new ByteArrayOutputStream();
        status.writeTo(statusBytes);
        multipart.addBodyPart(rawPart(statusBytes.toByteArray(), "message/delivery-status"));
        multipart.addBodyPart(full ? rawPart(original.readAllBytes(), "message/rfc822")
                : rawPart(headerSection(original), "text/rfc822-headers"));

        Properties props = new Properties();
        // Angus takes the Message-ID's domain from mail.from
        props.setProperty("mail.from", "MAILER-DAEMON@" + reportingMta);
        MimeMessage bounce = new MimeMessage(Session.getInstance(props));
        bounce.setFrom(new InternetAddress("MAILER-DAEMON@" + reportingMta, "Mail Delivery System"));
        bounce.setRecipient(Message.RecipientType.TO, new InternetAddress(sender.address()));
        bounce.setSubject(subject);
        bounce.setHeader("Auto-Submitted", "auto-replied");
        bounce.setHeader("Date", dates.format(Date.from(clock.instant())));
        DataHandler content = new DataHandler(multipart, multipart.getContentType());
        content.setCommandMap(MULTIPART_ONLY);
        bounce.setDataHandler(content);
        bounce.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        bounce.writeTo(out);
        return out.toByteArray();
    }

    /** RFC 5322 dates in the clock's time zone (MailDateFormat's own default is the JVM's). */
    private static MailDateFormat dateFormat(Clock clock) {
        MailDateFormat format = new MailDateFormat();
        format.setTimeZone(TimeZone.getTimeZone(clock.getZone()));
        return format;
    }

    private static MimeBodyPart rawPart(byte[] bytes, String type) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes, type)));
        part.setHeader("Content-Type", type);
        return part;
    }

    /** The original's header section exactly as it was, up to the blank line. */
    private static byte[] headerSection(InputStream original) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        int lineLength = 0;
        for (int b = original.read(); b >= 0; b = original.read()) {
            if (b == '\n') {
                if (lineLength == 0 || (lineLength == 1 && previous == '\r')) {
                    break;
                }
                out.write(b);
                lineLength = 0;
            } else {
                out.write(b);
                lineLength++;
            }
            previous = b;
        }
        byte[] bytes = out.toByteArray();
        // drop a trailing CR of the blank line that ended the section
        return bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? java.util.Arrays.copyOf(bytes, bytes.length - 1) : bytes;
    }

    /** multipart/report with the report-type parameter RFC 3462 requires. */
    private static final class ReportMultipart extends MimeMultipart {
        ReportMultipart() {
            super("report");
            contentType = contentType + "; report-type=delivery-status";
        }
    }

    /** Reply text is server-controlled; it must not be able to add header lines to the report. */
    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}
