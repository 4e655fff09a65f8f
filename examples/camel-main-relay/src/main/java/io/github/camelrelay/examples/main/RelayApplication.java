package io.github.camelrelay.examples.main;

import java.io.InputStream;
import java.nio.file.Path;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.mail.HeaderSection;
import io.github.camelrelay.smtprelay.relay.SettledFileRepository;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * A small relay: accepts mail on 127.0.0.1:2525 from the loopback network and delivers it by MX, or through
 * RELAY_HOST when that is set. A message is answered 250 only once every recipient was delivered; otherwise the
 * client gets a 451 and keeps the message. For a durable queue with a retry schedule, use examples/relay-server.
 */
public final class RelayApplication extends RouteBuilder {

    /** The settled record's key: the client's resend of a message has a new queue id but the same Message-ID. */
    static void keyByMessageId(Exchange exchange) throws Exception {
        InputStream body = exchange.getMessage().getBody(InputStream.class);
        String messageId = HeaderSection.read(body).get("Message-ID", " ");
        if (body instanceof StreamCache cache) {
            cache.reset();
        }
        if (messageId != null && !messageId.isBlank()) {
            Object sender = exchange.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_FROM);
            exchange.getMessage().setHeader(SmtpRelayConstants.QUEUE_ID, sender + " " + messageId.strip());
        }
    }

    public static void main(String[] args) throws Exception {
        // Main(Class) scans this class's package for route builders: it finds this one, so it must not be added again
        new Main(RelayApplication.class).run(args);
    }

    @Override
    public void configure() throws Exception {
        // not handled: the SMTP client gets 451 and keeps the message, so nothing is lost
        onException(SmtpRelayTransientException.class)
                .maximumRedeliveries(2).redeliveryDelay(1000)
                .log("Not delivered, the client keeps the message: ${exception.message}");
        // a permanent refusal would be refused again: no redelivery
        onException(SmtpRelayPermanentException.class)
                .log("Refused, the client keeps the message: ${exception.message}");

        // the recipients that accepted a message, on disk: after a partial failure the client gets 451 and sends the
        // message again, and only the recipients that did not get it are sent it (keyed by sender and Message-ID)
        SettledFileRepository settled = SettledFileRepository.of(Path.of(getContext().resolvePropertyPlaceholders("{{settled.file}}")));
        // a service of the context, which stops it: the file is closed and its lock given up for the next start
        getContext().addService(settled, true, true);
        getContext().getRegistry().bind("settled", settled);

        from("smtprelay:in?bindAddress={{smtp.bindAddress}}&port={{smtp.port}}")
                .routeId("smtp-in")
                .process(RelayApplication::keyByMessageId)
                .to("smtprelay:out?relayHost={{relay.host}}&relayPort={{relay.port}}"
                    + "&username={{relay.username}}&password=RAW({{relay.password}})"
                    + "&dnsServers={{dns.servers}}&heloName={{helo.name}}&settledRepository=#settled");
    }
}
