package io.github.camelrelay.smtprelay.producer;

import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the producer does so that no recipient that accepted a message gets it twice: a connection lost after the
 * final dot leaves the delivery uncertain (deferred, never retried elsewhere in the same attempt, and logged as
 * possibly duplicated); and with a settled record, each accepted recipient is recorded at once and left out of
 * every later attempt of the same message.
 */
class NeverTwiceTest extends ProducerTestSupport {

    private static final String CATEGORY = "io.github.camelrelay.smtprelay.delivery";

    private final IdempotentRepository settled = MemoryIdempotentRepository.memoryIdempotentRepository();
    private LogCapture capture;

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("settled", settled);
    }

    @BeforeEach
    void capture() {
        capture = LogCapture.start();
    }

    @AfterEach
    void release() {
        capture.close();
    }

    @Test
    void aConnectionLostAfterTheFinalDotDefersTheRecipientsWithoutTryingAnotherHostOrConnection() {
        mx1.dropAfterFinalDot(true);

        Exchange exchange = send(mxUri(), RAW, Map.of());

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        DeliveryReport report = exchange.getMessage().getHeader(SmtpRelayConstants.REPORT, DeliveryReport.class);
        assertThat(report.statuses()).hasSize(2).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.host()).isEqualTo("mx1.example.test");
            assertThat(s.replyText()).contains("delivery may be duplicated");
        });
        // the server has the message once; nothing was sent again, neither on a new connection nor to mx2
        assertThat(mx1.messages()).hasSize(1);
        assertThat(mx1.connections()).isEqualTo(1);
        assertThat(mx2.connections()).isZero();
        assertThat(capture.messages(CATEGORY)).filteredOn(m -> m.startsWith(exchange.getExchangeId() + ": to=<"))
                .hasSize(2).allSatisfy(m -> assertThat(m).contains("status=deferred (lost connection after end of data")
                        .contains("delivery may be duplicated)"));
    }

    @Test
    void aPooledConnectionThatBreaksAfterTheFinalDotIsNotRetriedOnAFreshConnection() {
        assertThat(send(mxUri(), RAW, Map.of()).getException()).isNull();
        mx1.dropAfterFinalDot(true);

        Exchange second = send(mxUri(), RAW, Map.of());

        assertThat(second.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(mx1.messages()).hasSize(2);
        assertThat(mx1.connections()).as("the pooled connection only").isEqualTo(1);
        assertThat(mx2.connections()).isZero();
    }

    @Test
    void aRecipientRecordedAsDeliveredIsNotSentAgainByALaterAttemptOfTheSameMessage() {
        mx1.rcptReply(a -> a.startsWith("carol") ? "451 4.2.0 mailbox busy" : "250 2.1.5 OK");
        String uri = mxUri("&settledRepository=#settled");
        Map<String, Object> headers = Map.of(SmtpRelayConstants.QUEUE_ID, "message-1",
                SmtpRelayConstants.RECIPIENTS, List.of("bob@example.test", "carol@example.test"));

        Exchange first = send(uri, RAW, headers);
        assertThat(first.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(settled.contains("message-1 bob@example.test")).isTrue();
        assertThat(settled.contains("message-1 carol@example.test")).isFalse();

        // as after a rollback: the same message with its whole recipient list again, on a new exchange
        mx1.rcptReply(a -> "250 2.1.5 OK");
        Exchange again = send(uri, RAW, headers);

        assertThat(again.getException()).isNull();
        assertThat(mx1.messages()).extracting(Received::recipients)
                .containsExactly(List.of("bob@example.test"), List.of("carol@example.test"));
        DeliveryReport report = again.getMessage().getHeader(SmtpRelayConstants.REPORT, DeliveryReport.class);
        assertThat(report.statusOf("bob@example.test").replyText()).contains("earlier attempt");
        assertThat(report.allDelivered()).isTrue();

        // a third time: nothing is left to send, and nothing is sent
        Exchange third = send(uri, RAW, headers);
        assertThat(third.getException()).isNull();
        assertThat(mx1.messages()).hasSize(2);
        assertThat(capture.messages(CATEGORY)).anySatisfy(m -> assertThat(m)
                .startsWith("message-1: to=<bob@example.test>, status=skipped"));
    }

    @Test
    void anotherMessageKeyIsAnotherMessage() {
        String uri = mxUri("&settledRepository=#settled");

        send(uri, RAW, Map.of(SmtpRelayConstants.QUEUE_ID, "message-a"));
        send(uri, RAW, Map.of(SmtpRelayConstants.QUEUE_ID, "message-b"));

        assertThat(mx1.messages()).hasSize(2);
    }
}
