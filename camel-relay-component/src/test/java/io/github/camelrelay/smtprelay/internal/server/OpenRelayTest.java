package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.auth.PasswordHash;
import io.github.camelrelay.smtprelay.internal.server.SmtpTestClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listener is never an open relay: nmap's smtp-open-relay checks, run the way nmap runs them (one session, RSET,
 * MAIL FROM, RCPT TO), all fail for a client that may not relay, while plain mail to a local domain still gets
 * through and trusted networks and authenticated users may relay.
 */
class OpenRelayTest {

    private static final String SERVER = "mx.relay.test";
    private static final String UNTRUSTED = "127.0.0.3";
    private static final String TRUSTED = "127.0.0.2";

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    /** One nmap case: the sender, the recipient, and the reply code this listener gives. */
    private record Case(String from, String to, int expected) {
    }

    /** nmap's 16 combinations (scripts/smtp-open-relay.nse), with srvname from our greeting and ip the listener's. */
    private static List<Case> nmapCases(String srvname, String ip) {
        String domain = "nmap.scanme.org";
        String from = "antispam";
        String to = "relaytest";
        return List.of(
                new Case("", to + "@" + domain, 554),
                new Case(from + "@" + domain, to + "@" + domain, 554),
                new Case(from + "@" + srvname, to + "@" + domain, 554),
                new Case(from + "@[" + ip + "]", to + "@" + domain, 554),
                new Case(from + "@[" + ip + "]", to + "%" + domain + "@[" + ip + "]", 554),
                new Case(from + "@[" + ip + "]", to + "%" + domain + "@" + srvname, 554),
                new Case(from + "@[" + ip + "]", "\"" + to + "@" + domain + "\"", 501),
                new Case(from + "@[" + ip + "]", "\"" + to + "%" + domain + "\"", 501),
                new Case(from + "@[" + ip + "]", to + "@" + domain + "@[" + ip + "]", 501),
                new Case(from + "@[" + ip + "]", "\"" + to + "@" + domain + "\"@[" + ip + "]", 554),
                new Case(from + "@[" + ip + "]", to + "@" + domain + "@" + srvname, 501),
                new Case(from + "@[" + ip + "]", "@[" + ip + "]:" + to + "@" + domain, 501),
                new Case(from + "@[" + ip + "]", "@" + srvname + ":" + to + "@" + domain, 501),
                new Case(from + "@[" + ip + "]", domain + "!" + to, 501),
                new Case(from + "@[" + ip + "]", domain + "!" + to + "@[" + ip + "]", 554),
                new Case(from + "@[" + ip + "]", domain + "!" + to + "@" + srvname, 554));
    }

    @Test
    void allSixteenNmapOpenRelayChecksAreRefusedWhenTheServerNameIsALocalDomain() {
        relay = RelayFixture.start("heloName=" + SERVER + "&relayNetworks=" + TRUSTED + "/32&localDomains=" + SERVER);
        runNmapChecks("127.0.0.1");
    }

    @Test
    void allSixteenNmapOpenRelayChecksAreRefusedWhenTheIpLiteralIsALocalDomainToo() {
        relay = RelayFixture.start("heloName=" + SERVER + "&relayNetworks=" + TRUSTED + "/32&localDomains=" + SERVER
                                   + ",[127.0.0.1]");
        runNmapChecks("127.0.0.1");
        try (SmtpTestClient c = session(UNTRUSTED)) {
            assertThat(c.send("RCPT TO:<relaytest@[127.0.0.1]>").code()).as("plain mail to the local literal").isEqualTo(250);
        }
    }

