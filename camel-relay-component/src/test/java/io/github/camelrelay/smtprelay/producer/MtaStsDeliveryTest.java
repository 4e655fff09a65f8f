package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.camelrelay.smtprelay.testsupport.TestCertificateAuthority;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.tlspolicy.MtaStsPolicy;
import io.github.camelrelay.smtprelay.tlspolicy.MtaStsStore;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/**
 * MTA-STS (RFC 8461) applied to MX delivery: the test DNS server publishes the _mta-sts records, a real HTTPS server
 * on 127.0.0.1 serves the policies (certificate from a CA made for the class, trusted through
 * mtaStsSslContextParameters), and the SMTP servers on 127.0.0.2 (mx1.sts.test) and .3 (mx2.sts.test) present a
 * certificate from that CA for mx1.sts.test or the static self-signed one. Enforce and testing, the MX patterns, bad
 * certificates, STARTTLS stripped, a changed id, an expired and a valid cached policy with the server down, a
 * policy host with a bad certificate, a redirect, the negative cache, and DANE taking precedence.
 */
class MtaStsDeliveryTest extends ProducerTestSupport {

    @TempDir
    static Path certs;

    private static TestCertificateAuthority ca;
    /** For mx1.sts.test and every policy host of the test: one keytool run for all. */
    private static SSLContext caSigned;
    private static HttpsServer policyServer;
    private static HttpsServer untrustedPolicyServer;
    /** What each policy host answers, by host name. */
    private static final Map<String, Reply> REPLIES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();

    private record Reply(int status, String contentType, String body) {
    }

    @TempDir
    Path cache;

    private final RecordingListener listener = new RecordingListener();

    @BeforeAll
    static void servers() throws IOException {
        ca = TestCertificateAuthority.create(certs, "MTA-STS Test CA");
        caSigned = ca.serverContext("mx1.sts.test", "mta-sts.sts.test", "mta-sts.testing.test", "mta-sts.cached.test",
                "mta-sts.expired.test", "mta-sts.moved.test");
        policyServer = policyServer(caSigned);
        untrustedPolicyServer = policyServer(TestCertificates.serverContext());
    }

