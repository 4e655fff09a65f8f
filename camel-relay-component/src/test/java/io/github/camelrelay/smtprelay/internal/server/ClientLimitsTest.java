package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.smtprelay.auth.SmtpRelayAuthenticator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 items 3 to 5 over real sockets: empty credentials never reach the authenticator, the per-client limits
 * count a client's network and not its address, AUTH is checked against the throttle once its credentials are in,
 * and trusted clients (the relay networks) are not held to the per-client connection limit.
 */
class ClientLimitsTest {

    private RelayFixture relay;
    private final ExecutorService clients = Executors.newFixedThreadPool(20);

    @AfterEach
    void stop() {
        clients.shutdownNow();
        if (relay != null) {
            relay.close();
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** An authenticator that says yes to anything, as an LDAP server does to a bind with an empty password. */
    private static RelayFixture withAuthenticator(String options, AtomicInteger calls, boolean answer) {
        return RelayFixture.start("allowAuthWithoutTls=true&authFailureDelay=0&" + options, ctx -> ctx.getRegistry()
                .bind("auth", (SmtpRelayAuthenticator) (user, password) -> {
                    calls.incrementAndGet();
                    return answer;
                }));
    }

    @Test
    void anEmptyUserOrPasswordIsRefusedWith535BeforeTheAuthenticatorIsCalled() {
        AtomicInteger calls = new AtomicInteger();
        relay = withAuthenticator("maxAuthFailures=10&maxAuthFailuresPerClient=10", calls, true);
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + b64("\0alice\0")).text()).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(c.send("AUTH PLAIN " + b64("\0\0secret")).text()).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(c.send("AUTH LOGIN").code()).isEqualTo(334);
            assertThat(c.send(b64("alice")).code()).isEqualTo(334);
            assertThat(c.send("=").text()).as("empty password").isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(calls.get()).isZero();
            assertThat(c.send("AUTH PLAIN " + b64("\0alice\0secret")).code()).isEqualTo(235);
            assertThat(calls.get()).isEqualTo(1);
        }
    }

    @Test
    void failedAuthIsCountedPerNetworkAndCheckedAgainOnceTheCredentialsAreIn() {
        AtomicInteger calls = new AtomicInteger();
        relay = withAuthenticator("clientIpv4PrefixLength=24&maxAuthFailures=1&maxAuthFailuresPerClient=2", calls, false);
        String wrong = "AUTH PLAIN " + b64("\0alice\0wrong");
        try (SmtpTestClient waiting = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.5")) {
            waiting.ehlo("client.test");
            // before the network is locked out: the challenge is sent, the credentials come later
            assertThat(waiting.send("AUTH PLAIN").text()).isEqualTo("334 ");
            for (String source : List.of("127.0.0.2", "127.0.0.3")) {
                try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), source)) {
                    c.ehlo("client.test");
                    assertThat(c.send(wrong).code()).as("from %s", source).isEqualTo(421);
                }
            }
            assertThat(calls.get()).isEqualTo(2);
            // another address of the same /24 is locked out too
            try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.4")) {
                c.ehlo("client.test");
                assertThat(c.send(wrong).text()).isEqualTo("421 4.7.0 Too many failed authentication attempts from 127.0.0.4,"
                                                           + " try again later");
            }
            // the credentials that arrive now are not hashed
            assertThat(waiting.send(b64("\0alice\0guess")).text())
                    .isEqualTo("421 4.7.0 Too many failed authentication attempts from 127.0.0.5, try again later");
            assertThat(calls.get()).isEqualTo(2);
        }
        // a network outside the /24 is not affected
        try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.1.2")) {
            c.ehlo("client.test");
            assertThat(c.send(wrong).text()).startsWith("421 4.7.8 Authentication credentials invalid");
        }
    }

    @Test
    void theConnectionLimitPerClientCountsTheClientsNetwork() {
        relay = RelayFixture.start("relayNetworks=127.0.0.1/32&clientIpv4PrefixLength=24&maxConnectionsPerClient=2");
        try (SmtpTestClient a = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.2");
             SmtpTestClient b = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.3");
             SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.4")) {
            assertThat(a.greeting().code()).isEqualTo(220);
            assertThat(b.greeting().code()).isEqualTo(220);
            assertThat(c.greeting().text()).isEqualTo("421 4.7.0 Too many connections from 127.0.0.4, try again later");
        }
    }

    @Test
    void ipv6ClientsAreCountedByTheirSlash64AndIpv4ByAddressByDefault() throws Exception {
        ClientKeys keys = ClientKeys.DEFAULT;
        assertThat(keys.of(InetAddress.getByName("2001:db8:1:2::1")))
                .isEqualTo(keys.of(InetAddress.getByName("2001:db8:1:2:ffff:ffff:ffff:ffff")))
                .isNotEqualTo(keys.of(InetAddress.getByName("2001:db8:1:3::1")));
        assertThat(keys.of(InetAddress.getByName("192.0.2.1"))).isNotEqualTo(keys.of(InetAddress.getByName("192.0.2.2")));
        assertThat(keys.of(InetAddress.getByName("::ffff:192.0.2.1"))).isEqualTo(keys.of(InetAddress.getByName("192.0.2.1")));
    }

    /** One whole session with one message; the first reply that is not the expected one is returned. */
    private static String session(int port, int n) {
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            if (c.greeting().code() != 220) {
                return c.greeting().text();
            }
            c.ehlo("client" + n + ".test");
            for (String line : List.of("MAIL FROM:<a@client.test>", "RCPT TO:<b@example.net>")) {
                SmtpTestClient.Reply r = c.send(line);
                if (r.code() != 250) {
                    return r.text();
                }
            }
            if (c.send("DATA").code() != 354) {
                return "no 354";
            }
            c.write("Subject: " + n + "\r\n\r\n" + ("x".repeat(78) + "\r\n").repeat(50) + ".\r\n");
            SmtpTestClient.Reply r = c.reply();
            if (r.code() != 250) {
                return r.text();
            }
            return c.send("QUIT").code() == 221 ? "ok" : "no 221";
        }
    }

    private List<String> concurrentSessions(int sessions, int rounds) throws Exception {
        CyclicBarrier start = new CyclicBarrier(sessions);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            int n = i;
            Callable<List<String>> task = () -> {
                start.await(10, TimeUnit.SECONDS);
                List<String> outcomes = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    outcomes.add(session(relay.port(), n * rounds + r));
                }
                return outcomes;
            };
            results.add(clients.submit(task));
        }
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : results) {
            all.addAll(f.get(120, TimeUnit.SECONDS));
        }
        return all;
    }

    @Test
    void twentyConcurrentSessionsFromLoopbackAreAllAcceptedWithTheDefaults() throws Exception {
        relay = RelayFixture.start("");
        List<String> outcomes = concurrentSessions(20, 10);
        assertThat(outcomes).hasSize(200).containsOnly("ok");
        assertThat(relay.pending()).isEqualTo(200);
    }

    @Test
    void theRelayNetworksAreNotHeldToThePerClientLimitUnlessConfigured() throws Exception {
        relay = RelayFixture.start("maxConnectionsPerClient=2");
        List<String> outcomes = concurrentSessions(20, 3);
        assertThat(outcomes).hasSize(60).containsOnly("ok");
        relay.close();

        relay = RelayFixture.start("maxConnectionsPerClient=2&clientLimitExceptions=");
        try (SmtpTestClient a = SmtpTestClient.connect(relay.port());
             SmtpTestClient b = SmtpTestClient.connect(relay.port());
             SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(a.greeting().code()).isEqualTo(220);
            assertThat(b.greeting().code()).isEqualTo(220);
            assertThat(c.greeting().text()).isEqualTo("421 4.7.0 Too many connections from 127.0.0.1, try again later");
        }
    }
}