    private SmtpTestClient session(String from) {
        SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), from);
        c.ehlo("nmap.scanme.org");
        assertThat(c.send("MAIL FROM:<antispam@nmap.scanme.org>").code()).isEqualTo(250);
        return c;
    }

    private void runNmapChecks(String ip) {
        try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), UNTRUSTED)) {
            // nmap takes the server name from the greeting the same way
            Matcher m = Pattern.compile("\\d+\\s([\\w]+[\\w.-]*)").matcher(c.greeting().text());
            assertThat(m.find()).isTrue();
            String srvname = m.group(1);
            assertThat(srvname).isEqualTo(SERVER);
            c.ehlo("nmap.scanme.org");
            List<String> relayed = new ArrayList<>();
            List<String> unexpected = new ArrayList<>();
            for (Case t : nmapCases(srvname, ip)) {
                assertThat(c.send("RSET").code()).isEqualTo(250);
                Reply mail = c.send("MAIL FROM:<" + t.from() + ">");
                assertThat(mail.code()).as("MAIL FROM:<%s> must be accepted so RCPT is tested", t.from()).isEqualTo(250);
                Reply rcpt = c.send("RCPT TO:<" + t.to() + ">");
                if (rcpt.code() < 400) {
                    relayed.add(t.to());
                } else if (rcpt.code() != t.expected()) {
                    unexpected.add(t.to() + " -> " + rcpt);
                }
                if (rcpt.code() == 554) {
                    assertThat(rcpt.text()).isEqualTo("554 5.7.1 <" + t.to() + ">: Relay access denied");
                }
                if (rcpt.code() == 501) {
                    assertThat(rcpt.text()).startsWith("501 5.1.3 ");
                }
            }
            assertThat(relayed).as("recipients accepted from a client that may not relay").isEmpty();
            assertThat(unexpected).as("refused with another code than expected").isEmpty();
            // the session is still usable and plain local mail is taken: the checks did not just refuse everything
            assertThat(c.send("RSET").code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<antispam@nmap.scanme.org>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<relaytest@" + SERVER + ">").code()).isEqualTo(250);
        }
    }

    @Test
    void localDomainsMatchInCanonicalFormOnly() {
        relay = RelayFixture.start("relayNetworks=&localDomains=Local.Test.");
        try (SmtpTestClient c = session(UNTRUSTED)) {
            assertThat(c.send("RCPT TO:<User@LOCAL.test.>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<user@sub.local.test>").code()).isEqualTo(554);
            assertThat(c.send("RCPT TO:<user@local.test.evil.example>").code()).isEqualTo(554);
            assertThat(c.send("RCPT TO:<user@local.test..>").code()).isEqualTo(501);
            assertThat(c.send("RCPT TO:<user%evil.example@local.test>").code()).isEqualTo(554);
            assertThat(c.send("RCPT TO:<\"user@evil.example\"@local.test>").code()).isEqualTo(554);
            assertThat(c.send("RCPT TO:<postmaster>").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: t\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(relay.next().header(SmtpRelayConstants.RECIPIENTS)).isEqualTo(List.of("User@local.test", "postmaster@local.test"));
    }

    @Test
    void clientsInRelayNetworksMayRelayAndOthersMayNot() {
        relay = RelayFixture.start("relayNetworks=10.0.0.0/8," + TRUSTED + "/32,2001:db8::/32&localDomains=local.test");
        try (SmtpTestClient trusted = session(TRUSTED); SmtpTestClient other = session(UNTRUSTED)) {
            assertThat(trusted.send("RCPT TO:<relaytest@nmap.scanme.org>").code()).isEqualTo(250);
            // even a trusted client gets no mangled addresses through
            assertThat(trusted.send("RCPT TO:<@a.example:relaytest@nmap.scanme.org>").code()).isEqualTo(501);
            assertThat(other.send("RCPT TO:<relaytest@nmap.scanme.org>").text())
                    .isEqualTo("554 5.7.1 <relaytest@nmap.scanme.org>: Relay access denied");
        }
    }

    @Test
    void theDefaultRelayNetworksAreTheLoopbackAddresses() {
        relay = RelayFixture.start("");
        try (SmtpTestClient c = session(UNTRUSTED)) {
            assertThat(c.send("RCPT TO:<relaytest@nmap.scanme.org>").code()).isEqualTo(250);
        }
    }

    @Test
    void relayNetworksMatchIpv6Clients() throws Exception {
        assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback on this machine");
        relay = RelayFixture.start("bindAddress=::1&relayNetworks=::1/128");
        try (SmtpTestClient c = SmtpTestClient.connect("::1", relay.port(), null)) {
            c.ehlo("v6.example");
            c.send("MAIL FROM:<a@v6.example>");
            assertThat(c.send("RCPT TO:<relaytest@nmap.scanme.org>").code()).isEqualTo(250);
        }
        relay.close();
        relay = RelayFixture.start("bindAddress=::1&relayNetworks=127.0.0.0/8,2001:db8::/32");
        try (SmtpTestClient c = SmtpTestClient.connect("::1", relay.port(), null)) {
            c.ehlo("v6.example");
            c.send("MAIL FROM:<a@v6.example>");
            assertThat(c.send("RCPT TO:<relaytest@nmap.scanme.org>").code()).isEqualTo(554);
        }
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return s.getLocalPort() > 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void authenticatedUsersMayRelayAndTheSameRecipientIsRefusedBeforeAuth() {
        String hash = PasswordHash.of("pw-of-bob", 1000).toString();
        relay = RelayFixture.start("relayNetworks=&allowAuthWithoutTls=true&users=bob:" + hash);
        try (SmtpTestClient c = session(UNTRUSTED)) {
            assertThat(c.send("RCPT TO:<relaytest@nmap.scanme.org>").code()).isEqualTo(554);
            c.send("RSET");
            String plain = Base64.getEncoder().encodeToString("\0bob\0pw-of-bob".getBytes());
            assertThat(c.send("AUTH PLAIN " + plain).text()).isEqualTo("235 2.7.0 Authentication successful");
            assertThat(c.send("MAIL FROM:<bob@example.org>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<relaytest@nmap.scanme.org>").code()).isEqualTo(250);
            // authentication does not make mangled addresses acceptable
            assertThat(c.send("RCPT TO:<relaytest@nmap.scanme.org@other.example>").code()).isEqualTo(501);
        }
    }
}
