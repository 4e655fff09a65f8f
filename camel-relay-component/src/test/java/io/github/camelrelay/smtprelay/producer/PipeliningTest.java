package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/** RFC 2920 pipelining of MAIL FROM, RCPT TO and DATA, and the server replies that break its happy path. */
class PipeliningTest extends ProducerTestSupport {

    @Test
    void aServerThatOpensDataWithoutRecipientsGetsTheFinalDotAtOnceAndNoMessage() {
        mx1.dataWithoutRecipients(true).rcptReply(a -> a.startsWith("gone") ? "550 5.1.1 No such user" : "250 2.1.5 OK");

        Exchange refused = sendTo(mxUri(), "gone@example.test");
        Exchange next = sendTo(mxUri(), "bob@example.test");

        assertThat(refused.getException()).isInstanceOf(SmtpRelayPermanentException.class);
        assertThat(report(refused).statuses()).singleElement().satisfies(s -> assertThat(s.enhancedStatus()).isEqualTo("5.1.1"));
        assertThat(next.getException()).isNull();
        assertThat(mx1.messages()).extracting(Received::recipients).containsExactly(List.of("bob@example.test"));
        // SIZE declares the bytes that follow DATA (RFC 1870), Received header included; both messages are the same
        // RAW has 8-bit text: BODY=8BITMIME to a server offering 8BITMIME
        String size = " SIZE=" + mx1.messages().get(0).data().length + " BODY=8BITMIME";
        // the abandoned DATA was ended with a bare dot, whose reply ended the transaction (RFC 5321 4.1.1.4), so
        // the connection carried the next message without a RSET
        assertThat(mx1.commands()).containsExactly("EHLO relay.test", "MAIL FROM:<alice@sender.test>" + size,
                "RCPT TO:<gone@example.test>", "DATA", "MAIL FROM:<alice@sender.test>" + size, "RCPT TO:<bob@example.test>",
                "DATA");
        assertThat(mx1.connections()).isEqualTo(1);
    }

    @Test
    void aRefusedDataReportsTheRefusalNotTheResetThatFollowsIt() {
        mx1.dataStartReply("451 4.3.0 Try again later");

        Exchange exchange = sendTo(mxUri(), "bob@example.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).singleElement().satisfies(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.replyCode()).isEqualTo(451);
            assertThat(s.replyText()).isEqualTo("4.3.0 Try again later");
        });
    }

    @Test
    void aRefusedDataLeavesTheTransactionOpenSoRsetPrecedesTheNextOneOnTheSameConnection() {
        mx1.dataStartReply("451 4.3.0 Try again later");
        Exchange refused = sendTo(mxUri(), "bob@example.test");
        mx1.dataStartReply("354 End data with <CR><LF>.<CR><LF>");

        Exchange next = sendTo(mxUri(), "carol@example.test");

        assertThat(refused.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(next.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.recipients()).containsExactly("carol@example.test");
        assertThat(mx1.commands()).containsSubsequence("RCPT TO:<bob@example.test>", "DATA", "RSET",
                "MAIL FROM:<alice@sender.test> SIZE=" + received.data().length + " BODY=8BITMIME", "RCPT TO:<carol@example.test>", "DATA");
        assertThat(mx1.connections()).isEqualTo(1);
    }

    @Test
    void aRefusedFinalDotReportsTheRefusalNotTheResetThatFollowsIt() {
        mx1.dataReply(n -> "554 5.6.0 Content rejected");

        Exchange exchange = sendTo(mxUri(), "bob@example.test");

        assertThat(report(exchange).statuses()).singleElement().satisfies(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(s.replyText()).isEqualTo("5.6.0 Content rejected");
        });
    }

    @Test
    void withoutPipeliningEachCommandWaitsForItsReplyAndTheMessageStillGoesThrough() {
        mx1.pipelining(false);

        Exchange exchange = sendTo(mxUri(), "bob@example.test, carol@example.test");

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test", "carol@example.test");
    }
}
