package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Every producer test runs against real sockets on loopback: a {@link TestDnsServer} reached through the
 * {@code dnsServers} option, and SMTP servers on 127.0.0.2 ({@link #mx1}) and 127.0.0.3 ({@link #mx2}) on one
 * port, reached through {@code mxPort}. Nothing listens on {@link #DEAD} at that port, so connecting there is refused.
 * <p>
 * The DNS starts with {@code example.test MX 10 mx1.example.test}, {@code mx1.example.test A 127.0.0.2} and
 * {@code mx2.example.test A 127.0.0.3}; tests add what they need. Timeouts are short so failures are quick.
 */
abstract class ProducerTestSupport {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final String MX1_IP = "127.0.0.2";
    static final String MX2_IP = "127.0.0.3";
    static final String DEAD = "127.0.0.4";
    static final String HELO = "relay.test";
    /** Dates the Received headers: the eve of a two-digit day, so their length is the same in every test run. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-09T23:59:59Z"), ZoneOffset.UTC);
    static final String TIMEOUTS = "&dnsTimeout=500&connectTimeout=1000&commandTimeout=1000&dataTimeout=2000";

    /** A complete RFC 5322 message with CRLF line ends, 8-bit text, a folded header and a line starting with a dot. */
    static final String RAW = "From: Alice Sender <alice@sender.test>\r\n"
                              + "To: Bob <bob@example.test>,\r\n"
                              + "\tcarol@example.test\r\n"
                              + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                              + "Message-ID: <raw-1@sender.test>\r\n"
                              + "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                              + "MIME-Version: 1.0\r\n"
                              + "Content-Type: text/plain; charset=UTF-8\r\n"
                              + "Content-Transfer-Encoding: 8bit\r\n"
                              + "X-Trace: unchanged   spacing\r\n"
                              + "\r\n"
                              + "Grüße aus Köln.\r\n"
                              + ".a line that starts with a dot\r\n"
                              + "..and one with two\r\n"
                              + "\r\n"
                              + "Last line.\r\n";

    static final byte[] RAW_BYTES = RAW.getBytes(StandardCharsets.UTF_8);

    private static final Pattern RECEIVED = Pattern.compile(
            "Received: by " + Pattern.quote(HELO) + " \\(Camel SMTP Relay\\) id [A-Za-z0-9.-]+;\r\n"
                                                                    + "\t\\w{3}, \\d{1,2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\r\n");

    protected TestDnsServer dns;
    protected TestSmtpServer mx1;
    protected TestSmtpServer mx2;
    protected int port;
    protected CamelContext context;
    protected ProducerTemplate template;

    @BeforeEach
    void startServers() throws Exception {
        dns = TestDnsServer.start();
        port = TestSmtpServer.freePortOnAll(MX1_IP, MX2_IP, DEAD);
        mx1 = TestSmtpServer.start(MX1_IP, port);
        mx2 = TestSmtpServer.start(MX2_IP, port);
        dns.mx("example.test", 10, "mx1.example.test")
                .a("mx1.example.test", MX1_IP)
                .a("mx2.example.test", MX2_IP);
        context = new DefaultCamelContext();
        context.getComponent("smtprelay", SmtpRelayComponent.class).setClock(CLOCK);
        beforeStart(context);
        context.start();
        template = context.createProducerTemplate();
    }

    /** Registers beans or routes before the context starts. */
    protected void beforeStart(CamelContext context) throws Exception {
    }

    @AfterEach
    void stopServers() {
        if (context != null) {
            context.stop();
        }
        mx1.close();
        mx2.close();
        dns.close();
    }

    /** An MX-mode endpoint URI on the test DNS and port, with short timeouts; {@code options} start with '&'. */
    String mxUri(String options) {
        return "smtprelay:test?dnsServers=" + dns.address() + "&mxPort=" + port + "&heloName=" + HELO + timeouts(options) + options;
    }

    /** The default short timeouts, less those that {@code options} sets itself. */
    private static String timeouts(String options) {
        StringBuilder sb = new StringBuilder();
        for (String option : TIMEOUTS.substring(1).split("&")) {
            if (!options.contains("&" + option.substring(0, option.indexOf('=') + 1))) {
                sb.append('&').append(option);
            }
        }
        return sb.toString();
    }

    String mxUri() {
        return mxUri("");
    }

    /** A relay-mode endpoint URI sending everything to {@code host} on the test port (DNS configured but unused). */
    String relayUri(String host, String options) {
        return "smtprelay:test?relayHost=" + host + "&relayPort=" + port + "&dnsServers=" + dns.address()
               + "&heloName=" + HELO + timeouts(options) + options;
    }

    /** Sends {@code body} with {@code headers} and returns the exchange (its exception, if any, is not thrown). */
    Exchange send(String uri, Object body, Map<String, Object> headers) {
        return template.send(uri, e -> {
            e.getMessage().setBody(body);
            e.getMessage().setHeaders(new java.util.HashMap<>(headers));
        });
    }

    Exchange send(String uri, Object body) {
        return send(uri, body, Map.of());
    }

    static DeliveryReport report(Exchange exchange) {
        DeliveryReport report = exchange.getMessage().getHeader(SmtpRelayConstants.REPORT, DeliveryReport.class);
        assertThat(report).as("report header").isNotNull();
        return report;
    }

    /** Checks the first header is our Received trace header and returns the bytes after it. */
    static String withoutReceived(String data) {
        Matcher m = RECEIVED.matcher(data);
        assertThat(m.lookingAt()).as("message starts with one Received header from %s:%n%s", HELO, data).isTrue();
        String rest = data.substring(m.end());
        assertThat(rest).as("only one Received header added").doesNotStartWith("Received:");
        return rest;
    }

    static byte[] withoutReceived(byte[] data) {
        return withoutReceived(new String(data, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Byte equality, shown as text when it fails so the difference is readable. */
    static void assertSameBytes(byte[] actual, byte[] expected) {
        assertThat(new String(actual, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(java.util.Arrays.equals(actual, expected)).as("byte for byte equal").isTrue();
    }

    /** Sends the standard raw message to the recipients (comma-separated) through the endpoint. */
    Exchange sendTo(String uri, String recipients) {
        return send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, recipients));
    }

    /** The status of the report's one recipient. */
    static RecipientStatus only(Exchange exchange) {
        return report(exchange).statuses().get(0);
    }

    /** The one recipient was deferred with 4.7.5 by its TLS policy, whose word starts as given. */
    static void assertDeferredByPolicyStartingWith(Exchange exchange, String tlsPolicyStart) {
        assertThat(exchange.getException()).isInstanceOf(io.github.camelrelay.smtprelay.SmtpRelayTransientException.class);
        RecipientStatus s = only(exchange);
        assertThat(s.outcome()).isEqualTo(io.github.camelrelay.smtprelay.report.Outcome.DEFERRED);
        assertThat(s.enhancedStatus()).isEqualTo("4.7.5");
        assertThat(s.tlsPolicy()).startsWith(tlsPolicyStart);
    }

    /** Camel's TLS settings trusting only the test certificate, from the classpath truststore. */
    static SSLContextParameters trustingTestCertificate() {
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("classpath:" + TestCertificates.truststorePath());
        store.setPassword(TestCertificates.PASSWORD);
        store.setType("PKCS12");
        TrustManagersParameters trust = new TrustManagersParameters();
        trust.setKeyStore(store);
        SSLContextParameters params = new SSLContextParameters();
        params.setTrustManagers(trust);
        return params;
    }
}
