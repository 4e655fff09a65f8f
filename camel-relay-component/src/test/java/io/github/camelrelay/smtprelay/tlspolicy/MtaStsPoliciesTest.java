package io.github.camelrelay.smtprelay.tlspolicy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.camelrelay.smtprelay.dns.MxResolver;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.testsupport.TestCertificateAuthority;
import io.github.camelrelay.smtprelay.testsupport.TestClock;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MTA-STS policies from a real DNS server and a real HTTPS policy server on loopback, with certificates from a CA
 * made for the run: a policy is fetched and cached for its max_age, fetched again only when the TXT id changes, kept
 * when a later fetch fails, survives a restart in its directory, and is refused from a server whose certificate is
 * not trusted or names another host, behind a redirect, or with the wrong media type.
 */
class MtaStsPoliciesTest {

    private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.backup.example.test\r\nmax_age: 86400\r\n";

    @TempDir
    static Path certs;

    @TempDir
    Path dir;

    private static TestCertificateAuthority ca;
    /** keytool runs take a second each: the servers' certificates are made once for the class. */
    private static SSLContext policyHost;
    private static SSLContext otherHost;
    private static SSLContext untrusted;

    private final TestClock clock = TestClock.at("2031-03-04T05:06:07Z");
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<String> body = new AtomicReference<>(POLICY);
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> contentType = new AtomicReference<>("text/plain; charset=utf-8");
    /** When set, the policy is sent one octet every 100 ms, as a slow or hostile server would. */
    private final java.util.concurrent.atomic.AtomicBoolean trickle = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.ScheduledExecutorService trickler =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    private TestDnsServer dns;
    private HttpsServer https;
    private MtaStsPolicies policies;

    @BeforeAll
    static void authorities() {
        ca = TestCertificateAuthority.create(certs, "Test CA");
        policyHost = ca.serverContext("mta-sts.example.test");
        otherHost = ca.serverContext("www.example.test");
        untrusted = TestCertificateAuthority.create(certs, "Untrusted CA").serverContext("mta-sts.example.test");
    }

    @AfterEach
    void stop() throws IOException {
        released.countDown();
        trickler.shutdownNow();
        if (policies != null) {
            policies.close();
        }
        if (https != null) {
            https.stop(0);
        }
        if (dns != null) {
            dns.close();
        }
    }