    private static HttpsServer policyServer(SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            String host = exchange.getRequestHeaders().getFirst("Host");
            host = host == null ? "" : host.replaceAll(":\\d+$", "").toLowerCase(Locale.ROOT);
            REQUESTS.computeIfAbsent(host + exchange.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
            Reply reply = REPLIES.get(host);
            if (reply == null || !exchange.getRequestURI().getPath().equals("/.well-known/mta-sts.txt")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (reply.status() / 100 == 3) {
                exchange.getResponseHeaders().add("Location", "https://" + host + ":" + server(exchange).getAddress().getPort()
                                                              + "/moved/mta-sts.txt");
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", reply.contentType());
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }

    private static HttpsServer server(com.sun.net.httpserver.HttpExchange exchange) {
        return (HttpsServer) exchange.getHttpContext().getServer();
    }

    @AfterAll
    static void stop() {
        policyServer.stop(0);
        untrustedPolicyServer.stop(0);
    }

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("caTrust", ca.trustParameters());
        context.getRegistry().bind("tlsEvents", listener);
    }

    @BeforeEach
    void records() {
        REPLIES.clear();
        REQUESTS.clear();
        // the preferred MX host is not in the policies below, which name mx1.sts.test
        dns.mx("sts.test", 10, "mx2.sts.test").mx("sts.test", 20, "mx1.sts.test")
                .a("mx1.sts.test", MX1_IP).a("mx2.sts.test", MX2_IP)
                .mx("testing.test", 10, "mx1.sts.test")
                .mx("cached.test", 10, "mx1.sts.test")
                .mx("expired.test", 10, "mx1.sts.test")
                .mx("moved.test", 10, "mx2.sts.test");
        for (String domain : List.of("sts.test", "testing.test", "cached.test", "expired.test", "moved.test")) {
            dns.txt("_mta-sts." + domain, "v=STSv1; id=1;").a("mta-sts." + domain, "127.0.0.1");
        }
        policy("sts.test", "enforce", "mx1.sts.test");
        policy("testing.test", "testing", "mx1.sts.test");
        REPLIES.put("mta-sts.cached.test", new Reply(500, "text/plain", "down"));
        REPLIES.put("mta-sts.expired.test", new Reply(500, "text/plain", "down"));
        REPLIES.put("mta-sts.moved.test", new Reply(302, "text/plain", policyText("enforce", "mx1.sts.test")));
    }

    private static String policyText(String mode, String mx) {
        return "version: STSv1\r\nmode: " + mode + "\r\nmx: " + mx + "\r\nmax_age: 86400\r\n";
    }

    private static void policy(String domain, String mode, String mx) {
        REPLIES.put("mta-sts." + domain, new Reply(200, "text/plain; charset=utf-8", policyText(mode, mx)));
    }

    private static int requests(String host) {
        AtomicInteger n = REQUESTS.get(host + "/.well-known/mta-sts.txt");
        return n == null ? 0 : n.get();
    }

    private String stsUri(String options) {
        return mxUri("&mtaStsPort=" + policyServer.getAddress().getPort()
                     + "&mtaStsSslContextParameters=#caTrust&sslContextParameters=#caTrust" + options);
    }

    @Test
    void enforceDeliversOnlyToTheHostsThePolicyNamesOverVerifiedTls() {
        mx1.advertiseStartTls(caSigned);
        mx2.advertiseStartTls(caSigned);

        Exchange exchange;
        List<String> lines;
        try (LogCapture capture = LogCapture.start()) {
            exchange = sendTo(stsUri(""), "bob@sts.test");
            lines = capture.messages("io.github.camelrelay.smtprelay.delivery");
        }

        assertThat(exchange.getException()).isNull();
        assertThat(only(exchange).host()).isEqualTo("mx1.sts.test");
        assertThat(only(exchange).tlsPolicy()).isEqualTo("mta-sts");
        assertThat(mx1.awaitMessage(WAIT).tls()).isTrue();
        assertThat(mx2.connections()).as("not an MX host of the policy: never connected to").isZero();
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("connect to mx2.sts.test[" + MX2_IP + "]",
                "(tls=mta-sts-fail (mx2.sts.test is not an MX host of the policy))"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("to=<bob@sts.test>", "tls=mta-sts, dsn=2.0.0, status=sent"));
        assertThat(requests("mta-sts.sts.test")).isEqualTo(1);
        assertThat(listener.tls).hasSize(2).allSatisfy(r -> {
            assertThat(r.policyType()).isEqualTo(TlsResult.PolicyType.STS);
            assertThat(r.policyStrings()).containsExactly("version: STSv1", "mode: enforce", "mx: mx1.sts.test", "max_age: 86400");
        });
        assertThat(listener.tls.get(0).failure()).isEqualTo(TlsResult.Failure.VALIDATION_FAILURE);
        assertThat(listener.tls.get(1).success()).isTrue();
    }

    @Test
    void enforceDefersWhenTheCertificateIsNotTrustedOrNamesAnotherHost() {
        policy("sts.test", "enforce", "*.sts.test");
        // mx2 (tried first) presents the CA's certificate for mx1.sts.test, mx1 a self-signed one
        mx2.advertiseStartTls(caSigned);
        mx1.advertiseStartTls(TestCertificates.serverContext());

        Exchange exchange = sendTo(stsUri(""), "bob@sts.test");

        assertDeferredByPolicyStartingWith(exchange, "mta-sts-fail (certificate not trusted: ");
        assertThat(mx1.commands()).contains("STARTTLS").noneMatch(c -> c.startsWith("MAIL FROM"));
        assertThat(mx2.commands()).contains("STARTTLS").noneMatch(c -> c.startsWith("MAIL FROM"));
        assertThat(listener.tls).extracting(TlsResult::mxHost, TlsResult::failure).containsExactly(
                org.assertj.core.groups.Tuple.tuple("mx2.sts.test", TlsResult.Failure.CERTIFICATE_HOST_MISMATCH),
                org.assertj.core.groups.Tuple.tuple("mx1.sts.test", TlsResult.Failure.CERTIFICATE_NOT_TRUSTED));
    }

    @Test
    void enforceDefersWhenStartTlsIsStripped() {
        Exchange exchange = sendTo(stsUri(""), "bob@sts.test");

        assertDeferredByPolicyStartingWith(exchange, "mta-sts-fail (STARTTLS not offered)");
        assertThat(mx1.commands()).noneMatch(c -> c.startsWith("MAIL FROM"));
        assertThat(mx1.messages()).isEmpty();
    }

    @Test
    void testingDeliversAsBeforeAndReportsWhatEnforceWouldRefuse() {
        mx1.advertiseStartTls(TestCertificates.serverContext());

        Exchange exchange = sendTo(stsUri(""), "bob@testing.test");

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).tls()).isTrue();
        assertThat(only(exchange).tlsPolicy()).startsWith("opportunistic (mta-sts testing: certificate not trusted: ");
        assertThat(listener.tls).singleElement().satisfies(r -> {
            assertThat(r.policyDomain()).isEqualTo("testing.test");
            assertThat(r.policyType()).isEqualTo(TlsResult.PolicyType.STS);
            assertThat(r.failure()).isEqualTo(TlsResult.Failure.CERTIFICATE_NOT_TRUSTED);
            assertThat(r.mxHost()).isEqualTo("mx1.sts.test");
        });
    }

