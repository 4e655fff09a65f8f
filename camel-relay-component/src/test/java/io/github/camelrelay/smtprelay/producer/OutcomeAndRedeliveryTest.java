package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayException;
import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/**
 * The outcome of an exchange (no exception, SmtpRelayTransientException or SmtpRelayPermanentException, both
 * carrying the report) and what Camel's error handling does with it: a redelivery retries only the deferred
 * recipients, so no recipient ever gets two copies, and a dead letter channel receives what is left.
 */
class OutcomeAndRedeliveryTest extends ProducerTestSupport {

    private static final String THREE = "ok@example.test, busy@example.test, gone@example.test";

    /** busy@ is refused with 450 the first {@code times} times it is tried, then accepted; gone@ always gets 550. */
    private void busyFor(int times) {
        Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
        mx1.rcptReply(a -> {
            int n = tries.computeIfAbsent(a, k -> new AtomicInteger()).incrementAndGet();
            if (a.startsWith("busy") && n <= times) {
                return "450 4.2.1 Mailbox busy, try " + n;
            }
            return a.startsWith("gone") ? "550 5.1.1 No such user" : "250 2.1.5 OK";
        });
    }

    private void route(RouteBuilder builder) throws Exception {
        context.addRoutes(builder);
    }

    /** Every recipient the server accepted, over all transactions. */
    private List<String> acceptedRecipients() {
        return mx1.messages().stream().flatMap(m -> m.recipients().stream()).toList();
    }

    @Test
    void synchronousDeliversOnTheCallingThreadAndTheDefaultOnTheDeliveryThreads() throws Exception {
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        context.getRegistry().bind("threadRecorder", new io.github.camelrelay.smtprelay.SmtpRelayListener() {
            @Override
            public void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
                threads.add(Thread.currentThread().getName());
            }
        });
        String caller = Thread.currentThread().getName();

        assertThat(send(mxUri("&synchronous=true"), RAW).getException()).isNull();
        assertThat(send(mxUri("&connectionIdleTimeout=1"), RAW).getException()).isNull();

