package io.github.camelrelay.examples.main;

import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * A small relay: accepts mail on 127.0.0.1:2525 from the loopback network and delivers it by MX, or through
 * RELAY_HOST when that is set. A message is answered 250 only once every recipient was delivered; otherwise the
 * client gets a 451 and keeps the message. For a durable queue with a retry schedule, use examples/relay-server.
 */
public final class RelayApplication extends RouteBuilder {

    public static void main(String[] args) throws Exception {
        // Main(Class) scans this class's package for route builders: it finds this one, so it must not be added again
        new Main(RelayApplication.class).run(args);
    }

    @Override
    public void configure() {
        // not handled: the SMTP client gets 451 and keeps the message, so nothing is lost
        onException(SmtpRelayTransientException.class)
                .maximumRedeliveries(2).redeliveryDelay(1000)
                .log("Not delivered, the client keeps the message: ${exception.message}");
        // a permanent refusal would be refused again: no redelivery
        onException(SmtpRelayPermanentException.class)
                .log("Refused, the client keeps the message: ${exception.message}");

        from("smtprelay:in?bindAddress={{smtp.bindAddress}}&port={{smtp.port}}")
                .routeId("smtp-in")
                .to("smtprelay:out?relayHost={{relay.host}}&relayPort={{relay.port}}"
                    + "&username={{relay.username}}&password=RAW({{relay.password}})"
                    + "&dnsServers={{dns.servers}}&heloName={{helo.name}}");
    }
}
