package io.github.camelrelay.examples.jms;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * Puts one message on the outgoing queue, as any JMS program may:
 * {@code java -cp camel-main-jms.jar io.github.camelrelay.examples.jms.SubmitMail FROM TO[,TO...] [FILE.eml]}.
 * Without a file it sends a short test message. The broker is BROKER_URL, default tcp://127.0.0.1:61616 (the
 * embedded broker's acceptor); the queue QUEUE, default mail.outgoing.
 */
public final class SubmitMail {

    private SubmitMail() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("Usage: SubmitMail FROM TO[,TO...] [FILE.eml]");
            System.exit(2);
        }
        byte[] message = args.length == 3 ? Files.readAllBytes(Path.of(args[2])) : testMessage(args[0], args[1]);
        String id = submit(env("BROKER_URL", "tcp://127.0.0.1:61616"), env("QUEUE", "mail.outgoing"), args[0], args[1],
                message);
        System.out.println("Queued on " + env("QUEUE", "mail.outgoing") + " as " + id);
    }

    /** Sends the message with its envelope as the String properties the example reads; returns the JMS message id. */
    public static String submit(String brokerUrl, String queue, String from, String recipients, byte[] message)
            throws JMSException {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl);
                Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            BytesMessage jms = session.createBytesMessage();
            jms.writeBytes(message);
            jms.setStringProperty(JmsDeliveryApplication.ENVELOPE_FROM, from);
            jms.setStringProperty(JmsDeliveryApplication.RECIPIENTS, recipients);
            producer.send(jms);
            return jms.getJMSMessageID();
        }
    }

    /** A minimal RFC 5322 message from and to the envelope's addresses. */
    public static byte[] testMessage(String from, String recipients) {
        String text = "From: <" + from + ">\r\n"
                + "To: " + String.join(", ", Arrays.stream(recipients.split(",")).map(r -> "<" + r.strip() + ">")
                        .toList()) + "\r\n"
                + "Subject: Test through camel-main-jms\r\n"
                + "\r\n"
                + "Sent by SubmitMail.\r\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }
}