    @Test
    void aChangedIdFetchesThePolicyAgainAndTheSameIdDoesNot() {
        mx1.advertiseStartTls(caSigned);
        String uri = stsUri("&mtaStsCacheDirectory=" + cache);

        Exchange first = sendTo(uri, "bob@testing.test");
        Exchange second = sendTo(uri, "bob@testing.test");
        int afterTwo = requests("mta-sts.testing.test");
        // the domain switches to enforce for a host it does not have, under a new id
        dns.remove("_mta-sts.testing.test").txt("_mta-sts.testing.test", "v=STSv1; id=2;");
        policy("testing.test", "enforce", "mx9.sts.test");
        Exchange third = sendTo(uri, "bob@testing.test");

        assertThat(first.getException()).isNull();
        assertThat(only(first).tlsPolicy()).isEqualTo("opportunistic (mta-sts testing: would pass)");
        assertThat(second.getException()).isNull();
        assertThat(afterTwo).as("the same id: the cached policy").isEqualTo(1);
        assertThat(requests("mta-sts.testing.test")).isEqualTo(2);
        assertDeferredByPolicyStartingWith(third, "mta-sts-fail (mx1.sts.test is not an MX host of the policy)");
        assertThat(MtaStsStore.directory(cache).get("testing.test")).satisfies(p -> {
            assertThat(p.id()).isEqualTo("2");
            assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        });
    }

