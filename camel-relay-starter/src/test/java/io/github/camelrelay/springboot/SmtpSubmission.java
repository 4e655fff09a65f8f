package io.github.camelrelay.springboot;

import java.util.Properties;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/** Sends a small message to the relay's SMTP ingress on loopback with Angus Mail, as a mail client would. */
public final class SmtpSubmission {

    private SmtpSubmission() {
    }

    public static void send(int port, String from, String subject, String... to) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(port));
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress(from));
        for (String t : to) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(t));
        }
        message.setSubject(subject);
        message.setText("Hello");
        Transport.send(message);
    }
}
