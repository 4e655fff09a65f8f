package io.github.camelrelay.springboot.tlsrpt;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import io.github.camelrelay.smtprelay.tlsrpt.TlsRptReporter;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS reporting in a relay from properties, on a real embedded Artemis: the reporter is a listener the producer's
 * registry look-up finds, and a mailed report goes through the relay's own queue and delivery to the SMTP server on
 * loopback the relay relays to, with the TXT record served by a DNS server on loopback.
 */
@SpringBootTest(classes = TlsReportingRelayTest.App.class, properties = {
        "spring.artemis.mode=embedded",
        "spring.artemis.embedded.persistent=true",
        "camel.smtprelay.relay.enabled=true",
        "camel.smtprelay.relay.reporting-mta=relay.example.test",
        "camel.smtprelay.relay.ingress.enabled=false",
        "camel.smtprelay.relay.retry.initial-delay=1h",
        "camel.component.smtprelay.helo-name=relay.example.test",
        "camel.component.smtprelay.relay-host=127.0.0.1",
        "camel.component.smtprelay.tls=NONE",
        "camel.smtprelay.tls-reporting.enabled=true",
        "camel.smtprelay.tls-reporting.organization-name=Relay Example Inc.",
        "camel.smtprelay.tls-reporting.contact-info=tls-reports@relay.example.test",
        "camel.smtprelay.tls-reporting.report-sender=tlsrpt-noreply@relay.example.test" })
class TlsReportingRelayTest {

    static final TestSmtpServer RELAY_HOST = TestSmtpServer.start("127.0.0.1", 0);
    static final TestDnsServer DNS = TestDnsServer.start().txt("_smtp._tls.a.test", "v=TLSRPTv1; rua=mailto:tlsrpt@a.test");

    @Autowired
    TlsRptReporter reporter;

    @Autowired
    CamelContext camelContext;

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("tlsrpt-artemis");
        Path counts = Files.createTempDirectory("tlsrpt-counts");
        registry.add("spring.artemis.embedded.data-directory", data::toString);
        registry.add("camel.smtprelay.tls-reporting.directory", counts::toString);
        registry.add("camel.component.smtprelay.relay-port", RELAY_HOST::port);
        registry.add("camel.component.smtprelay.dns-servers", DNS::address);
    }

    @AfterAll
    static void stopServers() {
        RELAY_HOST.close();
        DNS.close();
    }

    @Test
    void aMailedReportGoesThroughTheRelaysQueue() throws Exception {
        assertThat(camelContext.getRegistry().findByType(SmtpRelayListener.class)).as("what the producer calls").contains(reporter);
        reporter.tlsResult(new TlsResult("a.test", TlsResult.PolicyType.TLSA, List.of("3 1 1 00ff"), "mx.a.test", "127.0.0.7",
                                         TlsResult.Failure.TLSA_INVALID, "no TLSA match"));

        // the sessions were counted today: the day after, their window has ended, whenever the test runs
        assertThat(reporter.sendReports(Instant.now().plus(Duration.ofDays(1)))).isEqualTo(1);

        TestSmtpServer.Received got = RELAY_HOST.awaitMessage(Duration.ofSeconds(30));
        assertThat(got.mailFrom()).isEqualTo("tlsrpt-noreply@relay.example.test");
        assertThat(got.recipients()).containsExactly("tlsrpt@a.test");
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(got.data()));
        assertThat(message.getHeader("TLS-Report-Domain", null)).isEqualTo("a.test");
        assertThat(message.getHeader("TLS-Report-Submitter", null)).isEqualTo("relay.example.test");
        assertThat(new ContentType(message.getContentType()).getParameter("report-type")).isEqualTo("tlsrpt");
        MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(message.getInputStream(), message.getContentType()));
        String json;
        try (InputStream in = new GZIPInputStream(parts.getBodyPart(1).getInputStream())) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JsonObject report = (JsonObject) Jsoner.deserialize(json);
        assertThat(report.get("organization-name")).isEqualTo("Relay Example Inc.");
        JsonObject policy = ((JsonArray) report.get("policies")).getMap(0);
        JsonObject failure = ((JsonArray) policy.get("failure-details")).getMap(0);
        assertThat(failure.get("result-type")).isEqualTo("tlsa-invalid");
        assertThat(failure.get("receiving-ip")).isEqualTo("127.0.0.7");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
