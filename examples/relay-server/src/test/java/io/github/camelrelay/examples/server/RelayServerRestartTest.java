package io.github.camelrelay.examples.server;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.github.camelrelay.examples.server.testsupport.RelayServers;
import io.github.camelrelay.examples.server.testsupport.SmtpSubmission;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message waiting in the retry queue survives a stop and a fresh start of the whole application (Spring, Camel and
 * the embedded broker) on the same data directory, and is then delivered exactly once.
 */
class RelayServerRestartTest {

    @TempDir
    Path dir;

    private TestSmtpServer mx;
    private TestDnsServer dns;
    private ConfigurableApplicationContext relay;

    @AfterEach
    void stop() throws Exception {
        RelayServers.closeAll(relay, mx, dns);
    }

    @Test
    void aDeferredMessageIsDeliveredOnceByTheNextStartOfTheApplication() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        mx = TestSmtpServer.start("127.0.0.2", 0).dataReply(n -> {
            attempts.incrementAndGet();
            return n == 1 ? "451 4.3.0 try again later" : "250 2.0.0 queued as R" + n;
        });
        dns = TestDnsServer.start().mx("later.test", 10, "mx.later.test").a("mx.later.test", "127.0.0.2");
        Map<String, String> p = RelayServers.testProperties("restart-test", dir.resolve("artemis"), RelayServers.freePort(), dns,
                mx.port());
        // long enough for the message to be still waiting in the broker while the application is down
        p.put("camel.smtprelay.relay.retry.initial-delay", "4s");
        p.put("camel.smtprelay.relay.retry.max-delay", "4s");

        relay = RelayServers.start(p);
        SmtpSubmission.send(Integer.parseInt(p.get("camel.smtprelay.relay.ingress.port")), "alice@sender.test",
                List.of("erin@later.test"), "From: alice@sender.test\r\nTo: erin@later.test\r\nSubject: survivor\r\n\r\nStill here?\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() == 1);
        // the deferred message waits in the broker as a scheduled message, as JMX (jconsole) shows an operator
        await().atMost(Duration.ofSeconds(5)).until(() -> queueAttribute("ScheduledCount"), count -> count == 1L);
        relay.close();
        relay = null;
        assertThat(mx.messages()).as("nothing delivered before the restart").isEmpty();

        // a new SpringApplication, a new broker on the same journal, a new SMTP port
        p.put("camel.smtprelay.relay.ingress.port", String.valueOf(RelayServers.freePort()));
        relay = RelayServers.start(p);
        Received got = mx.awaitMessage(Duration.ofSeconds(20));
        assertThat(got.recipients()).containsExactly("erin@later.test");
        assertThat(got.text()).contains("Subject: survivor", "Still here?");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> mx.messages().size() == 1);
        assertThat(attempts).hasValue(2);
        assertThat(queueAttribute("MessageCount")).isZero();
    }

    /** An attribute of the relay queue's MBean, the one docs/relay-server.md tells operators to look at. */
    private static long queueAttribute(String name) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> queues = server.queryNames(new ObjectName(
                "org.apache.activemq.artemis:component=addresses,subcomponent=queues,queue=\"smtprelay.outbound\",*"), null);
        assertThat(queues).as("the relay queue's MBean").hasSize(1);
        return ((Number) server.getAttribute(queues.iterator().next(), name)).longValue();
    }
}
