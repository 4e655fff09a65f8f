package io.github.camelrelay.smtprelay.tlsrpt;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import javax.net.ssl.SSLContext;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.camelrelay.smtprelay.dns.MxResolver;
import io.github.camelrelay.smtprelay.testsupport.TestCertificateAuthority;
import io.github.camelrelay.smtprelay.testsupport.TestClock;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult.Failure;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult.PolicyType;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reporter against real peers on loopback: a DNS server serving the {@code _smtp._tls} records, an HTTPS server
 * (certificate from a test CA) taking the POSTed reports, and a Camel context whose route takes the mailed ones. Every
 * report is gunzipped and checked against RFC 8460's report schema by a JSON Schema validator.
 */
class TlsRptReporterTest {

    private static final List<String> STS = List.of("version: STSv1", "mode: enforce", "mx: mx1.a.test", "mx: *.backup.a.test",
                                                     "max_age: 604800");
    private static final List<String> TLSA = List.of("3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    private static final String DAY = "2031-03-04";

    @TempDir
    static Path certs;
    @TempDir
    Path dir;

    private static SSLContext reportHost;
    private static SSLContext mxHost;
    private static TestCertificateAuthority ca;
    private static Schema schema;

    private final TestClock clock = TestClock.at(DAY + "T05:06:07Z");
    private final List<Exchange> mailed = new CopyOnWriteArrayList<>();
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final AtomicInteger httpStatus = new AtomicInteger(200);
    private TestDnsServer dns;
    private HttpsServer https;
    private CamelContext camel;
    private final List<TlsRptReporter> reporters = new ArrayList<>();

    record Post(String path, String contentType, byte[] body) {
    }

    @BeforeAll
    static void once() throws IOException {
        ca = TestCertificateAuthority.create(certs, "Report CA");
        reportHost = ca.serverContext("127.0.0.1");
        mxHost = ca.serverContext("mx.b.test");
        try (InputStream in = TlsRptReporterTest.class.getResourceAsStream("/tlsrpt/rfc8460-report.schema.json")) {
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                    b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
            schema = registry.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
        }
    }

    @BeforeEach
    void peers() throws Exception {
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(reportHost));
        https.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = httpStatus.get();
            if (status / 100 == 3) {
                exchange.getResponseHeaders().add("Location", "https://127.0.0.1:" + https.getAddress().getPort() + "/moved");
            }
            if (status == 200) {
                posts.add(new Post(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Content-Type"), body));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        https.start();
        dns = TestDnsServer.start()
                .txt("_smtp._tls.a.test", "v=spf1 -all")
                .txt("_smtp._tls.a.test", "v=TLSRPTv1; rua=mailto:tlsrpt@a.test")
                .txt("_smtp._tls.b.test", "v=TLSRPTv1; rua=https://127.0.0.1:" + https.getAddress().getPort() + "/v1/tlsrpt");
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:mail").process(e -> mailed.add(e.copy()));
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (TlsRptReporter r : reporters) {
            r.stop();
        }
        camel.stop();
        https.stop(0);
        dns.close();
    }

    private TlsRptReporter.Builder builder() {
        return TlsRptReporter.builder().directory(dir).organizationName("Relay Example Inc.")
                .contactInfo("tls-reports@relay.example.test").submitter("relay.example.test")
                .reportSender("tlsrpt-noreply@relay.example.test").mailEndpoint("direct:mail")
                .resolver(MxResolver.resolverFor(dns.address(), Duration.ofSeconds(5)))
                .sslContext(ca.clientContext()).httpTimeout(Duration.ofSeconds(10)).clock(clock);
    }

    /** Added to the context as the README says: the context sets itself on it and starts it. */
    private TlsRptReporter started(TlsRptReporter.Builder b) throws Exception {
        TlsRptReporter r = b.build();
        camel.addService(r);
        assertThat(r.isStarted()).isTrue();
        reporters.add(r);
        return r;
    }

    private static TlsResult sts(String mx, String ip, Failure failure, String detail) {
        return new TlsResult("a.test", PolicyType.STS, STS, mx, ip, failure, detail);
    }

    private static TlsResult tlsa(String mx, String ip, Failure failure, String detail) {
        return new TlsResult("b.test", PolicyType.TLSA, TLSA, mx, ip, failure, detail);
    }

    @Test
    void countsSurviveARestartAndEachDomainGetsItsReportByMailOrHttps() throws Exception {
        TlsRptReporter first = builder().relayQueue("direct:mail").build();
        first.tlsResult(sts("mx1.a.test", "127.0.0.11", null, "encrypted"));
        first.tlsResult(sts("mx1.a.test", "127.0.0.11", null, "encrypted"));
        first.tlsResult(sts("mx1.a.test", "127.0.0.11", Failure.CERTIFICATE_EXPIRED, "certificate expired on 2031-03-01"));
        first.tlsResult(sts("mx1.a.test", "127.0.0.11", Failure.CERTIFICATE_EXPIRED, "certificate expired on 2031-03-01"));
        first.tlsResult(sts("mx2.backup.a.test", "127.0.0.12", Failure.STARTTLS_NOT_SUPPORTED, "STARTTLS not offered"));
        first.tlsResult(new TlsResult("a.test", PolicyType.STS, List.of(), null, null, Failure.STS_POLICY_FETCH_ERROR,
                                      "cannot fetch https://mta-sts.a.test/.well-known/mta-sts.txt: connection refused"));
        first.tlsResult(tlsa("mx.b.test", "127.0.0.21", null, "dane-ee"));
        first.tlsResult(tlsa("mx.b.test", "127.0.0.21", Failure.TLSA_INVALID, "no TLSA match"));
        // the relay restarts without stopping the reporter first: every count was on disk as it came
        clock.advance(Duration.ofHours(10));
        TlsRptReporter second = started(builder().relayQueue("direct:mail"));
        second.tlsResult(sts("mx1.a.test", "127.0.0.11", null, "encrypted"));
        second.tlsResult(new TlsResult("b.test", PolicyType.NO_POLICY_FOUND, List.of(), "mx.b.test", "127.0.0.21", null, "encrypted"));

        clock.set(Instant.parse("2031-03-05T00:01:00Z"));
        assertThat(second.sendReports(clock.instant())).isEqualTo(2);

        // a.test: by mail, on the relay queue in its format
        assertThat(mailed).hasSize(1);
        Exchange mail = mailed.get(0);
        assertThat(mail.getMessage().getHeader("SmtpRelayEnvelopeFrom")).isEqualTo("tlsrpt-noreply@relay.example.test");
        assertThat(mail.getMessage().getHeader("SmtpRelayRecipients")).isEqualTo("[\"tlsrpt@a.test\"]");
        assertThat(mail.getMessage().getHeader("SmtpRelayQueueId", String.class)).startsWith("tlsrpt-");
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                                              new ByteArrayInputStream(mail.getMessage().getBody(byte[].class)));
        String id = "2031-03-04T00:00:00Z_a.test@relay.example.test";
        assertThat(message.getSubject()).isEqualTo("Report Domain: a.test Submitter: relay.example.test Report-ID: <" + id + ">");
        assertThat(message.getHeader("TLS-Report-Domain", null)).isEqualTo("a.test");
        assertThat(message.getHeader("TLS-Report-Submitter", null)).isEqualTo("relay.example.test");
        assertThat(message.getHeader("TLS-Required", null)).isEqualTo("No");
        assertThat(message.getHeader("From", null)).isEqualTo("tlsrpt-noreply@relay.example.test");
        assertThat(message.getHeader("To", null)).isEqualTo("tlsrpt@a.test");
        ContentType type = new ContentType(message.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("tlsrpt");
        MimeMultipart parts = new MimeMultipart(new jakarta.mail.util.ByteArrayDataSource(message.getInputStream(), message.getContentType()));
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(new ContentType(parts.getBodyPart(0).getContentType()).getBaseType()).isEqualTo("text/plain");
        assertThat(((String) parts.getBodyPart(0).getContent())).contains("aggregate TLS report from relay.example.test");
        MimeBodyPart attachment = (MimeBodyPart) parts.getBodyPart(1);
        assertThat(new ContentType(attachment.getContentType()).getBaseType()).isEqualTo("application/tlsrpt+gzip");
        assertThat(attachment.getDisposition()).isEqualTo("attachment");
        long start = Instant.parse(DAY + "T00:00:00Z").getEpochSecond();
        assertThat(attachment.getFileName()).isEqualTo("relay.example.test!a.test!" + start + "!" + (start + 86_399) + ".json.gz");
        assertThat(attachment.getEncoding()).isEqualTo("base64");
        JsonObject a = report(attachment.getInputStream().readAllBytes());

        assertThat(a.get("organization-name")).isEqualTo("Relay Example Inc.");
        assertThat(a.get("contact-info")).isEqualTo("tls-reports@relay.example.test");
        assertThat(a.get("report-id")).isEqualTo(id);
        assertThat((JsonObject) a.get("date-range")).containsEntry("start-datetime", DAY + "T00:00:00Z")
                .containsEntry("end-datetime", DAY + "T23:59:59Z");
        JsonArray aPolicies = (JsonArray) a.get("policies");
        assertThat(aPolicies).hasSize(2);
        JsonObject enforced = policy(aPolicies, STS);
        assertThat((JsonObject) enforced.get("policy")).containsEntry("policy-type", "sts").containsEntry("policy-domain", "a.test")
                .containsEntry("mx-host", List.of("mx1.a.test", "*.backup.a.test"));
        assertThat(summary(enforced)).isEqualTo(List.of(3L, 3L));
        assertThat(details(enforced)).containsExactlyInAnyOrder(
                "certificate-expired mx1.a.test 127.0.0.11 2 certificate expired on 2031-03-01",
                "starttls-not-supported mx2.backup.a.test 127.0.0.12 1 STARTTLS not offered");
        JsonObject fetch = policy(aPolicies, List.of());
        assertThat((JsonObject) fetch.get("policy")).doesNotContainKeys("policy-string", "mx-host");
        assertThat(summary(fetch)).isEqualTo(List.of(0L, 1L));
        assertThat(details(fetch)).containsExactly(
                "sts-policy-fetch-error - - 1 cannot fetch https://mta-sts.a.test/.well-known/mta-sts.txt: connection refused");

        // b.test: POSTed
        assertThat(posts).hasSize(1);
        Post post = posts.get(0);
        assertThat(post.path()).isEqualTo("/v1/tlsrpt");
        assertThat(post.contentType()).isEqualTo("application/tlsrpt+gzip");
        JsonObject b = report(post.body());
        assertThat(b.get("report-id")).isEqualTo("2031-03-04T00:00:00Z_b.test@relay.example.test");
        JsonArray bPolicies = (JsonArray) b.get("policies");
        assertThat(bPolicies).hasSize(2);
        JsonObject dane = policy(bPolicies, TLSA);
        assertThat((JsonObject) dane.get("policy")).containsEntry("policy-type", "tlsa").containsEntry("mx-host", List.of("mx.b.test"));
        assertThat(summary(dane)).isEqualTo(List.of(1L, 1L));
        assertThat(details(dane)).containsExactly("tlsa-invalid mx.b.test 127.0.0.21 1 no TLSA match");
        JsonObject none = bPolicies.stream().map(JsonObject.class::cast)
                .filter(p -> "no-policy-found".equals(((JsonObject) p.get("policy")).get("policy-type"))).findFirst().orElseThrow();
        assertThat(summary(none)).isEqualTo(List.of(1L, 0L));
        assertThat(none).doesNotContainKey("failure-details");

        // done: a later run sends nothing again, and the window's files are gone
        assertThat(second.sendReports(clock.instant().plus(Duration.ofHours(1)))).isZero();
        assertThat(mailed).hasSize(1);
        assertThat(posts).hasSize(1);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theProducersMxSessionsAreCountedByTheReporterItFindsInTheRegistry() throws Exception {
        int port = io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.freePortOnAll("127.0.0.2", "127.0.0.3");
        try (var plain = io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.start("127.0.0.2", port);
             var encrypted = io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.start("127.0.0.3", port)
                     .advertiseStartTls(mxHost)) {
            dns.mx("a.test", 10, "mx1.a.test").a("mx1.a.test", "127.0.0.2").mx("b.test", 10, "mx.b.test").a("mx.b.test", "127.0.0.3");
            TlsRptReporter reporter = builder().build();
            camel.getRegistry().bind("tlsReporter", reporter);
            camel.addService(reporter);
            reporters.add(reporter);
            String uri = "smtprelay:out?dnsServers=" + dns.address() + "&mxPort=" + port + "&heloName=relay.example.test"
                         + "&connectTimeout=2000&commandTimeout=2000&dnsTimeout=2000";
            for (String to : List.of("bob@a.test", "carol@b.test")) {
                Exchange sent = camel.createProducerTemplate().send(uri, e -> {
                    e.getMessage().setBody("From: alice@relay.example.test\r\nSubject: hi\r\n\r\nhello\r\n");
                    e.getMessage().setHeader("CamelSmtpRelayRecipients", to);
                    e.getMessage().setHeader("CamelSmtpRelayEnvelopeFrom", "alice@relay.example.test");
                });
                assertThat(sent.getException()).as("delivery to " + to).isNull();
            }
            assertThat(encrypted.messages()).singleElement().matches(m -> m.tls(), "received over TLS");

            assertThat(reporter.sendReports(Instant.parse("2031-03-05T00:01:00Z"))).isEqualTo(2);
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                                                  new ByteArrayInputStream(mailed.get(0).getMessage().getBody(byte[].class)));
            MimeMultipart parts = new MimeMultipart(new jakarta.mail.util.ByteArrayDataSource(message.getInputStream(),
                                                                                              message.getContentType()));
            JsonObject a = ((JsonArray) report(parts.getBodyPart(1).getInputStream().readAllBytes()).get("policies")).getMap(0);
            assertThat(((JsonObject) a.get("policy")).get("policy-type")).isEqualTo("no-policy-found");
            assertThat(summary(a)).isEqualTo(List.of(0L, 1L));
            assertThat(details(a)).containsExactly("starttls-not-supported mx1.a.test 127.0.0.2 1 STARTTLS not offered");
            JsonObject b = ((JsonArray) report(posts.get(0).body()).get("policies")).getMap(0);
            assertThat(summary(b)).isEqualTo(List.of(1L, 0L));
        }
    }

    @Test
    void theReportCoversThePreviousUtcDayWhateverTheClocksZone() throws Exception {
        // 23:30 UTC on the 4th is already the 5th, 13:30, at UTC+14
        ZoneId farEast = ZoneId.of("Pacific/Kiritimati");
        Clock late = Clock.fixed(Instant.parse(DAY + "T23:30:00Z"), farEast);
        TlsRptReporter reporter = started(builder().clock(late));
        reporter.tlsResult(tlsa("mx.b.test", "127.0.0.21", null, "dane-ee"));

        assertThat(reporter.sendReports(Instant.parse(DAY + "T23:59:59Z"))).as("the UTC day has not ended").isZero();
        assertThat(reporter.sendReports(Instant.parse("2031-03-05T00:00:30Z"))).isEqualTo(1);

        JsonObject b = report(posts.get(0).body());
        assertThat((JsonObject) b.get("date-range")).containsEntry("start-datetime", DAY + "T00:00:00Z")
                .containsEntry("end-datetime", DAY + "T23:59:59Z");
    }

    @Test
    void aFailedPostIsKeptAndRetriedAndADomainWithoutARecordIsDropped() throws Exception {
        TlsRptReporter reporter = started(builder());
        reporter.tlsResult(tlsa("mx.b.test", "127.0.0.21", Failure.DNSSEC_INVALID, "bogus TLSA answer"));
        reporter.tlsResult(new TlsResult("c.test", PolicyType.NO_POLICY_FOUND, List.of(), "mx.c.test", "127.0.0.31",
                                         Failure.STARTTLS_NOT_SUPPORTED, "STARTTLS not offered"));
        reporter.tlsResult(sts("mx1.a.test", "127.0.0.11", null, "encrypted"));
        Instant after = Instant.parse("2031-03-05T00:01:00Z");

        httpStatus.set(503);
        assertThat(reporter.sendReports(after)).as("a.test's mail only").isEqualTo(1);
        httpStatus.set(302);
        assertThat(reporter.sendReports(after.plus(Duration.ofHours(1)))).as("a redirect is not followed").isZero();
        assertThat(posts).isEmpty();
        httpStatus.set(200);
        assertThat(reporter.sendReports(after.plus(Duration.ofHours(2)))).isEqualTo(1);

        assertThat(posts).hasSize(1);
        assertThat(details(((JsonArray) report(posts.get(0).body()).get("policies")).getMap(0)))
                .containsExactly("dnssec-invalid mx.b.test 127.0.0.21 1 bogus TLSA answer");
        assertThat(mailed).as("a.test was not mailed again").hasSize(1);
        // the mail endpoint got the component's own envelope headers
        assertThat(mailed.get(0).getMessage().getHeader("CamelSmtpRelayRecipients")).isEqualTo(List.of("tlsrpt@a.test"));
        assertThat(mailed.get(0).getMessage().getHeader("CamelSmtpRelayEnvelopeFrom")).isEqualTo("tlsrpt-noreply@relay.example.test");
        assertThat(dns.queries("_smtp._tls.c.test", org.xbill.DNS.Type.TXT)).as("c.test looked up once, then dropped").isEqualTo(1);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aReportNotSentWithinTheRetryPeriodIsGivenUp() throws Exception {
        TlsRptReporter reporter = started(builder().retryFor(Duration.ofHours(24)));
        reporter.tlsResult(tlsa("mx.b.test", "127.0.0.21", null, "dane-ee"));
        httpStatus.set(500);
        Instant end = Instant.parse("2031-03-05T00:00:00Z");
        assertThat(reporter.sendReports(end.plus(Duration.ofHours(23)))).isZero();
        httpStatus.set(200);

        assertThat(reporter.sendReports(end.plus(Duration.ofHours(25)))).isZero();
        assertThat(posts).isEmpty();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aWindowsMemoryIsBoundedButItsSummariesCountEverySession() throws Exception {
        dns.txt("_smtp._tls.c.test", "v=TLSRPTv1; rua=mailto:tlsrpt@c.test");
        TlsRptReporter reporter = started(builder().maxPolicies(2).maxDetails(2));
        for (int i = 1; i <= 5; i++) {
            reporter.tlsResult(tlsa("mx.b.test", "127.0.0." + i, Failure.TLSA_INVALID, "no TLSA match"));
        }
        reporter.tlsResult(tlsa("mx.b.test", "127.0.0.9", Failure.CERTIFICATE_NOT_TRUSTED, "unknown issuer"));
        reporter.tlsResult(sts("mx1.a.test", "127.0.0.11", null, "encrypted"));
        reporter.tlsResult(new TlsResult("c.test", PolicyType.NO_POLICY_FOUND, List.of(), "mx.c.test", "127.0.0.31", null, "encrypted"));

        assertThat(reporter.sendReports(Instant.parse("2031-03-05T00:01:00Z"))).isEqualTo(2);
        assertThat(mailed).as("c.test's result was a third policy, not counted").extracting(
                e -> e.getMessage().getHeader("CamelSmtpRelayRecipients")).containsExactly(List.of("tlsrpt@a.test"));
        JsonObject dane = ((JsonArray) report(posts.get(0).body()).get("policies")).getMap(0);
        assertThat(summary(dane)).isEqualTo(List.of(0L, 6L));
        assertThat(details(dane)).containsExactly(
                "tlsa-invalid mx.b.test 127.0.0.1 1 no TLSA match",
                "tlsa-invalid mx.b.test 127.0.0.2 1 no TLSA match",
                "tlsa-invalid - - 3 " + ReportWindow.MORE_FAILURES,
                "certificate-not-trusted - - 1 " + ReportWindow.MORE_FAILURES);
    }

    @Test
    void aCompactedWindowReloadsWithExactCounts() throws Exception {
        TlsRptReporter first = builder().build();
        int n = TlsRptStore.COMPACT_AFTER + 7;
        for (int i = 0; i < n; i++) {
            first.tlsResult(tlsa("mx.b.test", "127.0.0.21", i % 2 == 0 ? null : Failure.TLSA_INVALID, "no TLSA match"));
        }
        try (Stream<Path> files = Files.list(dir.resolve("20310304T000000Z"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .as("one compaction: the snapshot and the segment after it").containsExactly("journal-000001.log", "snapshot.json");
        }

        TlsRptReporter second = started(builder());
        assertThat(second.sendReports(Instant.parse("2031-03-05T00:01:00Z"))).isEqualTo(1);
        JsonObject dane = ((JsonArray) report(posts.get(0).body()).get("policies")).getMap(0);
        assertThat(summary(dane)).isEqualTo(List.of((long) (n + 1) / 2, (long) n / 2));
    }

    @Test
    void theSchemaAcceptsTheRfcsOwnExampleAndRefusesBrokenReports() throws Exception {
        String example;
        try (InputStream in = getClass().getResourceAsStream("/tlsrpt/rfc8460-appendix-b.json")) {
            example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(schema.validate(example, InputFormat.JSON)).isEmpty();

        JsonObject json = (JsonObject) Jsoner.deserialize(example);
        json.remove("report-id");
        assertThat(errors(json)).anyMatch(e -> e.contains("report-id"));
        json = (JsonObject) Jsoner.deserialize(example);
        ((JsonObject) ((JsonArray) json.get("policies")).getMap(0).get("policy")).put("policy-type", "dane");
        assertThat(errors(json)).isNotEmpty();
        json = (JsonObject) Jsoner.deserialize(example);
        ((JsonObject) json.get("date-range")).put("start-datetime", "04/01/2016");
        assertThat(errors(json)).as("format assertions are on").isNotEmpty();
        json = (JsonObject) Jsoner.deserialize(example);
        JsonObject entry = ((JsonArray) json.get("policies")).getMap(0);
        JsonObject detail = ((JsonArray) entry.get("failure-details")).getMap(0);
        detail.put("result-type", "expired");
        assertThat(errors(json)).isNotEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** The gunzipped report, after checking it against the RFC's schema. */
    private static JsonObject report(byte[] gzip) throws Exception {
        String json;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Error> errors = schema.validate(json, InputFormat.JSON);
        assertThat(errors).as("schema errors of " + json).isEmpty();
        return (JsonObject) Jsoner.deserialize(json);
    }

    private static List<String> errors(JsonObject json) {
        return schema.validate(json.toJson(), InputFormat.JSON).stream().map(Error::toString).toList();
    }

    private static JsonObject policy(JsonArray policies, List<String> strings) {
        return policies.stream().map(JsonObject.class::cast)
                .filter(p -> strings.equals(((JsonObject) p.get("policy")).getOrDefault("policy-string", List.of())))
                .findFirst().orElseThrow();
    }

    private static List<Long> summary(JsonObject policy) {
        JsonObject s = (JsonObject) policy.get("summary");
        return List.of(((Number) s.get("total-successful-session-count")).longValue(),
                       ((Number) s.get("total-failure-session-count")).longValue());
    }

    private static List<String> details(JsonObject policy) {
        List<String> out = new ArrayList<>();
        for (Object o : (Collection<?>) policy.get("failure-details")) {
            JsonObject d = (JsonObject) o;
            out.add(d.get("result-type") + " " + d.getOrDefault("receiving-mx-hostname", "-") + " "
                    + d.getOrDefault("receiving-ip", "-") + " " + ((Number) d.get("failed-session-count")).longValue() + " "
                    + d.get("failure-reason-code"));
        }
        return out;
    }
}
