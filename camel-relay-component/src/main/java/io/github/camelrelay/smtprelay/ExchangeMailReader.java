package io.github.camelrelay.smtprelay;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

import io.github.camelrelay.smtprelay.delivery.MessageContent;
import io.github.camelrelay.smtprelay.delivery.OutgoingMail;
import io.github.camelrelay.smtprelay.delivery.TlsDemand;
import io.github.camelrelay.smtprelay.dsn.DsnRequest;
import io.github.camelrelay.smtprelay.mail.HeaderSection;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.WrappedFile;
import org.apache.camel.converter.stream.CachedOutputStream;

/**
 * Turns an exchange into an {@link OutgoingMail}, or explains with an {@link InvalidMailException} why it cannot.
 * <p>
 * The rule that tells the two kinds of input apart: when the body is not a {@link MimeMessage} and the exchange has
 * a {@code To}, {@code Cc} or {@code Bcc} header, a new message is composed the camel-mail way (body text plus the
 * To, Cc, Bcc, From, Reply-To, Subject and Content-Type headers). Otherwise the body must be a complete RFC 5322
 * message, relayed byte for byte, except that when the recipients are taken from its To, Cc and Bcc fields (no
 * {@link SmtpRelayConstants#RECIPIENTS} header), its Bcc fields are left out of the bytes sent. A composed message
 * never has one.
 */
public final class ExchangeMailReader {

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Pattern FOLDED_CRLF = Pattern.compile("\r\n[ \t]");
    private static final Pattern FOLDED = Pattern.compile("\r?\n[ \t]");
    private static final Pattern NOT_ID = Pattern.compile("[^A-Za-z0-9.-]");
    private static final DateTimeFormatter RFC5322_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
    private static final List<String> COMPOSE_HEADERS = List.of("To", "Cc", "Bcc", "From", "Reply-To", "Subject", "Content-Type");

    private final String heloName;
    private final boolean addReceivedHeader;
    private final Clock clock;

    ExchangeMailReader(String heloName, boolean addReceivedHeader, Clock clock) {
        this.heloName = heloName;
        this.addReceivedHeader = addReceivedHeader;
        this.clock = clock;
    }

    OutgoingMail read(Exchange exchange) throws InvalidMailException {
        org.apache.camel.Message in = exchange.getMessage();
        Object body = in.getBody();
        boolean compose = !(body instanceof MimeMessage)
                          && (in.getHeader("To") != null || in.getHeader("Cc") != null || in.getHeader("Bcc") != null);
        try {
            MessageContent content;
            Headers headers;
            if (compose) {
                for (String h : COMPOSE_HEADERS) {
                    noLineBreaks(h + " header", in.getHeader(h, String.class));
                }
                content = composed(exchange);
                headers = name -> in.getHeader(name, String.class);
            } else {
                content = raw(exchange, body);
                HeaderSection parsed = headerSection(content);
                headers = name -> parsed.get(name, ",");
                if (in.getHeader(SmtpRelayConstants.RECIPIENTS) == null && parsed.get("Bcc", ",") != null) {
                    // the recipients come from To, Cc and Bcc: Bcc stays blind, as Jakarta Mail's transport keeps it
                    content = MessageContent.withoutField(content, "Bcc");
                }
            }
            MailAddress sender = sender(in, headers);
            List<MailAddress> recipients = recipients(in, headers);
            // the log's delay counts from when the relay accepted the message, as Postfix's does, not from this attempt
            Long arrival = in.getHeader(SmtpRelayConstants.ARRIVAL, Long.class);
            long created = arrival != null ? arrival : exchange.getClock().getCreated();
            String id = queueId(exchange);
            // behind this relay's listener the message carries its Received header already: one per hop
            boolean trace = addReceivedHeader && !in.getHeader(SmtpRelayConstants.TRACED, false, Boolean.class);
            DsnRequest dsn;
            try {
                dsn = DsnRequest.of(in);
            } catch (IllegalArgumentException e) {
                throw new InvalidMailException("Invalid DSN header: " + e.getMessage(), "5.5.4", exchange, e);
            }
            String bodyType = in.getHeader(SmtpRelayConstants.BODY, String.class);
            if (bodyType != null && !bodyType.equalsIgnoreCase("7BIT") && !bodyType.equalsIgnoreCase("8BITMIME")) {
                throw new InvalidMailException("Expected the " + SmtpRelayConstants.BODY + " header 7BIT or 8BITMIME but found '"
                                               + bodyType + "'", "5.5.4", exchange, null);
            }
            boolean smtpUtf8 = Boolean.TRUE.equals(in.getHeader(SmtpRelayConstants.SMTPUTF8, Boolean.class));
            // RFC 8689 4.1: with REQUIRETLS on MAIL FROM the TLS-Required header field is ignored
            String tlsRequired = headers.get("TLS-Required");
            TlsDemand tls = Boolean.TRUE.equals(in.getHeader(SmtpRelayConstants.REQUIRE_TLS, Boolean.class)) ? TlsDemand.REQUIRETLS
                    : tlsRequired != null && tlsRequired.strip().equalsIgnoreCase("No") ? TlsDemand.NOT_REQUIRED : TlsDemand.DEFAULT;
            return new OutgoingMail(id, created, sender, recipients, content, trace ? receivedHeader(id) : null, dsn,
                    bodyType == null ? null : bodyType.toUpperCase(Locale.ROOT), smtpUtf8, tls);
        } catch (IllegalArgumentException e) {
            throw new InvalidMailException(e.getMessage(), "5.1.3", exchange, e);
        } catch (MessagingException | IOException e) {
            throw new InvalidMailException("Cannot read the message: " + e.getMessage(), "5.6.0", exchange, e);
        }
    }

