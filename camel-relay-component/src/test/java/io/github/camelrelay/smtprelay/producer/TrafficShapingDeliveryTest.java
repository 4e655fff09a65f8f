package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * The trafficShaping option over real sockets: a provider's connection limit shared by the domains its MX hosts
 * serve and by every sending thread, a rule's messages per connection, and a spent rate deferring without a
 * connection.
 */
class TrafficShapingDeliveryTest extends ProducerTestSupport {

    @Test
    void domainsServedByOneProviderShareItsConnectionLimitAcrossThreads() throws Exception {
        dns.mx("one.test", 10, "mx1.provider.test").mx("two.test", 10, "mx1.provider.test").a("mx1.provider.test", MX1_IP);
        String uri = mxUri("&maxConnectionsPerHost=8&commandTimeout=5000&trafficShaping=.provider.test: maxConnections=1");

        List<Exchange> results = sendConcurrently(uri, 4, 5);

        assertThat(results).hasSize(20).allSatisfy(e -> assertThat(e.getException()).isNull());
        assertThat(mx1.messages()).hasSize(20);
        assertThat(mx1.connections()).as("one connection at a time, so the pooled one carries every message").isEqualTo(1);
    }

    @Test
    void aRuleEndsItsConnectionsAfterItsMessagesPerConnection() {
        String uri = mxUri("&maxMessagesPerConnection=100&trafficShaping=example.test: maxMessagesPerConnection=2");

        for (int i = 0; i < 5; i++) {
            assertThat(send(uri, RAW).getException()).isNull();
        }

        assertThat(mx1.messages()).extracting(Received::connectionNumber).containsExactly(1, 1, 2, 2, 3);
    }

    @Test
    void aSpentRateDefersTheRecipientsWithoutAConnection() {
        // the component's clock is fixed: the hour's window never frees a message in this test
        String uri = mxUri("&trafficShaping=*.test: maxRate=2/h");
        assertThat(send(uri, RAW).getException()).isNull();
        assertThat(send(uri, RAW).getException()).isNull();
        int connections = mx1.connections();

        Exchange third = send(uri, RAW);

        assertThat(third.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(third).statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.enhancedStatus()).isEqualTo("4.4.5");
            assertThat(s.replyText()).contains("traffic shaping (*.test: maxRate=2/h)");
            assertThat(s.relay()).isEqualTo("none");
        });
        assertThat(mx1.messages()).hasSize(2);
        assertThat(mx1.connections()).isEqualTo(connections);
    }

    @Test
    void endpointsWithTheSameRulesCountTogether() {
        String rules = "&trafficShaping=example.test: maxRate=1/h";
        assertThat(send(mxUri("&batchSize=10" + rules), RAW).getException()).isNull();

        Exchange other = send(mxUri("&batchSize=20" + rules), RAW);

        assertThat(report(other).statuses()).extracting(RecipientStatus::enhancedStatus).containsOnly("4.4.5");
        assertThat(mx1.messages()).hasSize(1);
    }

    private List<Exchange> sendConcurrently(String uri, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<List<Exchange>>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                tasks.add(() -> {
                    List<Exchange> sent = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String to = "r" + thread + "@" + (i % 2 == 0 ? "one.test" : "two.test");
                        sent.add(send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, to)));
                    }
                    return sent;
                });
            }
            List<Exchange> all = new ArrayList<>();
            for (Future<List<Exchange>> f : pool.invokeAll(tasks, WAIT.toSeconds() * 3, TimeUnit.SECONDS)) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
