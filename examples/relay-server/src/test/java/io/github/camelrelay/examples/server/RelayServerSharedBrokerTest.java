package io.github.camelrelay.examples.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.examples.server.testsupport.RelayServers;
import io.github.camelrelay.examples.server.testsupport.SmtpSubmission;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scaling out: two instances of the relay server given the URL of one external broker (here an Artemis the test
 * starts, with a TCP acceptor on loopback) compete for the same queue. Between them every message is delivered,
 * none twice, and both take part.
 */
class RelayServerSharedBrokerTest {

    private static final int MESSAGES = 24;

    @TempDir
    Path dir;

    private EmbeddedActiveMQ broker;
    private TestSmtpServer mx;
    private TestDnsServer dns;
    private ConfigurableApplicationContext first;
    private ConfigurableApplicationContext second;

    @AfterEach
    void stop() throws Exception {
        RelayServers.closeAll(first, second, broker == null ? null : broker::stop, mx, dns);
    }

    /** Bean source: counts the messages this instance delivered, through the component's listener events. */
    static class CountingBeans {
        @Bean
        DeliveryCounter deliveryCounter() {
            return new DeliveryCounter();
        }
    }

    static class DeliveryCounter implements SmtpRelayListener {
        final AtomicInteger delivered = new AtomicInteger();

        @Override
        public void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
            if (report.allDelivered()) {
                delivered.incrementAndGet();
            }
        }
    }

    @Test
    void twoInstancesOnOneBrokerShareTheQueueAndDeliverEveryMessageOnce() throws Exception {
        int brokerPort = RelayServers.freePort();
        broker = new EmbeddedActiveMQ();
        broker.setConfiguration(new ConfigurationImpl().setName("shared").setPersistenceEnabled(false).setSecurityEnabled(false)
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + brokerPort));
        broker.start();
        mx = TestSmtpServer.start("127.0.0.2", 0);
        dns = TestDnsServer.start().mx("shared.test", 10, "mx.shared.test").a("mx.shared.test", "127.0.0.2");

        int[] smtpPorts = {RelayServers.freePort(), RelayServers.freePort()};
        first = RelayServers.start(instance("first", smtpPorts[0], brokerPort), CountingBeans.class);
        second = RelayServers.start(instance("second", smtpPorts[1], brokerPort), CountingBeans.class);
        // the broker URL alone made them clients of the shared broker: neither started a broker of its own
        assertThat(first.getBeanProvider(EmbeddedActiveMQ.class).getIfAvailable()).isNull();
        assertThat(second.getBeanProvider(EmbeddedActiveMQ.class).getIfAvailable()).isNull();

        for (int i = 0; i < MESSAGES; i++) {
            // the submission side is shared as well: half the mail comes in through each instance
            SmtpSubmission.send(smtpPorts[i % 2], "alice@sender.test", List.of("frank@shared.test"),
                    "From: alice@sender.test\r\nTo: frank@shared.test\r\nSubject: shared " + i + "\r\n\r\nMessage " + i + "\r\n");
        }

        List<Received> got = mx.awaitMessages(MESSAGES, Duration.ofSeconds(30));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> mx.messages().size() == MESSAGES);
        List<String> messageIds = mx.messages().stream()
                .map(r -> java.util.regex.Pattern.compile("(?m)^Message-ID: (<[^>]+>)").matcher(r.text()).results()
                        .map(m -> m.group(1)).findFirst().orElse("none")).toList();
        assertThat(messageIds).doesNotHaveDuplicates().hasSize(MESSAGES).allMatch(id -> id.startsWith("<"));
        assertThat(got.stream().map(r -> r.text().replaceAll("(?s).*?Subject: (shared \\d+).*", "$1")).distinct()).hasSize(MESSAGES);

        int byFirst = first.getBean(DeliveryCounter.class).delivered.get();
        int bySecond = second.getBean(DeliveryCounter.class).delivered.get();
        assertThat(byFirst + bySecond).isEqualTo(MESSAGES);
        assertThat(byFirst).as("deliveries by the first instance").isPositive();
        assertThat(bySecond).as("deliveries by the second instance").isPositive();
    }

    private Map<String, String> instance(String name, int smtpPort, int brokerPort) {
        Map<String, String> p = RelayServers.testProperties(name, dir.resolve(name), smtpPort, dns, mx.port());
        // consumerWindowSize=0: no instance holds messages in a client buffer that the other could be delivering
        p.put("spring.artemis.broker-url", "tcp://127.0.0.1:" + brokerPort + "?consumerWindowSize=0");
        // two deliveries at once each, so that neither instance takes all 24 messages before the other has started
        p.put("camel.smtprelay.relay.queue.concurrent-consumers", "2");
        return p;
    }
}
