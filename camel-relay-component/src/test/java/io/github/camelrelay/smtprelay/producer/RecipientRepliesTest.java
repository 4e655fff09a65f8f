package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * The reply to each RCPT decides that recipient: 2xx delivered (with the reply to the data), 4xx deferred, 5xx
 * failed. A 452 "too many recipients" sends the rest in another transaction. The report has one entry each.
 */
class RecipientRepliesTest extends ProducerTestSupport {

    private Exchange sendTo(String recipients) {
        return send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, recipients));
    }

    @Test
    void eachRecipientGetsTheOutcomeOfItsOwnReply() {
        mx1.rcptReply(a -> switch (a) {
            case "busy@example.test" -> "450 4.2.1 Mailbox busy";
            case "gone@example.test" -> "550 5.1.1 No such user";
            default -> "250 2.1.5 OK";
        });

        Exchange exchange = sendTo("ok@example.test, busy@example.test, gone@example.test, ok2@example.test");

        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.recipients()).containsExactly("ok@example.test", "ok2@example.test");
        DeliveryReport report = report(exchange);
        assertThat(report.statuses()).extracting(s -> s.recipient().address()).containsExactly(
                "ok@example.test", "busy@example.test", "gone@example.test", "ok2@example.test");

        RecipientStatus ok = report.statusOf("ok@example.test");
        assertThat(ok.outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(ok.replyCode()).isEqualTo(250);
        assertThat(ok.enhancedStatus()).isEqualTo("2.0.0");
        assertThat(ok.replyText()).isEqualTo("2.0.0 queued as 1");
        assertThat(ok.host()).isEqualTo("mx1.example.test");
        assertThat(ok.ip()).isEqualTo(MX1_IP);
        assertThat(ok.port()).isEqualTo(port);
        assertThat(ok.tls()).isFalse();

        RecipientStatus busy = report.statusOf("busy@example.test");
        assertThat(busy.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(busy.replyCode()).isEqualTo(450);
        assertThat(busy.enhancedStatus()).isEqualTo("4.2.1");
        assertThat(busy.replyText()).contains("Mailbox busy");
        assertThat(busy.host()).isEqualTo("mx1.example.test");

        RecipientStatus gone = report.statusOf("gone@example.test");
        assertThat(gone.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(gone.replyCode()).isEqualTo(550);
        assertThat(gone.enhancedStatus()).isEqualTo("5.1.1");
        assertThat(gone.replyText()).contains("No such user");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(((SmtpRelayTransientException) exchange.getException()).getReport().statuses())
                .isEqualTo(report.statuses());
    }

    @Test
    void theReportReadsWell() {
        mx1.rcptReply(a -> a.startsWith("gone") ? "550 5.1.1 No such user" : "250 2.1.5 OK");

        Exchange exchange = sendTo("ok@example.test, gone@example.test");

        String text = report(exchange).toString();
        assertThat(text.lines().toList()).containsExactly(
                "1 delivered, 0 deferred, 1 failed",
                "  <ok@example.test> DELIVERED dsn=2.0.0 relay=mx1.example.test[" + MX1_IP + "]:" + port
                + " tls=no (250 2.0.0 queued as 1)",
                "  <gone@example.test> FAILED dsn=5.1.1 relay=mx1.example.test[" + MX1_IP + "]:" + port
                + " tls=no (550 5.1.1 No such user)");
        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class)
                .hasMessageContaining("Delivery failed permanently for 1 recipient(s)")
                .hasMessageContaining("<gone@example.test> FAILED");
    }

    @Test
    void aRefusedRecipientDoesNotStopDeliveryToOthers() {
        mx1.rcptReply(a -> a.startsWith("first") ? "550 5.1.1 No such user" : "250 2.1.5 OK");

        Exchange exchange = sendTo("first@example.test, second@example.test, third@example.test");

        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("second@example.test", "third@example.test");
        assertThat(report(exchange).recipients(Outcome.DELIVERED)).hasSize(2);
        assertThat(report(exchange).recipients(Outcome.FAILED)).extracting(Object::toString).containsExactly("first@example.test");
    }

    @Test
    void whenEveryRecipientIsRefusedNoMessageIsSent() {
        mx1.rcptReply(a -> "550 5.1.1 No such user");

        Exchange exchange = sendTo("a@example.test, b@example.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class);
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.enhancedStatus()).isEqualTo("5.1.1"));
        // pipelined, DATA went with the envelope and was refused for want of recipients
        assertThat(mx1.commands()).containsSubsequence("RCPT TO:<b@example.test>", "DATA").doesNotContain(".");
        assertThat(mx1.messages()).isEmpty();
    }

    @Test
    void withoutPipeliningNoDataIsSentWhenEveryRecipientIsRefused() {
        mx1.pipelining(false).rcptReply(a -> "550 5.1.1 No such user");

        Exchange exchange = sendTo("a@example.test, b@example.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class);
        assertThat(mx1.commands()).doesNotContain("DATA");
        assertThat(mx1.messages()).isEmpty();
    }

    @Test
    void tooManyRecipientsSendsTheRestInAnotherTransaction() {
        mx1.maxRecipientsPerTransaction(2);

        Exchange exchange = sendTo("r1@example.test, r2@example.test, r3@example.test, r4@example.test, r5@example.test");

        assertThat(exchange.getException()).isNull();
        List<Received> received = mx1.awaitMessages(3, WAIT);
        assertThat(received).extracting(Received::recipients).containsExactly(
                List.of("r1@example.test", "r2@example.test"), List.of("r3@example.test", "r4@example.test"),
                List.of("r5@example.test"));
        assertThat(received).extracting(Received::connectionNumber).containsOnly(1);
        assertThat(report(exchange).recipients(Outcome.DELIVERED)).hasSize(5);
        assertThat(mx1.commands().stream().filter(c -> c.startsWith("RCPT TO:<r3@")).count())
                .as("r3 was refused with 452 once, then sent in the next transaction").isEqualTo(2);
    }

    @Test
    void aRejectedSenderFailsTheWholeTransaction() {
        mx1.mailFromReply("550 5.7.1 Sender rejected");

        Exchange exchange = sendTo("a@example.test, b@example.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class);
        assertThat(report(exchange).statuses()).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(s.enhancedStatus()).isEqualTo("5.7.1");
        });
        // the pipelined RCPTs were refused for want of a sender; the report gives the sender's refusal
        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.replyText()).contains("Sender rejected"));
        assertThat(mx1.messages()).isEmpty();
    }

    @Test
    void withoutPipeliningNoRecipientIsSentAfterARejectedSender() {
        mx1.pipelining(false).mailFromReply("550 5.7.1 Sender rejected");

        Exchange exchange = sendTo("a@example.test, b@example.test");

        assertThat(report(exchange).statuses()).allSatisfy(s -> assertThat(s.enhancedStatus()).isEqualTo("5.7.1"));
        assertThat(mx1.commands()).noneMatch(c -> c.startsWith("RCPT"));
    }

    @Test
    void aTemporaryReplyToTheDataDefersTheAcceptedRecipients() {
        mx1.dataReply(n -> "451 4.3.0 Queue full");

        Exchange exchange = sendTo("a@example.test, b@example.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.replyCode()).isEqualTo(451);
            assertThat(s.enhancedStatus()).isEqualTo("4.3.0");
        });
    }

    @Test
    void aPermanentReplyToTheDataFailsTheAcceptedRecipientsOnly() {
        mx1.dataReply(n -> "554 5.6.0 Message content rejected");
        mx1.rcptReply(a -> a.startsWith("busy") ? "450 4.2.2 Mailbox full" : "250 2.1.5 OK");

        Exchange exchange = sendTo("a@example.test, busy@example.test");

        DeliveryReport report = report(exchange);
        assertThat(report.statusOf("a@example.test").outcome()).isEqualTo(Outcome.FAILED);
        assertThat(report.statusOf("a@example.test").enhancedStatus()).isEqualTo("5.6.0");
        assertThat(report.statusOf("busy@example.test").outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
    }

    @Test
    void repliesWithoutEnhancedStatusGetOneFromTheirClass() {
        mx1.rcptReply(a -> a.startsWith("busy") ? "451 try later" : "250 ok");
        mx1.dataReply(n -> "250 ok");

        Exchange exchange = sendTo("a@example.test, busy@example.test");

        assertThat(report(exchange).statusOf("a@example.test").enhancedStatus()).isEqualTo("2.0.0");
        assertThat(report(exchange).statusOf("busy@example.test").enhancedStatus()).isEqualTo("4.0.0");
    }
}