    /**
     * The envelope sender the producer would use for the exchange: the {@code CamelSmtpRelayEnvelopeFrom} header, else
     * the message's Sender or From; null when there is none or it is not a valid address. The relay routes bounce to
     * it, so the bounce goes where the delivery came from.
     */
    public static MailAddress envelopeSender(Exchange exchange) {
        org.apache.camel.Message in = exchange.getMessage();
        try {
            if (in.getHeader(SmtpRelayConstants.ENVELOPE_FROM) != null) {
                return sender(in, name -> null);
            }
            HeaderSection parsed = headerSection(raw(exchange, in.getBody()));
            return sender(in, name -> parsed.get(name, ","));
        } catch (IllegalArgumentException | MessagingException | IOException e) {
            return null;
        }
    }

    private interface Headers {
        String get(String name);
    }

    private static MailAddress sender(org.apache.camel.Message in, Headers headers) throws AddressException {
        Object explicit = in.getHeader(SmtpRelayConstants.ENVELOPE_FROM);
        if (explicit != null) {
            return MailAddress.of(explicit.toString(), true);
        }
        for (String name : List.of("Sender", "From")) {
            String value = headers.get(name);
            if (value != null && !value.isBlank()) {
                noLineBreaks(name + " header", FOLDED_CRLF.matcher(value).replaceAll(" "));
                InternetAddress[] parsed = InternetAddress.parseHeader(value, false);
                if (parsed.length > 0) {
                    return MailAddress.of(parsed[0].getAddress());
                }
            }
        }
        throw new IllegalArgumentException("Expected an envelope sender in the " + SmtpRelayConstants.ENVELOPE_FROM
                                           + " header or a Sender or From header in the message but found none");
    }

    private static List<MailAddress> recipients(org.apache.camel.Message in, Headers headers) throws AddressException {
        Set<MailAddress> set = new LinkedHashSet<>();
        Object explicit = in.getHeader(SmtpRelayConstants.RECIPIENTS);
        if (explicit instanceof Collection<?> || explicit instanceof Object[]) {
            // each element is one address; a quoted local part may legally contain a comma
            for (String s : values(explicit)) {
                set.add(MailAddress.of(s));
            }
        } else if (explicit != null) {
            for (String part : MailAddress.splitList(explicit.toString())) {
                set.add(MailAddress.of(part));
            }
        } else {
            for (String name : List.of("To", "Cc", "Bcc")) {
                String value = headers.get(name);
                if (value != null && !value.isBlank()) {
                    for (InternetAddress a : InternetAddress.parseHeader(FOLDED.matcher(value).replaceAll(" "), false)) {
                        if (a.isGroup()) {
                            for (InternetAddress member : a.getGroup(false)) {
                                set.add(MailAddress.of(member.getAddress()));
                            }
                        } else {
                            set.add(MailAddress.of(a.getAddress()));
                        }
                    }
                }
            }
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("Expected at least one recipient in the " + SmtpRelayConstants.RECIPIENTS
                                               + " header or in To, Cc or Bcc but found none");
        }
        return new ArrayList<>(set);
    }

    private static List<String> values(Object header) {
        List<String> list = new ArrayList<>();
        if (header instanceof Collection<?> c) {
            c.forEach(o -> list.add(String.valueOf(o)));
        } else if (header instanceof Object[] a) {
            for (Object o : a) {
                list.add(String.valueOf(o));
            }
        } else {
            list.add(header.toString());
        }
        return list;
    }

