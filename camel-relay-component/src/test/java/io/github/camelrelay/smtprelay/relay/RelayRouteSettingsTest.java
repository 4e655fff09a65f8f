package io.github.camelrelay.smtprelay.relay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RelayRouteSettingsTest {

    private static RelayRouteSettings withQueue(String queueUri) {
        return new RelayRouteSettings(null, queueUri, null, "smtprelay:out", "jms:queue:dead", "relay.example.test", null, null);
    }

    @Test
    void theRetryUriIsTheQueueWithoutTransactedAndWithTheDeliveryDelay() {
        assertThat(withQueue("jms:queue:q").retryUri())
                .isEqualTo("jms:queue:q?deliveryDelay=${header.CamelSmtpRelayRetryDelay}");
        assertThat(withQueue("jms:queue:q?transacted=true").retryUri())
                .isEqualTo("jms:queue:q?deliveryDelay=${header.CamelSmtpRelayRetryDelay}");
        assertThat(withQueue("jms:queue:q?transacted=true&concurrentConsumers=2").retryUri())
                .isEqualTo("jms:queue:q?concurrentConsumers=2&deliveryDelay=${header.CamelSmtpRelayRetryDelay}");
        assertThat(withQueue("jms:queue:q?concurrentConsumers=2&transacted=true").retryUri())
                .isEqualTo("jms:queue:q?concurrentConsumers=2&deliveryDelay=${header.CamelSmtpRelayRetryDelay}");
    }

    @Test
    void theDeliveryRunsOnTheQueueConsumersThreadSoItsSendsShareTheTransaction() {
        assertThat(SmtpRelayRoutes.synchronous("smtprelay:out")).isEqualTo("smtprelay:out?synchronous=true");
        assertThat(SmtpRelayRoutes.synchronous("smtprelay:out?relayHost=h")).isEqualTo("smtprelay:out?relayHost=h&synchronous=true");
        assertThat(SmtpRelayRoutes.synchronous("smtprelay:out?synchronous=false")).isEqualTo("smtprelay:out?synchronous=false");
        assertThat(SmtpRelayRoutes.synchronous("direct:custom")).isEqualTo("direct:custom");
    }
}