    @Test
    void aValidCachedPolicyAppliesWhileItsServerFailsAndAnExpiredOneDoesNot() {
        mx1.advertiseStartTls(caSigned);
        // cached from an earlier run: both enforce for a host the domains do not have, under another id than the TXT's
        MtaStsStore store = MtaStsStore.directory(cache);
        Instant now = Instant.now();
        store.put("cached.test", MtaStsPolicy.parse(policyText("enforce", "mx9.sts.test"), "0", now.minus(Duration.ofHours(1))));
        store.put("expired.test", MtaStsPolicy.parse(policyText("enforce", "mx9.sts.test"), "0", now.minus(Duration.ofDays(2))));
        String uri = stsUri("&mtaStsCacheDirectory=" + cache);

        Exchange cached = sendTo(uri, "bob@cached.test");
        Exchange expired = sendTo(uri, "bob@expired.test");

        assertThat(requests("mta-sts.cached.test")).as("the id changed: fetched, and failed").isEqualTo(1);
        assertDeferredByPolicyStartingWith(cached, "mta-sts-fail (mx1.sts.test is not an MX host of the policy)");
        assertThat(requests("mta-sts.expired.test")).isEqualTo(1);
        assertThat(expired.getException()).as("past its max_age a policy no longer applies").isNull();
        assertThat(only(expired).tlsPolicy()).isEqualTo("opportunistic");
        assertThat(listener.tls).filteredOn(r -> r.mxHost() == null).extracting(TlsResult::policyDomain, TlsResult::failure)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cached.test", TlsResult.Failure.STS_POLICY_FETCH_ERROR),
                        org.assertj.core.groups.Tuple.tuple("expired.test", TlsResult.Failure.STS_POLICY_FETCH_ERROR));
    }

    @Test
    void aPolicyHostWithAnUntrustedCertificateGivesNoPolicy() {
        String uri = mxUri("&mtaStsPort=" + untrustedPolicyServer.getAddress().getPort() + "&mtaStsSslContextParameters=#caTrust");

        Exchange exchange = sendTo(uri, "bob@sts.test");

        assertThat(exchange.getException()).as("without a policy mx2 is as good as mx1").isNull();
        assertThat(only(exchange).host()).isEqualTo("mx2.sts.test");
        assertThat(listener.tls).first().satisfies(r -> {
            assertThat(r.failure()).isEqualTo(TlsResult.Failure.STS_WEBPKI_INVALID);
            assertThat(r.mxHost()).isNull();
        });
    }

    @Test
    void aRedirectIsNotFollowed() {
        Exchange exchange = sendTo(stsUri(""), "bob@moved.test");

        assertThat(exchange.getException()).as("the policy behind the redirect would keep mx2 out").isNull();
        assertThat(only(exchange).host()).isEqualTo("mx2.sts.test");
        assertThat(REQUESTS.get("mta-sts.moved.test/moved/mta-sts.txt")).isNull();
        assertThat(listener.tls).first().satisfies(r -> {
            assertThat(r.failure()).isEqualTo(TlsResult.Failure.STS_POLICY_FETCH_ERROR);
            assertThat(r.detail()).contains("but got 302 (redirects are not followed)");
        });
    }

    @Test
    void aDomainWithoutARecordIsNotAskedAgainForAWhile() {
        Exchange first = sendTo(stsUri(""), "bob@example.test");
        Exchange second = sendTo(stsUri(""), "bob@example.test");

        assertThat(first.getException()).isNull();
        assertThat(second.getException()).isNull();
        assertThat(dns.queries("_mta-sts.example.test", Type.TXT)).isEqualTo(1);
        assertThat(dns.queries("example.test", Type.MX)).isEqualTo(1);
    }

    @Test
    void mtaStsOffAppliesNoPolicy() {
        Exchange exchange = sendTo(stsUri("&mtaSts=false"), "bob@sts.test");

        assertThat(exchange.getException()).isNull();
        assertThat(only(exchange).host()).isEqualTo("mx2.sts.test");
        assertThat(dns.queries("_mta-sts.sts.test", Type.TXT)).isZero();
    }

    @Test
    void daneTakesPrecedenceOverMtaStsForAHostThatHasIt() throws Exception {
        // mx2 is not in the enforce policy but has a secure TLSA record matching its certificate
        mx2.advertiseStartTls(TestCertificates.serverContext());
        byte[] key = MessageDigest.getInstance("SHA-256").digest(TestCertificates.certificate().getPublicKey().getEncoded());
        dns.tlsa("_" + port + "._tcp.mx2.sts.test", 3, 1, 1, key).signZone("sts.test");
        Path anchors = cache.resolve("anchors.txt");
        Files.writeString(anchors, dns.trustAnchor("sts.test") + "\n", StandardCharsets.US_ASCII);

        Exchange exchange = sendTo(stsUri("&dnssec=true&dnssecTrustAnchors=" + anchors), "bob@sts.test");

        assertThat(exchange.getException()).isNull();
        assertThat(only(exchange).host()).isEqualTo("mx2.sts.test");
        assertThat(only(exchange).tlsPolicy()).isEqualTo("dane-ee");
        assertThat(requests("mta-sts.sts.test")).as("every host had DANE: no policy needed").isZero();
    }
}
