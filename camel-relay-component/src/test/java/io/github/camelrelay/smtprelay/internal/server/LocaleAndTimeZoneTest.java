package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.TimeZone;

import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import io.github.camelrelay.smtprelay.SmtpRelayConsumer;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listener and the producer under a Turkish default locale (where {@code "I".toLowerCase()} is a dotless
 * {@code "ı"} and {@code "i".toUpperCase()} a dotted {@code "İ"}) and a time zone fourteen hours ahead of UTC: SMTP
 * keywords in lower case, option names and domains with an I, and dates all come out as they do anywhere else.
 * The relay runs client → listener → producer (MX mode, on the test DNS) → next hop, all on loopback.
 */
class LocaleAndTimeZoneTest {

    /** 10:05 UTC on 23 November is already 00:05 on the 24th in Kiritimati, so a UTC date would show. */
    private static final Instant NOW = Instant.parse("2026-11-23T10:05:00Z");
    private static final String KIRITIMATI_DATE = "Tue, 24 Nov 2026 00:05:00 +1400";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Locale savedLocale;
    private static TimeZone savedZone;

    private TestDnsServer dns;
    private TestSmtpServer nextHop;
    private CamelContext context;
    private int port;

    @BeforeAll
    static void turkishLocaleAndFarTimeZone() {
        savedLocale = Locale.getDefault();
        savedZone = TimeZone.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
        assertThat("MAIL".toLowerCase()).as("the JVM folds case the Turkish way").isNotEqualTo("mail");
    }

    @AfterAll
    static void restore() {
        Locale.setDefault(savedLocale);
        TimeZone.setDefault(savedZone);
    }

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        int mxPort = TestSmtpServer.freePortOnAll("127.0.0.2");
        nextHop = TestSmtpServer.start("127.0.0.2", mxPort);
        // a domain full of capital I: folded the Turkish way it would be "ıllınoıs.test", which has no MX
        dns.mx("illinois.test", 10, "mx.illinois.test").a("mx.illinois.test", "127.0.0.2");
        context = new DefaultCamelContext();
        // the system clock in the JVM's (Kiritimati) zone, fixed at NOW: what the component does by default, frozen
        context.getComponent("smtprelay", SmtpRelayComponent.class).setClock(Clock.fixed(NOW, ZoneId.systemDefault()));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // option names with a capital I, which the generated configurers fold with Locale.ROOT
                from("smtprelay:in?port=0&heloName=relay.example.test&localDomains=ILLINOIS.TEST&idleTimeout=30000"
                     + "&maxConnectionsPerClient=5")
                        .routeId("relay")
                        .to("smtprelay:out?dnsServers=" + dns.address() + "&mxPort=" + mxPort + "&tls=NONE"
                            + "&heloName=relay.example.test&connectionIdleTimeout=0&implicitTls=false");
            }
        });
        context.start();
        port = ((SmtpRelayConsumer) context.getRoute("relay").getConsumer()).getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
        nextHop.close();
        dns.close();
    }

    @Test
    void lowerCaseCommandsAndCapitalIDomainsAreRelayedWithDatesInTheClocksZone() {
        String message = "From: Irmak <irmak@client.test>\r\nTo: ian@illinois.test\r\nSubject: Istanbul\r\n\r\nMerhaba.\r\n";
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            assertThat(c.send("ehlo client.test").code()).isEqualTo(250);
            assertThat(c.send("mail from:<irmak@client.test>").text()).startsWith("250 2.1.0");
            assertThat(c.send("rcpt to:<Ian@ILLINOIS.TEST>").text()).startsWith("250 2.1.5");
            assertThat(c.send("data").code()).isEqualTo(354);
            assertThat(c.send(message + ".").text()).startsWith("250 2.0.0");
            assertThat(c.send("quit").code()).isEqualTo(221);
        }

        TestSmtpServer.Received received = nextHop.awaitMessage(WAIT);
        // the domain folded with Locale.ROOT, the local part as given
        assertThat(received.recipients()).containsExactly("Ian@illinois.test");
        String data = new String(received.data(), StandardCharsets.UTF_8);
        // one trace header per hop: the listener's (the producer adds none behind it), dated in the clock's zone
        assertThat(data).startsWith("Received: from client.test ([127.0.0.1])\r\n\tby relay.example.test with ESMTP id ");
        assertThat(data.lines().limit(8).filter(l -> l.endsWith(KIRITIMATI_DATE)).count())
                .as("Received headers dated %s in:%n%s", KIRITIMATI_DATE, data).isEqualTo(1);
        assertThat(data).endsWith(message);
        assertThat(nextHop.commands()).contains("MAIL FROM:<irmak@client.test> SIZE=" + received.data().length);
    }
}
