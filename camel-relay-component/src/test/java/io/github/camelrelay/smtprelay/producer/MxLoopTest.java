package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * In MX mode an MX host at an address of this relay (one of this Camel context's smtprelay listeners, a wildcard
 * listener meaning every address of this host, or an address in ownAddresses) is never delivered to: as the best MX
 * the domain's recipients fail at once with 5.4.6, as a backup MX only the better ones are tried, as in Postfix.
 * The listeners are real ones, on 127.0.0.5 and on the wildcard address, and DNS is the test server.
 */
class MxLoopTest extends ProducerTestSupport {

    private static final String SELF_IP = "127.0.0.5";
    private static final String BETTER_IP = "127.0.0.6";
    private static final String WHOLE_MESSAGE = "From: <alice@sender.test>\r\nSubject: loop\r\n\r\nHello\r\n";

    /** The port of the listener on 127.0.0.5, free there and on 127.0.0.6 for the better MX host. */
    private final int selfPort = TestSmtpServer.freePortOnAll(SELF_IP, BETTER_IP);
    private final int wildcardPort = TestSmtpServer.freePortOnAll("0.0.0.0");
    private final AtomicInteger listened = new AtomicInteger();
    private TestSmtpServer better;

    @Override
    protected void beforeStart(CamelContext context) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtprelay:self?bindAddress=" + SELF_IP + "&port=" + selfPort + "&heloName=" + HELO)
                        .process(e -> listened.incrementAndGet());
                from("smtprelay:everywhere?bindAddress=0.0.0.0&port=" + wildcardPort + "&heloName=" + HELO)
                        .process(e -> listened.incrementAndGet());
            }
        });
    }

    @AfterEach
    void stopBetter() {
        if (better != null) {
            better.close();
        }
    }

    private Exchange sendTo(String recipient, int mxPort, String options) {
        String uri = "smtprelay:out?dnsServers=" + dns.address() + "&mxPort=" + mxPort + "&heloName=" + HELO + TIMEOUTS + options;
        return send(uri, WHOLE_MESSAGE,
                java.util.Map.of(io.github.camelrelay.smtprelay.SmtpRelayConstants.RECIPIENTS, recipient,
                        io.github.camelrelay.smtprelay.SmtpRelayConstants.ENVELOPE_FROM, "alice@sender.test"));
    }

    private void assertLoop(Exchange exchange, String domain) {
        assertThat(exchange.getException()).isInstanceOf(SmtpRelayPermanentException.class);
        RecipientStatus s = report(exchange).statuses().get(0);
        assertThat(s.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(s.enhancedStatus()).isEqualTo("5.4.6");
        assertThat(s.replyText()).isEqualTo("mail for " + domain + " loops back to myself");
        assertThat(listened).as("messages that reached this relay's own listeners").hasValue(0);
    }

    @Test
    void theBestMxAtTheListenersAddressFailsAtOnceWith546() {
        dns.mx("loop.test", 10, "self.loop.test").a("self.loop.test", SELF_IP);
        List<LogCapture.Line> lines;
        Exchange exchange;
        try (LogCapture capture = LogCapture.start()) {
            exchange = sendTo("zoe@loop.test", selfPort, "");
            lines = capture.lines();
        }

        assertLoop(exchange, "loop.test");
        assertThat(dns.queries("self.loop.test", org.xbill.DNS.Type.A)).as("the MX host was resolved").isPositive();
        assertThat(lines).anySatisfy(l -> assertThat(l.message()).contains("to=<zoe@loop.test>", "dsn=5.4.6",
                "status=bounced (mail for loop.test loops back to myself)"));
    }

    @Test
    void aWildcardListenerStandsForEveryAddressOfThisHost() {
        dns.mx("anywhere.test", 10, "mx.anywhere.test").a("mx.anywhere.test", "127.0.0.9");

        assertLoop(sendTo("zoe@anywhere.test", wildcardPort, ""), "anywhere.test");
    }

    @Test
    void asABackupMxTheRelayHandsMailOnlyToBetterOnes() {
        better = TestSmtpServer.start(BETTER_IP, selfPort);
        dns.mx("backup.test", 10, "primary.backup.test").a("primary.backup.test", BETTER_IP)
                .mx("backup.test", 20, "self.backup.test").a("self.backup.test", SELF_IP);

        Exchange delivered = sendTo("zoe@backup.test", selfPort, "");
        better.close();
        Exchange primaryDown = sendTo("zoe@backup.test", selfPort, "");

        assertThat(delivered.getException()).isNull();
        assertThat(report(delivered).statusOf("zoe@backup.test").host()).isEqualTo("primary.backup.test");
        assertThat(primaryDown.getException()).as("the primary is down: wait for it, not loop")
                .isInstanceOf(SmtpRelayTransientException.class);
        assertThat(report(primaryDown).statusOf("zoe@backup.test").enhancedStatus()).startsWith("4.");
        assertThat(listened).hasValue(0);
    }

    @Test
    void anMxAtAConfiguredOwnAddressIsThisRelayAtAnyPort() {
        // the public address of a NAT in front of this relay, which has no listener of its own there
        dns.mx("nat.test", 10, "mx.nat.test").a("mx.nat.test", "127.0.0.7");

        assertLoop(sendTo("zoe@nat.test", port, "&ownAddresses=192.0.2.0/24, 127.0.0.7"), "nat.test");
        assertThat(mx1.connections() + mx2.connections()).isZero();
    }

    @Test
    void anotherPortAtTheListenersAddressIsNotThisRelay() {
        int otherPort = TestSmtpServer.freePortOnAll(SELF_IP);
        better = TestSmtpServer.start(SELF_IP, otherPort);
        dns.mx("other-port.test", 10, "mx.other-port.test").a("mx.other-port.test", SELF_IP);

        Exchange exchange = sendTo("zoe@other-port.test", otherPort, "");

        assertThat(exchange.getException()).isNull();
        assertThat(better.awaitMessage(WAIT).recipients()).containsExactly("zoe@other-port.test");
        assertThat(listened).hasValue(0);
    }
}
