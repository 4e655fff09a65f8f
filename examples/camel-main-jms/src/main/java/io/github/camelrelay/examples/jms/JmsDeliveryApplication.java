package io.github.camelrelay.examples.jms;

import java.util.List;
import java.util.stream.Collectors;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.report.Outcome;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * Reads mail from the queue {@code mail.outgoing} and delivers it by MX, or through RELAY_HOST when set. The broker
 * is embedded unless BROKER_URL names one ({@link JmsBrokerConfiguration}). A message on the queue is a raw RFC 5322
 * message (bytes or text) with the envelope in the String properties SmtpRelayEnvelopeFrom and SmtpRelayRecipients
 * (comma separated; without them, taken from the message's headers); {@link SubmitMail} puts one there.
 * <p>
 * Deferred recipients are retried in memory a few times. Whatever is not delivered in the end goes to
 * {@code mail.failed} with the reason: mail still deferred, mail a server refused, mail that was refused before any
 * connection (InvalidMailException: a malformed address, no recipient), and any other failure. For durable retries
 * over days, bounces and DKIM use examples/relay-server.
 */
public final class JmsDeliveryApplication extends RouteBuilder {

    /** JMS property of a message in the failure queue: why it is there. */
    public static final String FAILURE = "SmtpRelayFailure";
    /** JMS property of a message in the failure queue: the last delivery report, one line per recipient. */
    public static final String REPORT_TEXT = "SmtpRelayReportText";
    /** JMS properties of the envelope (Camel's JMS binding keeps headers named Camel* off the wire). */
    public static final String ENVELOPE_FROM = "SmtpRelayEnvelopeFrom";
    public static final String RECIPIENTS = "SmtpRelayRecipients";

    public static void main(String[] args) throws Exception {
        // Main(Class) scans this package: it finds this route builder and JmsBrokerConfiguration, each once
        new Main(JmsDeliveryApplication.class).run(args);
    }

    @Override
    public void configure() {
        onException(SmtpRelayTransientException.class)
                .maximumRedeliveries("{{delivery.maximumRedeliveries}}")
                .redeliveryDelay("{{delivery.redeliveryDelay}}")
                .useExponentialBackOff()
                .handled(true)
                .to("direct:failed");
        // InvalidMailException, SmtpRelayPermanentException and anything unexpected: retrying would not help
        onException(Exception.class)
                .handled(true)
                .to("direct:failed");

        from("jms:queue:{{queue.outgoing}}").routeId("jms-to-smtp")
                .setHeader(SmtpRelayConstants.ENVELOPE_FROM, header(ENVELOPE_FROM))
                .setHeader(SmtpRelayConstants.RECIPIENTS, header(RECIPIENTS))
                // synchronous: the delivery happens inside the JMS transaction, on the consumer's thread
                .to("smtprelay:out?relayHost={{relay.host}}&relayPort={{relay.port}}"
                    + "&username={{relay.username}}&password=RAW({{relay.password}})&dnsServers={{dns.servers}}"
                    + "&heloName={{helo.name}}&synchronous=true")
                .log("Delivered: ${header." + SmtpRelayConstants.REPORT + "}");

        // called by the error handler, in the same JMS transaction: the message leaves mail.outgoing only once it
        // is in mail.failed
        from("direct:failed").routeId("to-failure-queue")
                .process(JmsDeliveryApplication::describeFailure)
                .log(LoggingLevel.WARN, "Not delivered, moved to {{queue.failed}}: ${header." + FAILURE + "}")
                .to("jms:queue:{{queue.failed}}");
    }

    /**
     * Writes why the message failed into the JMS properties it keeps in the failure queue. After a delivery attempt
     * SmtpRelayRecipients is narrowed to the recipients that did not get the message, so putting it back on the
     * outgoing queue sends it to no one twice.
     */
    static void describeFailure(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (cause instanceof InvalidMailException invalid && invalid.getEnhancedStatus() != null) {
            reason = invalid.getEnhancedStatus() + " " + reason;
        }
        exchange.getMessage().setHeader(FAILURE, reason);
        if (cause instanceof SmtpRelayException relay && relay.getReport() != null) {
            exchange.getMessage().setHeader(REPORT_TEXT, relay.getReport().toString());
            List<MailAddress> notDelivered = relay.getReport().statuses().stream()
                    .filter(s -> s.outcome() != Outcome.DELIVERED)
                    .map(s -> s.recipient())
                    .toList();
            exchange.getMessage().setHeader(RECIPIENTS,
                    notDelivered.stream().map(MailAddress::address).collect(Collectors.joining(",")));
        }
    }
}
