package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One log line per recipient and delivery attempt, Postfix style, under io.github.camelrelay.smtprelay.delivery:
 * {@code id: to=<rcpt>, relay=host[ip]:port, delay=0.12, tls=no, dsn=2.0.0, status=sent (250 ...)}.
 */
class DeliveryLogTest extends ProducerTestSupport {

    private static final String CATEGORY = "io.github.camelrelay.smtprelay.delivery";

    private LogCapture capture;

    @BeforeEach
    void capture() {
        capture = LogCapture.start();
    }

    @AfterEach
    void release() {
        capture.close();
    }

    /** The delivery lines (to=...) logged for one exchange. */
    private List<String> linesOf(Exchange exchange) {
        return capture.messages(CATEGORY).stream()
                .filter(m -> m.startsWith(exchange.getExchangeId() + ": to=<")).toList();
    }

    private String relay(String host, String ip) {
        return Pattern.quote("relay=" + host + "[" + ip + "]:" + port);
    }

    @Test
    void aDeliveredRecipientIsLoggedOnceInPostfixFormat() {
        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test"));

        assertThat(exchange.getException()).isNull();
        assertThat(linesOf(exchange)).singleElement().asString().matches(
                Pattern.quote(exchange.getExchangeId()) + ": to=<bob@example\\.test>, " + relay("mx1.example.test", MX1_IP)
                + ", delay=\\d+\\.\\d{2}, tls=no, dsn=2\\.0\\.0, status=sent \\(250 2\\.0\\.0 queued as 1\\)");
    }

    @Test
    void oneLinePerRecipientWithItsOwnOutcome() {
        mx1.rcptReply(a -> switch (a) {
            case "busy@example.test" -> "450 4.2.1 Mailbox busy";
            case "gone@example.test" -> "550-5.1.1 No such user here\r\n550 5.1.1 Check the address";
            default -> "250 2.1.5 OK";
        });

        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS,
                "ok@example.test, busy@example.test, gone@example.test"));

        List<String> lines = linesOf(exchange);
        assertThat(lines).hasSize(3);
        String prefix = Pattern.quote(exchange.getExchangeId()) + ": ";
        String common = relay("mx1.example.test", MX1_IP) + ", delay=\\d+\\.\\d{2}, tls=no, ";
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(
                prefix + "to=<ok@example\\.test>, " + common + "dsn=2\\.0\\.0, status=sent \\(250 2\\.0\\.0 queued as 1\\)"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(
                prefix + "to=<busy@example\\.test>, " + common + "dsn=4\\.2\\.1, status=deferred \\(450 4\\.2\\.1 Mailbox busy\\)"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(
                prefix + "to=<gone@example\\.test>, " + common
                + "dsn=5\\.1\\.1, status=bounced \\(550 5\\.1\\.1 No such user here 5\\.1\\.1 Check the address\\)"));
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("\n", "\r"));
    }

    @Test
    void theTlsPolicyIsShownWhenTheSessionWasEncrypted() {
        mx1.advertiseStartTls(TestCertificates.serverContext());

        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test"));

        assertThat(linesOf(exchange)).singleElement().asString().contains(", tls=opportunistic, dsn=2.0.0, status=sent (");
    }

    @Test
    void aDnsDecisionHasNoRelay() {
        dns.mx("nomail.test", 0, ".");

        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "x@nomail.test"));

        assertThat(linesOf(exchange)).singleElement().asString().matches(
                Pattern.quote(exchange.getExchangeId())
                + ": to=<x@nomail\\.test>, relay=none, delay=\\d+\\.\\d{2}, dsn=5\\.1\\.10, status=bounced \\(.*nullMX.*\\)");
    }

    @Test
    void aFailedConnectionIsLoggedAndTheDeferralNamesTheLastHostTried() {
        mx1.greeting("421 4.3.2 Too busy");

        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test"));

        assertThat(capture.messages(CATEGORY)).contains(exchange.getExchangeId() + ": connect to mx1.example.test["
                                                         + MX1_IP + "]:" + port + ": 421 4.3.2 Too busy");
        assertThat(linesOf(exchange)).singleElement().asString().matches(
                Pattern.quote(exchange.getExchangeId()) + ": to=<bob@example\\.test>, " + relay("mx1.example.test", MX1_IP)
                + ", delay=\\d+\\.\\d{2}, tls=no, dsn=4\\.3\\.2, status=deferred \\(421 4\\.3\\.2 Too busy\\)");
    }

    @Test
    void everyDeliveryAttemptIsLogged() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        mx1.rcptReply(a -> a.startsWith("busy") && tries.incrementAndGet() == 1 ? "450 4.2.1 Mailbox busy" : "250 2.1.5 OK");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().maximumRedeliveries(1).redeliveryDelay(0));
                from("direct:in").to(mxUri());
            }
        });

        Exchange exchange = template.send("direct:in", e -> {
            e.getMessage().setBody(RAW);
            e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, "ok@example.test, busy@example.test");
        });

        assertThat(exchange.getException()).isNull();
        List<String> lines = linesOf(exchange);
        assertThat(lines).hasSize(3);
        assertThat(lines.subList(0, 2)).as("first attempt").satisfiesExactlyInAnyOrder(
                l -> assertThat(l).contains("to=<ok@example.test>", "status=sent"),
                l -> assertThat(l).contains("to=<busy@example.test>", "status=deferred"));
        assertThat(lines.get(2)).as("redelivery").contains("to=<busy@example.test>", "status=sent");
    }
}
