package io.github.camelrelay.smtprelay.delivery;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import jakarta.activation.DataHandler;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * Where a message has 8-bit octets (RFC 6152), and its conversion to 7-bit for a server without 8BITMIME (RFC 6152
 * section 3, RFC 1652 conversion): every leaf part holding 8-bit octets is re-encoded, text as quoted-printable or
 * base64 as Jakarta Mail's {@code MimeUtility.getEncoding} picks (whichever is shorter), anything else as base64, an
 * attached message (a returned one in a bounce) part by part inside;
 * everything else, the header fields and their order and the Message-ID included, stays as it was.
 */
public final class EightBit {

    private static final Session SESSION = Session.getInstance(new Properties());

    /**
     * What a scan found.
     *
     * @param header whether the header section holds an octet above 127
     * @param body   whether the body does
     */
    public record Scan(boolean header, boolean body) {
        public boolean any() {
            return header || body;
        }
    }

    private EightBit() {
    }

    /** Reads the message once. */
    public static Scan scan(MessageContent content) throws IOException {
        boolean header = false;
        boolean body = false;
        boolean inHeader = true;
        int lineLength = 0;
        try (InputStream in = new BufferedInputStream(content.open(), 16 * 1024)) {
            byte[] buf = new byte[16 * 1024];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                for (int i = 0; i < n; i++) {
                    int b = buf[i] & 0xff;
                    if (b >= 0x80) {
                        if (inHeader) {
                            header = true;
                        } else {
                            return new Scan(header, true);
                        }
                    }
                    if (inHeader) {
                        if (b == '\n') {
                            if (lineLength == 0) {
                                inHeader = false;
                            }
                            lineLength = 0;
                        } else if (b != '\r') {
                            lineLength++;
                        }
                    }
                }
            }
        }
        return new Scan(header, body);
    }

    /**
     * The message with its 8-bit body parts re-encoded as 7-bit; its header section must be 7-bit already.
     *
     * @throws MessagingException when it cannot be parsed as MIME
     */
    public static MessageContent toSevenBit(MessageContent content) throws IOException, MessagingException {
        MimeMessage m;
        try (InputStream in = content.open()) {
            m = new KeepIds(in);
        }
        convert(m);
        m.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(1024, Math.min(content.size() * 4 / 3 + 1024, 64L << 20)));
        m.writeTo(out);
        return MessageContent.of(out.toByteArray());
    }

    private static void convert(Part part) throws IOException, MessagingException {
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                convert(mp.getBodyPart(i));
            }
            if (part instanceof MimeMessage mm) {
                // the multipart was read, so it is written from its parts (with the same boundary)
                mm.setContent((MimeMultipart) mp);
                mm.setHeader("Content-Type", mp.getContentType());
            } else if (part instanceof BodyPart bp) {
                bp.setContent(mp);
                bp.setHeader("Content-Type", mp.getContentType());
            }
            return;
        }
        if (!hasEightBit(part)) {
            return;
        }
        if (part.isMimeType("message/rfc822") && part.getContent() instanceof MimeMessage inner) {
            // RFC 2046 5.2.1: a message/rfc822 part is never encoded itself, so its own parts are converted
            String messageType = part.getContentType();
            MimeMessage copy = new KeepIds(inner);
            convert(copy);
            copy.saveChanges();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            copy.writeTo(bytes);
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes.toByteArray(), messageType)));
            part.setHeader("Content-Type", messageType);
            part.setHeader("Content-Transfer-Encoding", "7bit");
            return;
        }
        String type = part.getContentType();
        byte[] decoded;
        try (InputStream in = part.getInputStream()) {
            decoded = in.readAllBytes();
        }
        // a fresh data handler: Jakarta Mail picks quoted-printable or base64 for it when the headers are updated
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(decoded, type)));
        part.setHeader("Content-Type", type);
    }

    private static boolean hasEightBit(Part part) throws IOException, MessagingException {
        InputStream raw = part instanceof MimeBodyPart b ? b.getRawInputStream()
                : part instanceof MimeMessage m ? m.getRawInputStream() : part.getInputStream();
        try (InputStream in = raw) {
            byte[] buf = new byte[8192];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] < 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A parsed message whose saveChanges() keeps its Message-ID. */
    private static final class KeepIds extends MimeMessage {
        KeepIds(InputStream in) throws MessagingException {
            super(SESSION, in);
        }

        KeepIds(MimeMessage source) throws MessagingException {
            super(source);
        }

        @Override
        protected void updateMessageID() {
            // the relay passes the message on: its identity is the sender's
        }
    }
}
