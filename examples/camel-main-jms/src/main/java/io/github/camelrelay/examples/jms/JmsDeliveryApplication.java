package io.github.camelrelay.examples.jms;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.main.Main;

/**
 * Reads mail from the queue {@code mail.outgoing} on an Artemis broker (BROKER_URL, default tcp://localhost:61616)
 * and delivers it by MX, or through RELAY_HOST when set. A message on the queue is a raw RFC 5322 message with the
 * envelope in the String properties SmtpRelayEnvelopeFrom and SmtpRelayRecipients (or taken from its headers).
 * Deferred recipients are retried in memory a few times; what still fails goes to {@code mail.failed}. For durable
 * retries over days, bounces and DKIM use examples/relay-server.
 */
public final class JmsDeliveryApplication extends RouteBuilder {

    public static void main(String[] args) throws Exception {
        Main main = new Main(JmsDeliveryApplication.class);
        main.configure().addRoutesBuilder(new JmsDeliveryApplication());
        main.bind("jms", JmsComponent.jmsComponentTransacted(new ActiveMQConnectionFactory(
                System.getenv().getOrDefault("BROKER_URL", "tcp://localhost:61616"))));
        main.run(args);
    }

    @Override
    public void configure() {
        onException(SmtpRelayTransientException.class)
                .maximumRedeliveries(3).redeliveryDelay(5000).useExponentialBackOff()
                .handled(true)
                .to("jms:queue:mail.failed");
        onException(SmtpRelayPermanentException.class)
                .handled(true)
                .log("Bounced: ${exception.report}")
                .to("jms:queue:mail.failed");

        from("jms:queue:mail.outgoing").routeId("jms-to-smtp")
                .setHeader(SmtpRelayConstants.ENVELOPE_FROM, header("SmtpRelayEnvelopeFrom"))
                .setHeader(SmtpRelayConstants.RECIPIENTS, header("SmtpRelayRecipients"))
                .to("smtprelay:out?relayHost={{relay.host}}&relayPort={{relay.port}}"
                    + "&username={{relay.username}}&password=RAW({{relay.password}})&dnsServers={{dns.servers}}");
    }
}
