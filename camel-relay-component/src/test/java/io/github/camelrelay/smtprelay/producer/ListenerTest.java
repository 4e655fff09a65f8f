package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * A SmtpRelayListener bean in the registry is used without being named in the URI, and is told about MX
 * resolution, connections, every command (AUTH masked) and reply, each transaction, and disconnections.
 */
class ListenerTest extends ProducerTestSupport {

    private final RecordingListener listener = new RecordingListener();

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("anyName", listener);
    }

    @Test
    void theRegistryBeanIsAutowired() {
        assertThat(context.getEndpoint(mxUri(), SmtpRelayEndpoint.class).getConfiguration().getListener()).isSameAs(listener);
    }

    @Test
    void everyEventOfAnMxDeliveryInOrder() {
        String uri = mxUri("&connectionIdleTimeout=0");

        Exchange exchange = send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test, gone@example.test"));

        String host = "mx1.example.test";
        await().atMost(WAIT).untilAsserted(() -> assertThat(listener.startingWith("disconnected")).isNotEmpty());
        List<String> events = listener.events;
        assertThat(events).containsSubsequence(
                "mx example.test [mx1.example.test]",
                "reply " + host + " 220 mx.test ESMTP",
                "command " + host + " EHLO " + HELO,
                "connected " + host + " " + MX1_IP + ":" + port + " tls=false",
                // pipelined (RFC 2920): the envelope and DATA go out before any of their replies is read
                "command " + host + " RCPT TO:<bob@example.test>",
                "command " + host + " RCPT TO:<gone@example.test>",
                "command " + host + " DATA",
                "reply " + host + " 250 2.1.0 OK",
                "reply " + host + " 250 2.1.5 OK",
                "reply " + host + " 250 2.1.5 OK",
                "reply " + host + " 354 End data with <CR><LF>.<CR><LF>",
                "command " + host + " .",
                "reply " + host + " 250 2.0.0 queued as 1",
                "relayed " + host + " 2",
                "disconnected " + host + " " + MX1_IP + ":" + port,
                "completed test 2 elapsed>=0:true");
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith("command " + host + " MAIL FROM:<alice@sender.test>"));
        assertThat(listener.relayed).singleElement().satisfies(r -> {
            assertThat(r.statuses()).hasSize(2);
            assertThat(r.allDelivered()).isTrue();
        });
        assertThat(report(exchange).allDelivered()).isTrue();
    }

    @Test
    void aRefusedRecipientIsNotInTheRelayedTransaction() {
        mx1.rcptReply(a -> a.startsWith("gone") ? "550 5.1.1 No such user" : "250 2.1.5 OK");

        send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test, gone@example.test"));

        assertThat(listener.events).contains("reply mx1.example.test 550 5.1.1 No such user");
        assertThat(listener.relayed).singleElement().satisfies(r -> {
            assertThat(r.recipients(Outcome.DELIVERED)).extracting(Object::toString).containsExactly("bob@example.test");
            assertThat(r.statuses()).hasSize(1);
        });
    }

    @Test
    void startTlsAndMaskedAuthAtARelayHost() {
        mx2.advertiseStartTls(TestCertificates.serverContext()).requireAuth("user", "topsecret");

        Exchange exchange = send(relayUri(MX2_IP, "&username=user&password=topsecret&tls=REQUIRED&allowAuthWithoutVerifiedTls=true"), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(listener.events).containsSubsequence(
                "connected " + MX2_IP + " " + MX2_IP + ":" + port + " tls=true",
                "command " + MX2_IP + " MAIL FROM:<alice@sender.test> SIZE=" + mx2.awaitMessage(WAIT).data().length + " BODY=8BITMIME");
        assertThat(listener.events).containsSubsequence(
                "command " + MX2_IP + " STARTTLS",
                "reply " + MX2_IP + " 220 2.0.0 Ready to start TLS",
                "command " + MX2_IP + " AUTH PLAIN ****",
                "reply " + MX2_IP + " 235 2.7.0 Authentication successful");
        assertThat(listener.events).noneMatch(e -> e.contains("topsecret"))
                .noneMatch(e -> e.startsWith("mx "));
    }

    @Test
    void deliveryCompletedOncePerAttempt() {
        mx1.rcptReply(a -> a.startsWith("busy") ? "450 4.2.1 busy" : "250 2.1.5 OK");

        send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test, busy@example.test"));
        send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test"));

        assertThat(listener.startingWith("completed")).containsExactly("completed test 2 elapsed>=0:true",
                "completed test 1 elapsed>=0:true");
    }

    @Test
    void everyListenerBeanIsCalledAndOneThatThrowsChangesNothing() {
        RecordingListener second = new RecordingListener();
        context.getRegistry().bind("second", second);
        context.getRegistry().bind("broken", new io.github.camelrelay.smtprelay.SmtpRelayListener() {
            @Override
            public void connected(String host, java.net.InetSocketAddress address, boolean tls) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void commandSent(String host, String command) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void replyReceived(String host, int code, String text) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void messageRelayed(String host, io.github.camelrelay.smtprelay.report.DeliveryReport transaction) {
                throw new IllegalStateException("listener bug");
            }
        });

        Exchange exchange = send(mxUri(), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(report(exchange).allDelivered()).isTrue();
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertThat(mx1.messages()).as("exactly one copy").hasSize(1);
        for (RecordingListener l : List.of(listener, second)) {
            assertThat(l.startingWith("relayed")).containsExactly("relayed mx1.example.test 2");
            assertThat(l.startingWith("command mx1.example.test RCPT")).hasSize(2);
        }
    }

    @Test
    void closingTheEndpointDisconnectsPooledConnections() {
        assertThat(send(mxUri(), RAW).getException()).isNull();
        assertThat(listener.startingWith("disconnected")).as("the connection stays pooled").isEmpty();

        context.stop();

        assertThat(listener.startingWith("disconnected")).containsExactly("disconnected mx1.example.test " + MX1_IP + ":" + port);
        await().atMost(WAIT).untilAsserted(() -> assertThat(mx1.openConnections()).isZero());
    }
}