    private void serve(SSLContext server) throws IOException {
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(server));
        https.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/moved/mta-sts.txt")) {
                // where a redirect points: a valid policy, which a client that follows redirects would take
                exchange.getResponseHeaders().add("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
                return;
            }
            if (!path.equals("/.well-known/mta-sts.txt")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (trickle.get()) {
                exchange.getResponseHeaders().add("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                trickler.scheduleAtFixedRate(() -> {
                    try {
                        out.write(' ');
                        out.flush();
                    } catch (IOException e) {
                        // the client gave up
                    }
                }, 0, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (status.get() / 100 == 3) {
                exchange.getResponseHeaders().add("Location", "https://mta-sts.example.test:" + https.getAddress().getPort()
                                                              + "/moved/mta-sts.txt");
            }
            exchange.getResponseHeaders().add("Content-Type", contentType.get());
            exchange.sendResponseHeaders(status.get(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        https.start();
        dns = TestDnsServer.start().txt("_mta-sts.example.test", "v=STSv1; id=20310301T000000;")
                .a("mta-sts.example.test", "127.0.0.1");
    }

    private MtaStsPolicies policies(MtaStsStore store) {
        return MtaStsPolicies.builder().resolver(MxResolver.resolverFor(dns.address(), Duration.ofSeconds(5)))
                .port(https.getAddress().getPort()).sslContext(ca.clientContext()).clock(clock).store(store)
                .fetchTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void aPolicyIsFetchedOnceAndCachedUntilTheRecordsIdChanges() throws IOException {
        serve(policyHost);
        policies = policies(MtaStsStore.inMemory());

        MtaStsPolicy policy = policies.policy(Domain.of("Example.Test")).orElseThrow();
        assertThat(policy.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(policy.id()).isEqualTo("20310301T000000");
        assertThat(policy.matches("mx1.example.test")).isTrue();
        assertThat(policy.matches("mx7.backup.example.test")).isTrue();
        assertThat(policy.matches("mx.attacker.test")).isFalse();
        assertThat(requests).hasValue(1);

        clock.advance(Duration.ofHours(12));
        assertThat(policies.policy(Domain.of("example.test"))).contains(policy);
        assertThat(requests).as("same id, well within max_age: no fetch").hasValue(1);

        dns.remove("_mta-sts.example.test").txt("_mta-sts.example.test", "v=STSv1; id=20310302T000000;");
        body.set(POLICY.replace("mode: enforce", "mode: testing"));
        MtaStsPolicy changed = policies.policy(Domain.of("example.test")).orElseThrow();
        assertThat(changed.mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(changed.id()).isEqualTo("20310302T000000");
        assertThat(requests).hasValue(2);
    }

    @Test
    void aFailedFetchOrAMissingRecordKeepsTheValidCachedPolicyAndNothingOnceItExpired() throws IOException {
        serve(policyHost);
        policies = policies(MtaStsStore.inMemory());
        MtaStsPolicy policy = policies.policy(Domain.of("example.test")).orElseThrow();

        // an attacker removes the record and breaks the policy server: the cached policy still applies
        dns.remove("_mta-sts.example.test");
        status.set(500);
        clock.advance(Duration.ofHours(2));
        assertThat(policies.policy(Domain.of("example.test"))).contains(policy);
        dns.txt("_mta-sts.example.test", "v=STSv1; id=changed;");
        assertThat(policies.policy(Domain.of("example.test"))).contains(policy);

        // past max_age nothing applies until a fetch succeeds
        clock.advance(Duration.ofDays(2));
        assertThat(policies.policy(Domain.of("example.test"))).isEmpty();
        status.set(200);
        assertThat(policies.policy(Domain.of("example.test"))).get().extracting(MtaStsPolicy::id).isEqualTo("changed");
    }

    @Test
    void thePolicyDirectorySurvivesARestart() throws IOException {
        serve(policyHost);
        policies = policies(MtaStsStore.directory(dir));
        MtaStsPolicy policy = policies.policy(Domain.of("example.test")).orElseThrow();
        policies.close();

        https.stop(0);
        policies = policies(MtaStsStore.directory(dir));
        assertThat(policies.policy(Domain.of("example.test"))).contains(policy);
        assertThat(requests).hasValue(1);
    }

    @Test
    void aCertificateFromAnUntrustedAuthorityGivesNoPolicy() throws IOException {
        serve(untrusted);
        policies = policies(MtaStsStore.inMemory());
        assertThat(policies.policy(Domain.of("example.test"))).isEmpty();
        assertThat(requests).as("the handshake failed before any request").hasValue(0);
    }

    @Test
    void aCertificateForAnotherHostGivesNoPolicy() throws IOException {
        serve(otherHost);
        policies = policies(MtaStsStore.inMemory());
        assertThat(policies.policy(Domain.of("example.test"))).isEmpty();
    }

    @Test
    void aRedirectIsNotFollowed() throws IOException {
        serve(policyHost);
        status.set(302);
        policies = policies(MtaStsStore.inMemory());
        assertThat(policies.policy(Domain.of("example.test"))).isEmpty();
        assertThat(requests).hasValue(1);
    }

    @Test
    void anotherMediaTypeOrABrokenPolicyGivesNoPolicy() throws IOException {
        serve(policyHost);
        contentType.set("text/html");
        policies = policies(MtaStsStore.inMemory());
        assertThat(policies.policy(Domain.of("example.test"))).isEmpty();

        contentType.set("text/plain");
        body.set("version: STSv1\nmode: enforce\nmax_age: 600\n");
        assertThat(policies.policy(Domain.of("example.test"))).as("enforce without mx").isEmpty();
    }

    @Test
    void aServerTricklingThePolicyIsGivenUpAtTheFetchTimeoutAndSaysSo() throws IOException {
        serve(policyHost);
        trickle.set(true);
        policies = MtaStsPolicies.builder().resolver(MxResolver.resolverFor(dns.address(), Duration.ofSeconds(5)))
                .port(https.getAddress().getPort()).sslContext(ca.clientContext()).clock(clock).store(MtaStsStore.inMemory())
                .fetchTimeout(Duration.ofSeconds(1)).build();

        long start = System.nanoTime();
        MtaStsPolicies.Resolution r = policies.resolve(Domain.of("example.test"));

        // each octet comes well within the read timeout: only the bound on the whole fetch ends it
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.policy()).isNull();
        assertThat(r.fetchFailure()).isEqualTo(TlsResult.Failure.STS_POLICY_FETCH_ERROR);
        assertThat(r.detail()).endsWith("no policy within 1000 ms");
    }

    @Test
    void aDomainWithoutARecordIsAskedAgainOnlyAfterAWhile() throws IOException {
        serve(policyHost);
        policies = policies(MtaStsStore.inMemory());

        assertThat(policies.policy(Domain.of("other.test"))).isEmpty();
        assertThat(policies.policy(Domain.of("other.test"))).isEmpty();
        assertThat(dns.queries("_mta-sts.other.test", org.xbill.DNS.Type.TXT)).isEqualTo(1);

        clock.advance(MtaStsPolicies.NO_RECORD_RECHECK);
        assertThat(policies.policy(Domain.of("other.test"))).isEmpty();
        assertThat(dns.queries("_mta-sts.other.test", org.xbill.DNS.Type.TXT)).isEqualTo(2);
    }

    @Test
    void twoStsRecordsMeanNoPolicy() throws IOException {
        serve(policyHost);
        dns.txt("_mta-sts.example.test", "v=STSv1; id=second;").txt("_mta-sts.example.test", "v=spf1 -all");
        policies = policies(MtaStsStore.inMemory());
        assertThat(policies.policy(Domain.of("example.test"))).isEmpty();
        assertThat(requests).hasValue(0);
    }
}