        assertThat(threads).hasSize(2);
        assertThat(threads.get(0)).isEqualTo(caller);
        assertThat(threads.get(1)).isNotEqualTo(caller).contains("SmtpRelayProducer");
    }

    @Test
    void allDeliveredMeansNoException() {
        Exchange exchange = send(mxUri(), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(report(exchange).allDelivered()).isTrue();
        assertThat(report(exchange).hasDeferred()).isFalse();
        assertThat(report(exchange).hasFailed()).isFalse();
    }

    @Test
    void anyDeferredRecipientMakesATransientExceptionAndLeavesOnlyTheDeferredInTheRecipientsHeader() {
        busyFor(1);

        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, THREE));

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class)
                .isInstanceOf(SmtpRelayException.class)
                .hasMessageStartingWith("Delivery deferred for 1 recipient(s)");
        SmtpRelayException e = (SmtpRelayException) exchange.getException();
        assertThat(e.getReport().recipients(Outcome.DEFERRED)).extracting(Object::toString).containsExactly("busy@example.test");
        assertThat(e.getReport().recipients(Outcome.FAILED)).extracting(Object::toString).containsExactly("gone@example.test");
        assertThat(e.getReport().recipients(Outcome.DELIVERED)).extracting(Object::toString).containsExactly("ok@example.test");
        assertThat(e.getExchange()).isSameAs(exchange);
        assertThat(exchange.getMessage().getHeader(SmtpRelayConstants.RECIPIENTS, List.class)).containsExactly("busy@example.test");
    }

    @Test
    void onlyFailedRecipientsMakeAPermanentException() {
        mx1.rcptReply(a -> a.startsWith("gone") ? "550 5.1.1 No such user" : "250 2.1.5 OK");

        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "ok@example.test, gone@example.test"));

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class)
                .isInstanceOf(SmtpRelayException.class);
        DeliveryReport report = ((SmtpRelayException) exchange.getException()).getReport();
        assertThat(report.statusOf("gone@example.test").outcome()).isEqualTo(Outcome.FAILED);
        assertThat(report.statusOf("ok@example.test").outcome()).isEqualTo(Outcome.DELIVERED);
    }

    @Test
    void aRedeliveryRetriesOnlyTheDeferredRecipients() throws Exception {
        busyFor(2);
        route(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(3).redeliveryDelay(0));
                from("direct:in").to(mxUri()).to("mock:out");
            }
        });
        MockEndpoint out = context.getEndpoint("mock:out", MockEndpoint.class);
        out.expectedMessageCount(1);

        Exchange exchange = template.send("direct:in", e -> {
            e.getMessage().setBody(RAW);
            e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, "ok@example.test, busy@example.test");
        });

        out.assertIsSatisfied(WAIT.toMillis());
        assertThat(exchange.getException()).isNull();
        assertThat(mx1.messages()).as("one copy per recipient").extracting(Received::recipients)
                .containsExactly(List.of("ok@example.test"), List.of("busy@example.test"));
        assertThat(mx1.commands().stream().filter(c -> c.startsWith("RCPT TO:<ok@")).count()).isEqualTo(1);
        assertThat(mx1.commands().stream().filter(c -> c.startsWith("RCPT TO:<busy@")).count()).isEqualTo(3);
        DeliveryReport report = report(exchange);
        assertThat(report.statuses()).as("the final report covers every recipient").hasSize(2);
        assertThat(report.allDelivered()).isTrue();
    }

    @Test
    void aRedeliveryAfterDeferralsAndFailuresNeverReachesADeliveredRecipientAgain() throws Exception {
        busyFor(1);
        route(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(3).redeliveryDelay(0));
                from("direct:in").to(mxUri());
            }
        });

        Exchange exchange = template.send("direct:in", e -> {
            e.getMessage().setBody(RAW);
            e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, THREE);
        });

        assertThat(exchange.getException()).as("what is left is a permanent failure")
                .isInstanceOf(SmtpRelayPermanentException.class);
        assertThat(mx1.messages()).as("one copy per recipient").extracting(Received::recipients)
                .containsExactly(List.of("ok@example.test"), List.of("busy@example.test"));
        DeliveryReport report = report(exchange);
        assertThat(report.statuses()).as("the final report covers every recipient").hasSize(3);
        assertThat(report.statusOf("ok@example.test").outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(report.statusOf("busy@example.test").outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(report.statusOf("gone@example.test").outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void onExceptionForTransientFailuresRedeliversUntilEveryoneIsDelivered() throws Exception {
        busyFor(1);
        route(new RouteBuilder() {
            @Override
            public void configure() {
                onException(SmtpRelayTransientException.class).maximumRedeliveries(2).redeliveryDelay(0);
                from("direct:in").to(mxUri()).to("mock:out");
            }
        });
        MockEndpoint out = context.getEndpoint("mock:out", MockEndpoint.class);
        out.expectedMessageCount(1);

        Exchange exchange = template.send("direct:in", e -> e.getMessage().setBody(RAW.replace("carol@", "busy@")));

        out.assertIsSatisfied(WAIT.toMillis());
        assertThat(exchange.getException()).isNull();
        assertThat(acceptedRecipients()).containsExactly("bob@example.test", "busy@example.test");
        assertThat(report(exchange).allDelivered()).isTrue();
        assertThat(report(exchange).statuses()).hasSize(2);
    }

    @Test
    void aRedeliveryAfterAPermanentFailureNeverReachesTheDeliveredRecipientsAgain() throws Exception {
        mx1.rcptReply(a -> a.startsWith("gone") ? "550 5.1.1 No such user" : "250 2.1.5 OK");
        route(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(2).redeliveryDelay(0));
                from("direct:in").to(mxUri());
            }
        });

        Exchange exchange = template.send("direct:in", e -> {
            e.getMessage().setBody(RAW);
            e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, "ok@example.test, gone@example.test");
        });

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class);
        assertThat(acceptedRecipients()).as("one copy per recipient").containsExactly("ok@example.test");
        assertThat(mx1.commands().stream().filter(c -> c.startsWith("RCPT TO:")).count())
                .as("nothing was left to retry").isEqualTo(2);
        DeliveryReport report = report(exchange);
        assertThat(report.statusOf("ok@example.test").outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(report.statusOf("gone@example.test").outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void aDeadLetterChannelReceivesTheExchangeWithTheReport() throws Exception {
        busyFor(Integer.MAX_VALUE);
        route(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(deadLetterChannel("mock:dead").maximumRedeliveries(2).redeliveryDelay(0));
                from("direct:in").to(mxUri()).to("mock:out");
            }
        });
        MockEndpoint dead = context.getEndpoint("mock:dead", MockEndpoint.class);
        MockEndpoint out = context.getEndpoint("mock:out", MockEndpoint.class);
        dead.expectedMessageCount(1);
        out.expectedMessageCount(0);

        template.send("direct:in", e -> {
            e.getMessage().setBody(RAW);
            e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, "ok@example.test, busy@example.test");
        });

        dead.assertIsSatisfied(WAIT.toMillis());
        out.assertIsSatisfied();
        Exchange deadExchange = dead.getReceivedExchanges().get(0);
        assertThat(deadExchange.getProperty(Exchange.EXCEPTION_CAUGHT)).isInstanceOf(SmtpRelayTransientException.class);
        DeliveryReport report = report(deadExchange);
        assertThat(report.statusOf("ok@example.test").outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(report.statusOf("busy@example.test").outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(deadExchange.getMessage().getHeader(SmtpRelayConstants.RECIPIENTS, List.class)).containsExactly("busy@example.test");
        assertThat(acceptedRecipients()).containsExactly("ok@example.test");
        assertThat(mx1.commands().stream().filter(c -> c.startsWith("RCPT TO:<busy@")).count())
                .as("first attempt and two redeliveries").isEqualTo(3);
    }

    @Test
    void aPermanentFailureGoesToTheDeadLetterChannel() throws Exception {
        mx1.rcptReply(a -> "550 5.1.1 No such user");
        route(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(deadLetterChannel("mock:dead"));
                from("direct:in").to(mxUri());
            }
        });
        MockEndpoint dead = context.getEndpoint("mock:dead", MockEndpoint.class);
        dead.expectedMessageCount(1);

        template.sendBody("direct:in", RAW);

        dead.assertIsSatisfied(WAIT.toMillis());
        assertThat(dead.getReceivedExchanges().get(0).getProperty(Exchange.EXCEPTION_CAUGHT))
                .isInstanceOf(SmtpRelayPermanentException.class);
        assertThat(mx1.messages()).isEmpty();
    }

    @Test
    void twoEndpointsOnOneExchangeEachDeliverToEveryRecipient() throws Exception {
        route(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to(relayUri(MX2_IP, "")).to(mxUri());
            }
        });

        Exchange exchange = template.send("direct:in", e -> e.getMessage().setBody(RAW));

        assertThat(exchange.getException()).isNull();
        assertThat(mx2.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.host()).isEqualTo("mx1.example.test"));
    }
}
