package io.github.camelrelay.smtprelay.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Proves the test servers behave as the component tests rely on, before anything is blamed on the component. */
class TestSupportSelfTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestDnsServer dns;
    private TestSmtpServer smtp;

    @BeforeEach
    void startDns() {
        dns = TestDnsServer.start();
    }

    @AfterEach
    void stopServers() {
        dns.close();
        if (smtp != null) {
            smtp.close();
        }
    }

    // ------------------------------------------------------------------ DNS

    @Test
    void dnsAnswersMxOverUdpAuthoritativelyWithTheConfiguredTtl() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test", 120).mx("Example.Test.", 20, "mx2.example.test");

        Message query = Message.newQuery(Record.newRecord(Name.fromString("EXAMPLE.test."), Type.MX, DClass.IN));
        Message answer = resolver(false).send(query);

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answer.getHeader().getID()).isEqualTo(query.getHeader().getID());
        assertThat(answer.getQuestion().getName()).isEqualTo(Name.fromString("example.test."));
        assertThat(answer.getSection(Section.ANSWER)).hasSize(2)
                .allSatisfy(r -> assertThat(r).isInstanceOf(MXRecord.class));
        MXRecord first = (MXRecord) answer.getSection(Section.ANSWER).get(0);
        assertThat(first.getPriority()).isEqualTo(10);
        assertThat(first.getTarget()).isEqualTo(Name.fromString("mx1.example.test."));
        assertThat(first.getTTL()).isEqualTo(120);
        assertThat(answer.getSection(Section.ANSWER).get(1).getTTL()).isEqualTo(300);
        assertThat(dns.queries()).isEqualTo(1);
        assertThat(dns.queries("example.test", Type.MX)).isEqualTo(1);
        assertThat(dns.queries("example.test.", Type.A)).isZero();
        assertThat(dns.tcpQueries()).isZero();
        assertThat(dns.address()).isEqualTo("127.0.0.1:" + dns.port());
    }

    @Test
    void dnsServesSeveralQueriesOverTcp() throws Exception {
        dns.a("mx1.example.test", "127.0.0.2", 30).aaaa("mx1.example.test", "::1");
        SimpleResolver tcp = resolver(true);

        Message a = tcp.send(query("mx1.example.test", Type.A));
        Message aaaa = tcp.send(query("MX1.example.test", Type.AAAA));

        assertThat(a.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("127.0.0.2"))
                .satisfies(r -> assertThat(r.getTTL()).isEqualTo(30));
        assertThat(aaaa.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(r.getType()).isEqualTo(Type.AAAA));
        assertThat(dns.tcpQueries()).isEqualTo(2);
        assertThat(dns.queries("mx1.example.test", Type.AAAA)).isEqualTo(1);
    }

    @Test
    void truncatedUdpAnswerMakesTheResolverRetryOverTcp() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test").truncateUdp(true);

        Message answer = resolver(false).send(query("example.test", Type.MX));

        assertThat(answer.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(answer.getSection(Section.ANSWER)).hasSize(1);
        assertThat(dns.queries()).isEqualTo(2);
        assertThat(dns.tcpQueries()).isEqualTo(1);
    }

    @Test
    void dnsNegativeAnswersCarryAnSoaForNegativeCaching() throws Exception {
        dns.a("mx1.example.test", "127.0.0.2").nxdomain("gone.example.test").mx("gone.example.test", 1, "x.test");
        SimpleResolver udp = resolver(false);

        Message unknown = udp.send(query("nowhere.example.test", Type.MX));
        Message explicit = udp.send(query("gone.example.test", Type.MX));
        Message nodata = udp.send(query("mx1.example.test", Type.MX));

        assertThat(unknown.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(explicit.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        for (Message negative : List.of(unknown, explicit, nodata)) {
            assertThat(negative.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(negative.getSection(Section.AUTHORITY)).singleElement().satisfies(r -> {
                SOARecord soa = (SOARecord) r;
                assertThat(soa.getMinimum()).isEqualTo(60);
                assertThat(soa.getName()).isEqualTo(Name.fromString("example.test."));
            });
        }
    }

    @Test
    void dnsServfailDropNullMxAndCounterReset() throws Exception {
        dns.servfail("broken.test").drop("silent.test").mx("nomail.test", 0, ".");
        SimpleResolver udp = resolver(false);
        udp.setTimeout(Duration.ofMillis(300));

        assertThat(udp.send(query("broken.test", Type.MX)).getRcode()).isEqualTo(Rcode.SERVFAIL);
        Message nullMx = udp.send(query("nomail.test", Type.MX));
        assertThat(((MXRecord) nullMx.getSection(Section.ANSWER).get(0)).getTarget()).isEqualTo(Name.root);
        assertThatThrownBy(() -> udp.send(query("silent.test", Type.MX))).isInstanceOf(IOException.class);
        assertThat(dns.queries("silent.test", Type.MX)).isPositive();

        dns.resetCounters();
        assertThat(dns.queries()).isZero();
        dns.remove("broken.test").a("broken.test", "127.0.0.9");
        assertThat(udp.send(query("broken.test", Type.A)).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(dns.queries("broken.test", Type.A)).isEqualTo(1);
    }

    // ------------------------------------------------------------------ SMTP

    @Test
    void smtpRecordsAcceptedRecipientsAndUnstuffedData() throws Exception {
        smtp = TestSmtpServer.start("127.0.0.1", 0)
                .rcptReply(address -> address.startsWith("bad") ? "550 5.1.1 No such user" : "250 2.1.5 OK");

        try (RawClient client = RawClient.connect(smtp)) {
            assertThat(client.reply()).isEqualTo("220 mx.test ESMTP");
            String ehlo = client.send("EHLO client.test");
            assertThat(ehlo).contains("250-PIPELINING", "250-8BITMIME", "SIZE 52428800", "ENHANCEDSTATUSCODES")
                    .doesNotContain("STARTTLS", "AUTH");
            assertThat(client.send("DATA")).startsWith("503");
            assertThat(client.send("MAIL FROM:<sender@example.org> SIZE=100")).startsWith("250 2.1.0");
            assertThat(client.send("DATA")).startsWith("554 5.5.1");
            assertThat(client.send("RCPT TO:<good@example.test>")).isEqualTo("250 2.1.5 OK");
            assertThat(client.send("RCPT TO:<bad@example.test>")).isEqualTo("550 5.1.1 No such user");
            assertThat(client.send("DATA")).startsWith("354");
            client.write("Subject: dots\r\n\r\n..leading dot\r\n...\r\nend\r\n.\r\n");
            assertThat(client.reply()).isEqualTo("250 2.0.0 queued as 1");
            assertThat(client.send("RSET")).startsWith("250");
            assertThat(client.send("NOOP")).startsWith("250");
            assertThat(client.send("VRFY x")).startsWith("502");
            assertThat(client.send("QUIT")).startsWith("221");
        }

        TestSmtpServer.Received received = smtp.awaitMessage(WAIT);
        assertThat(received.mailFrom()).isEqualTo("sender@example.org");
        assertThat(received.recipients()).containsExactly("good@example.test");
        assertThat(received.text()).isEqualTo("Subject: dots\r\n\r\n.leading dot\r\n..\r\nend\r\n");
        assertThat(received.tls()).isFalse();
        assertThat(received.authUser()).isNull();
        assertThat(received.helo()).isEqualTo("client.test");
        assertThat(received.ehloOrHelo()).isEqualTo("EHLO");
        assertThat(received.connectionNumber()).isEqualTo(1);
        assertThat(smtp.rsetCount()).isEqualTo(1);
        assertThat(smtp.commands()).startsWith("EHLO client.test", "DATA", "MAIL FROM:<sender@example.org> SIZE=100")
                .contains("RCPT TO:<bad@example.test>").endsWith("QUIT");
        await().atMost(WAIT).until(() -> smtp.openConnections() == 0);
    }

    @Test
    void smtpPipeliningRecipientLimitNullSenderAndFailingDataReply() throws Exception {
        smtp = TestSmtpServer.start("127.0.0.1", 0).maxRecipientsPerTransaction(2)
                .dataReply(n -> n == 1 ? "451 4.3.0 try again" : "250 2.0.0 queued as " + n).closeAfterData(true);

        try (RawClient client = RawClient.connect(smtp)) {
            client.reply();
            client.send("HELO old.client");
            client.write("MAIL FROM:<>\r\nRCPT TO:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n");
            assertThat(List.of(client.reply(), client.reply(), client.reply(), client.reply(), client.reply()))
                    .containsExactly("250 2.1.0 OK", "250 2.1.5 OK", "250 2.1.5 OK", "452 4.5.3 Too many recipients",
                            "354 End data with <CR><LF>.<CR><LF>");
            client.write("first\r\n.\r\n");
            assertThat(client.reply()).isEqualTo("451 4.3.0 try again");
            assertThat(client.reply()).as("closed after DATA").isNull();
        }
        try (RawClient client = RawClient.connect(smtp)) {
            client.reply();
            client.send("EHLO again");
            client.write("MAIL FROM:<>\r\nRCPT TO:<a@x.test>\r\nDATA\r\n");
            client.reply();
            client.reply();
            client.reply();
            client.write("second\r\n.\r\n");
            assertThat(client.reply()).isEqualTo("250 2.0.0 queued as 2");
        }

        TestSmtpServer.Received received = smtp.awaitMessage(WAIT);
        assertThat(received.mailFrom()).isEmpty();
        assertThat(received.text()).isEqualTo("second\r\n");
        assertThat(received.connectionNumber()).isEqualTo(2);
        assertThat(smtp.messages()).containsExactly(received);
        assertThat(smtp.connections()).isEqualTo(2);
    }

    @Test
    void smtpGreetingFailureEhloFailureAndTarpitOnSharedPort() throws Exception {
        int port = TestSmtpServer.freePortOnAll("127.0.0.2", "127.0.0.3");
        smtp = TestSmtpServer.start("127.0.0.2", port).greeting("421 4.3.2 busy");
        try (TestSmtpServer second = TestSmtpServer.start("127.0.0.3", port)) {
            assertThat(second.host()).isEqualTo("127.0.0.3");
            assertThat(second.port()).isEqualTo(smtp.port());

            try (RawClient client = RawClient.connect(smtp)) {
                assertThat(client.reply()).isEqualTo("421 4.3.2 busy");
                assertThat(client.reply()).isNull();
            }

            second.ehloReply("451 4.3.0 try later");
            try (RawClient client = RawClient.connect(second)) {
                client.reply();
                assertThat(client.send("EHLO c")).isEqualTo("451 4.3.0 try later");
                assertThat(client.send("HELO c")).isEqualTo("250 mx.test");
                second.heloFailsToo(true);
                assertThat(client.send("HELO c")).isEqualTo("451 4.3.0 try later");
            }

            second.tarpit(true);
            try (RawClient client = RawClient.connect(second)) {
                client.socket.setSoTimeout(300);
                assertThatThrownBy(client::reply).isInstanceOf(SocketTimeoutException.class);
                await().atMost(WAIT).until(() -> second.connections() == 2);
            }
        }
    }

    @Test
    void smtpStartTlsThenAuthWithARawClient() throws Exception {
        smtp = TestSmtpServer.start("127.0.0.2", 0).advertiseStartTls(TestCertificates.serverContext())
                .requireAuth("user", "secret");

        try (RawClient client = RawClient.connect(smtp)) {
            client.reply();
            assertThat(client.send("EHLO c")).contains("250 STARTTLS").doesNotContain("AUTH");
            assertThat(client.send("MAIL FROM:<a@b.test>")).startsWith("530 5.7.0");
            // NOOP is pipelined in plaintext after STARTTLS: the server must discard it
            client.write("STARTTLS\r\nNOOP\r\n");
            assertThat(client.reply()).startsWith("220");
            client.startTls("127.0.0.2");

            assertThat(client.send("MAIL FROM:<a@b.test>")).as("EHLO state after TLS").startsWith("503");
            assertThat(client.send("EHLO c")).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(client.send("AUTH PLAIN " + base64("\0user\0wrong"))).isEqualTo(
                    "535 5.7.8 Authentication credentials invalid");
            assertThat(client.send("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
            assertThat(client.send(base64("user"))).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(client.send(base64("secret"))).startsWith("235");
            client.send("MAIL FROM:<a@b.test>");
            client.send("RCPT TO:<c@d.test>");
            client.send("DATA");
            client.write("hello\r\n.\r\n");
            assertThat(client.reply()).startsWith("250");
        }

        TestSmtpServer.Received received = smtp.awaitMessage(WAIT);
        assertThat(received.tls()).isTrue();
        assertThat(received.authUser()).isEqualTo("user");
        assertThat(smtp.commands()).doesNotContain("NOOP").contains("AUTH ***")
                .noneMatch(line -> line.contains(base64("secret")) || line.contains(base64("user")));
    }

    @Test
    void smtpBearerAuthWithARawClient() throws Exception {
        smtp = TestSmtpServer.start("127.0.0.2", 0).requireBearer("user@example.test", "good-token"::equals);

        try (RawClient client = RawClient.connect(smtp)) {
            client.reply();
            assertThat(client.send("EHLO c")).contains("250 AUTH XOAUTH2 OAUTHBEARER");
            assertThat(client.send("AUTH PLAIN " + base64("\0user\0secret"))).startsWith("504");
            assertThat(client.send("AUTH XOAUTH2 " + base64("user=user@example.test\u0001auth=Bearer bad-token\u0001\u0001")))
                    .startsWith("334 ").satisfies(r -> assertThat(new String(Base64.getDecoder().decode(r.substring(4)),
                            StandardCharsets.UTF_8)).contains("\"status\":\"401\""));
            assertThat(client.send("")).isEqualTo("535 5.7.8 Username and Password not accepted");
            assertThat(client.send("AUTH OAUTHBEARER " + base64("n,a=user@example.test,\u0001auth=Bearer bad-token\u0001\u0001")))
                    .startsWith("334 ");
            assertThat(client.send("")).as("OAUTHBEARER's error is answered with %x01").startsWith("501 5.5.2 Expected 'AQ=='");
            assertThat(client.send("AUTH XOAUTH2 " + "A".repeat(500))).isEqualTo("500 5.5.2 Line too long");
            assertThat(client.send("MAIL FROM:<a@b.test>")).startsWith("530");
            assertThat(client.send("AUTH OAUTHBEARER")).isEqualTo("334 ");
            assertThat(client.send(base64("n,a=user@example.test,\u0001host=mx.test\u0001port=25\u0001auth=Bearer good-token"
                                          + "\u0001\u0001"))).startsWith("235");
            assertThat(client.send("MAIL FROM:<a@b.test>")).startsWith("250");
        }

        assertThat(smtp.bearerTokens()).containsExactly("bad-token", "bad-token", "good-token");
        assertThat(smtp.commands()).noneMatch(line -> line.contains("token"));
    }

    @Test
    void smtpStartTlsAndAuthWorkWithAngusMail() throws Exception {
        smtp = TestSmtpServer.start("127.0.0.2", 0).advertiseStartTls(TestCertificates.serverContext())
                .requireAuth("user", "secret");
        Properties props = new Properties();
        props.put("mail.smtp.host", smtp.host());
        props.put("mail.smtp.port", String.valueOf(smtp.port()));
        props.put("mail.smtp.localhost", "client.test");
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.socketFactory", TestCertificates.clientContextTrustingTestCa().getSocketFactory());
        props.put("mail.smtp.ssl.checkserveridentity", "true");
        props.put("mail.smtp.connectiontimeout", "5000");
        props.put("mail.smtp.timeout", "5000");
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("from@example.org"));
        message.setRecipient(RecipientType.TO, new InternetAddress("to@example.test"));
        message.setSubject("angus");
        message.setText(".starts with a dot");

        Transport.send(message, "user", "secret");

        TestSmtpServer.Received received = smtp.awaitMessage(WAIT);
        assertThat(received.tls()).isTrue();
        assertThat(received.authUser()).isEqualTo("user");
        assertThat(received.recipients()).containsExactly("to@example.test");
        assertThat(received.text()).contains("Subject: angus\r\n").contains("\r\n.starts with a dot");
    }

    // ------------------------------------------------------------------ helpers

    private SimpleResolver resolver(boolean tcp) {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", dns.port()));
        resolver.setTCP(tcp);
        resolver.setTimeout(WAIT);
        return resolver;
    }

    private static Message query(String name, int type) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A line-oriented SMTP client on a plain socket, bounded by a read timeout. */
    private static final class RawClient implements AutoCloseable {
        private Socket socket;
        private BufferedReader reader;
        private OutputStream out;

        static RawClient connect(TestSmtpServer server) throws IOException {
            RawClient client = new RawClient();
            client.socket = new Socket(server.host(), server.port());
            client.socket.setSoTimeout((int) WAIT.toMillis());
            client.attach();
            return client;
        }

        /** Sends one line and returns the (possibly multi-line) reply. */
        String send(String line) throws IOException {
            write(line + "\r\n");
            return reply();
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** The next reply, lines joined by "\n", or null at end of stream. */
        String reply() throws IOException {
            StringBuilder reply = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                reply.append(reply.length() > 0 ? "\n" : "").append(line);
                if (line.length() < 4 || line.charAt(3) == ' ') {
                    return reply.toString();
                }
            }
            return reply.length() > 0 ? reply.toString() : null;
        }

        void startTls(String host) throws IOException {
            SSLSocket tls = (SSLSocket) TestCertificates.clientContextTrustingTestCa().getSocketFactory()
                    .createSocket(socket, host, socket.getPort(), true);
            SSLParameters params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(params);
            tls.startHandshake();
            socket = tls;
            attach();
        }

        private void attach() throws IOException {
            reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
