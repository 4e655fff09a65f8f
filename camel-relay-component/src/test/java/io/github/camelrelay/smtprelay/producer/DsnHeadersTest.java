package io.github.camelrelay.smtprelay.producer;

import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DSN headers of a route that builds its mail itself (CamelSmtpRelayDsnNotify, ...Ret, ...Envid): passed on as
 * MAIL and RCPT parameters to a server that offers DSN, left out for one that does not, refused when malformed; and
 * the report says which server took the notifications over.
 */
class DsnHeadersTest extends ProducerTestSupport {

    private static final Map<String, Object> DSN = Map.of(
            SmtpRelayConstants.RECIPIENTS, List.of("bob@example.test", "carol@example.test"),
            SmtpRelayConstants.DSN_NOTIFY, "success,failure",
            SmtpRelayConstants.DSN_RET, "hdrs",
            SmtpRelayConstants.DSN_ENVID, "order 17=paid",
            SmtpRelayConstants.DSN_RECIPIENTS, "{\"carol@example.test\":{\"notify\":\"NEVER\",\"orcpt\":\"rfc822;Carol@example.test\"}}");

    @Test
    void aServerOfferingDsnGetsTheParametersInXtext() {
        mx1.offer("DSN");
        Exchange exchange = send(mxUri(), RAW, DSN);

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        assertThat(mx1.commands()).contains("MAIL FROM:<alice@sender.test> SIZE=" + got.data().length + " BODY=8BITMIME RET=HDRS ENVID=order+2017+3Dpaid",
                "RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE",
                "RCPT TO:<carol@example.test> NOTIFY=NEVER ORCPT=rfc822;Carol@example.test");
        assertThat(report(exchange).statuses()).allMatch(s -> s.remoteDsn());
    }

    @Test
    void aServerWithoutDsnGetsNone() {
        Exchange exchange = send(mxUri(), RAW, DSN);

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        assertThat(mx1.commands()).contains("MAIL FROM:<alice@sender.test> SIZE=" + got.data().length + " BODY=8BITMIME",
                "RCPT TO:<bob@example.test>", "RCPT TO:<carol@example.test>");
        assertThat(report(exchange).statuses()).noneMatch(s -> s.remoteDsn());
    }

    @Test
    void aMalformedDsnHeaderIsRefusedBeforeAnythingIsSent() {
        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.DSN_NOTIFY, "NEVER,SUCCESS"));

        assertThat(exchange.getException()).isInstanceOf(InvalidMailException.class)
                .hasMessageContaining("Expected NOTIFY=NEVER alone but found 'NEVER,SUCCESS'");
        assertThat(mx1.connections()).isZero();
    }
}