    /** Builds the message the camel-mail way and serialises it once. */
    private static MessageContent composed(Exchange exchange) throws MessagingException, IOException {
        org.apache.camel.Message in = exchange.getMessage();
        MimeMessage m = new MimeMessage(SESSION);
        String from = in.getHeader("From", String.class);
        if (from == null) {
            Object envelopeFrom = in.getHeader(SmtpRelayConstants.ENVELOPE_FROM);
            from = envelopeFrom == null ? null : MailAddress.of(envelopeFrom.toString(), true).address();
        }
        if (from != null && !from.isEmpty()) {
            m.setFrom(strictAddress("From", from));
        }
        setRecipients(m, Message.RecipientType.TO, in.getHeader("To", String.class));
        setRecipients(m, Message.RecipientType.CC, in.getHeader("Cc", String.class));
        String replyTo = in.getHeader("Reply-To", String.class);
        if (replyTo != null) {
            m.setReplyTo(utf8Names(InternetAddress.parse(replyTo, true)));
        }
        String subject = in.getHeader("Subject", String.class);
        if (subject != null) {
            m.setSubject(subject, "UTF-8");
        }
        String text = in.getBody(String.class);
        if (text == null) {
            throw new IllegalArgumentException("Expected a body text to compose a message from but found none");
        }
        String contentType = in.getHeader("Content-Type", String.class);
        if (contentType == null || contentType.toLowerCase(Locale.ROOT).startsWith("text/plain")) {
            m.setText(text, "UTF-8");
        } else if (contentType.toLowerCase(Locale.ROOT).startsWith("text/")) {
            String subtype = contentType.substring(5).split(";")[0].strip();
            m.setText(text, "UTF-8", subtype);
        } else {
            m.setContent(text, contentType);
        }
        m.setSentDate(new Date(exchange.getClock().getCreated()));
        m.saveChanges();
        CachedOutputStream out = new CachedOutputStream(exchange);
        m.writeTo(out);
        return MessageContent.of(out.newStreamCache());
    }

    private static void setRecipients(MimeMessage m, Message.RecipientType type, String value) throws MessagingException {
        if (value != null && !value.isBlank()) {
            m.setRecipients(type, utf8Names(InternetAddress.parse(value, true)));
        }
    }

    /**
     * Display names encoded as RFC 2047 UTF-8 words, whatever the JVM's default charset, which Jakarta Mail would use.
     * The address stays as it is: a UTF-8 one needs SMTPUTF8 (RFC 6532), not an encoded word.
     */
    private static InternetAddress[] utf8Names(InternetAddress[] addresses) {
        for (InternetAddress a : addresses) {
            String name = a.getPersonal();
            if (name != null && !name.chars().allMatch(c -> c < 0x80)) {
                try {
                    a.setPersonal(name, "UTF-8");
                } catch (java.io.UnsupportedEncodingException e) {
                    throw new IllegalStateException("UTF-8 is always supported", e);
                }
            }
        }
        return addresses;
    }

    private static Address strictAddress(String header, String value) {
        try {
            return utf8Names(new InternetAddress[] {new InternetAddress(value, true)})[0];
        } catch (AddressException e) {
            throw new IllegalArgumentException("Expected a mail address in the " + header + " header but found '" + value
                                               + "': " + e.getMessage(), e);
        }
    }

    private static MessageContent raw(Exchange exchange, Object body) throws IOException, MessagingException {
        if (body == null) {
            throw new IllegalArgumentException("Expected a message body (an RFC 5322 message, or text with To/Cc/Bcc headers) but found none");
        }
        return MessageContent.of(exchange);
    }

    /** Reads only the header section, so a large message is not loaded to find its addresses. */
    private static HeaderSection headerSection(MessageContent content) throws IOException {
        try (InputStream in = content.open()) {
            byte[] start = in.readNBytes(1);
            if (start.length == 0) {
                throw new IllegalArgumentException("Expected a complete RFC 5322 message but the body is empty");
            }
        }
        try (InputStream in = content.open()) {
            HeaderSection headers = HeaderSection.read(in);
            if (headers.isEmpty()) {
                throw new IllegalArgumentException("Expected a complete RFC 5322 message (header fields, a blank line, the body) "
                                                   + "but the body does not start with a header field; to send plain text, "
                                                   + "set a To, Cc or Bcc header");
            }
            return headers;
        }
    }

    private static void noLineBreaks(String what, String value) {
        if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException("Expected the " + what + " without CR or LF but found '"
                                               + value.replace("\r", "\\r").replace("\n", "\\n") + "'");
        }
    }

    /** The queue id the listener or the relay routes gave the message, else the exchange's id. */
    static String queueId(Exchange exchange) {
        String id = exchange.getMessage().getHeader(SmtpRelayConstants.QUEUE_ID, String.class);
        return id != null && !id.isBlank() ? id : exchange.getExchangeId();
    }

    private byte[] receivedHeader(String queueId) {
        String id = NOT_ID.matcher(queueId).replaceAll("");
        String header = "Received: by " + heloName + " (Camel SMTP Relay) id " + id + ";\r\n\t"
                        + RFC5322_DATE.format(ZonedDateTime.now(clock)) + "\r\n";
        return header.getBytes(StandardCharsets.US_ASCII);
    }
}
