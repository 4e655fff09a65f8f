package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.camelrelay.smtprelay.IpVersion;
import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import io.github.camelrelay.smtprelay.SmtpRelayConfiguration;
import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.TlsMode;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.apache.camel.ResolveEndpointFailedException;
import org.junit.jupiter.api.Test;

/** The URI smtprelay:name[?options], option validation, and the choice between relay host and MX delivery. */
class EndpointConfigurationTest extends ProducerTestSupport {

    @Test
    void optionsFromTheUriReachTheConfiguration() {
        SmtpRelayEndpoint endpoint = context.getEndpoint("smtprelay:outbound?relayHost=smtp.example.test&relayPort=587"
                                                         + "&username=u&password=p&tls=REQUIRED&allowAuthWithoutVerifiedTls=true"
                                                         + "&batchSize=7&maxMxHosts=3"
                                                         + "&connectTimeout=1234&commandTimeout=2345&dataTimeout=3456"
                                                         + "&ipVersion=IPV4&addReceivedHeader=false&maxConnectionsPerHost=2"
                                                         + "&connectionIdleTimeout=0&maxMessagesPerConnection=9"
                                                         + "&deliveryThreads=3&heloName=me.example.test&useEhlo=false"
                                                         + "&dnsServers=" + dns.address() + "&dnsTimeout=700&mxPort=2525",
                SmtpRelayEndpoint.class);

        SmtpRelayConfiguration c = endpoint.getConfiguration();
        assertThat(endpoint.getName()).isEqualTo("outbound");
        assertThat(c.getRelayHost()).isEqualTo("smtp.example.test");
        assertThat(c.effectiveRelayPort()).isEqualTo(587);
        assertThat(c.getUsername()).isEqualTo("u");
        assertThat(c.getPassword()).isEqualTo("p");
        assertThat(c.effectiveTls()).isEqualTo(TlsMode.REQUIRED);
        assertThat(c.isAllowAuthWithoutVerifiedTls()).isTrue();
        assertThat(c.getBatchSize()).isEqualTo(7);
        assertThat(c.getMaxMxHosts()).isEqualTo(3);
        assertThat(c.getConnectTimeout()).isEqualTo(1234);
        assertThat(c.getCommandTimeout()).isEqualTo(2345);
        assertThat(c.getDataTimeout()).isEqualTo(3456);
        assertThat(c.getIpVersion()).isEqualTo(IpVersion.IPV4);
        assertThat(c.isAddReceivedHeader()).isFalse();
        assertThat(c.getMaxConnectionsPerHost()).isEqualTo(2);
        assertThat(c.getConnectionIdleTimeout()).isZero();
        assertThat(c.getMaxMessagesPerConnection()).isEqualTo(9);
        assertThat(c.getDeliveryThreads()).isEqualTo(3);
        assertThat(endpoint.getHeloName()).isEqualTo("me.example.test");
        assertThat(c.isUseEhlo()).isFalse();
        assertThat(c.getDnsTimeout()).isEqualTo(700);
        assertThat(c.getMxPort()).isEqualTo(2525);
        assertThat(c.isRelayMode()).isTrue();
    }

    @Test
    void defaults() {
        SmtpRelayConfiguration c = context.getEndpoint("smtprelay:plain", SmtpRelayEndpoint.class).getConfiguration();

        assertThat(c.isRelayMode()).isFalse();
        assertThat(c.effectiveTls()).isEqualTo(TlsMode.OPPORTUNISTIC);
        assertThat(c.effectiveRelayPort()).isEqualTo(25);
        assertThat(c.getMxPort()).isEqualTo(25);
        assertThat(c.getBatchSize()).isEqualTo(50);
        assertThat(c.isAddReceivedHeader()).isTrue();
        assertThat(c.getIpVersion()).isEqualTo(IpVersion.ANY);
        assertThat(c.isAllowAuthWithoutVerifiedTls()).isFalse();
    }

    @Test
    void credentialsWithoutAVerifiedCertificateAreRefusedAtStartUpNamingTheOptions() {
        String relay = "smtprelay:x?relayHost=smtp.example.test&username=u&password=p";
        java.util.Map<String, String> found = java.util.Map.of("&tls=NONE", "NONE", "&tls=OPPORTUNISTIC", "OPPORTUNISTIC",
                "&tls=REQUIRED", "REQUIRED", "&tls=REQUIRED&implicitTls=true", "REQUIRED");
        found.forEach((options, mode) -> assertThatThrownBy(() -> context.getEndpoint(relay + options))
                .as(options)
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasStackTraceContaining("Options username and tls")
                .hasStackTraceContaining("expected tls=VERIFY")
                .hasStackTraceContaining("but found tls=" + mode + ".")
                .hasStackTraceContaining("sslContextParameters")
                .hasStackTraceContaining("allowAuthWithoutVerifiedTls=true"));
        assertThat(context.getEndpoint(relay, SmtpRelayEndpoint.class).getConfiguration().effectiveTls())
                .as("the default with credentials").isEqualTo(TlsMode.VERIFY);
        assertThat(context.getEndpoint(relay + "&tls=VERIFY&implicitTls=true", SmtpRelayEndpoint.class)).isNotNull();
        assertThat(context.getEndpoint(relay + "&tls=NONE&allowAuthWithoutVerifiedTls=true", SmtpRelayEndpoint.class)
                .getConfiguration().isAllowAuthWithoutVerifiedTls()).isTrue();
        // the same with the credentials set on the component, as the starter does
        SmtpRelayComponent component = context.getComponent("smtprelay", SmtpRelayComponent.class);
        component.getConfiguration().setUsername("u");
        component.getConfiguration().setPassword("p");
        component.getConfiguration().setTls(TlsMode.OPPORTUNISTIC);
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:y?relayHost=smtp.example.test"))
                .hasStackTraceContaining("Options username and tls");
    }

    @Test
    void relayHostWithCredentialsVerifiesTlsByDefaultAndImplicitTlsUsesPort465() {
        SmtpRelayConfiguration c = context.getEndpoint("smtprelay:a?relayHost=smtp.example.test&username=u&password=p&implicitTls=true",
                SmtpRelayEndpoint.class).getConfiguration();

        assertThat(c.effectiveTls()).isEqualTo(TlsMode.VERIFY);
        assertThat(c.effectiveRelayPort()).isEqualTo(465);
    }

    @Test
    void componentOptionsAreTheDefaultsOfEveryEndpoint() {
        SmtpRelayComponent component = context.getComponent("smtprelay", SmtpRelayComponent.class);
        component.getConfiguration().setBatchSize(3);
        component.getConfiguration().setHeloName("component.example.test");

        SmtpRelayEndpoint first = context.getEndpoint("smtprelay:first", SmtpRelayEndpoint.class);
        SmtpRelayEndpoint second = context.getEndpoint("smtprelay:second?batchSize=4", SmtpRelayEndpoint.class);

        assertThat(first.getConfiguration().getBatchSize()).isEqualTo(3);
        assertThat(first.getHeloName()).isEqualTo("component.example.test");
        assertThat(second.getConfiguration().getBatchSize()).isEqualTo(4);
        assertThat(component.getConfiguration().getBatchSize()).isEqualTo(3);
    }

    @Test
    void unknownEnumValueFailsEndpointResolution() {
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?tls=BOGUS"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasStackTraceContaining("BOGUS")
                .hasStackTraceContaining("TlsMode");
    }

    @Test
    void unknownOptionNameFailsEndpointResolution() {
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?bogusOption=1"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining("bogusOption");
    }

    @Test
    void outOfRangeValuesFailWithTheOptionNameAndTheExpectedRange() {
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?batchSize=0"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasStackTraceContaining("Option batchSize: expected a value from 1 to 10000 but found 0");
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?mxPort=70000"))
                .hasStackTraceContaining("Option mxPort");
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?commandTimeout=0"))
                .hasStackTraceContaining("Option commandTimeout");
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?maxConnectionsPerHost=0"))
                .hasStackTraceContaining("Option maxConnectionsPerHost");
    }

    @Test
    void inconsistentOrMalformedOptionsFailEndpointResolution() {
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?batchSize=many"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasStackTraceContaining("many");
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?password=p&relayHost=h"))
                .hasStackTraceContaining("username");
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?username=u&password=p"))
                .hasStackTraceContaining("relayHost");
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?heloName=not a name"))
                .hasStackTraceContaining("Option heloName");
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:x?dnsServers=127.0.0.1:99999"))
                .hasStackTraceContaining("127.0.0.1:99999");
    }

    @Test
    void anEndpointNeedsAName() {
        assertThatThrownBy(() -> context.getEndpoint("smtprelay:?batchSize=5"))
                .hasStackTraceContaining("smtprelay:name");
    }

    @Test
    void withRelayHostEveryMessageGoesThereAndNoMxLookupIsMade() {
        dns.mx("other.test", 10, "mx2.example.test");

        Exchange exchange = send(relayUri(MX2_IP, ""), RAW, java.util.Map.of(
                io.github.camelrelay.smtprelay.SmtpRelayConstants.RECIPIENTS, "bob@example.test, dan@other.test"));

        assertThat(exchange.getException()).isNull();
        Received received = mx2.awaitMessage(WAIT);
        assertThat(received.recipients()).as("one transaction for all domains").containsExactly("bob@example.test", "dan@other.test");
        assertThat(report(exchange).statuses()).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DELIVERED);
            assertThat(s.host()).isEqualTo(MX2_IP);
            assertThat(s.port()).isEqualTo(port);
        });
        assertThat(dns.queries()).isZero();
        assertThat(mx1.connections()).isZero();
    }

    @Test
    void withoutRelayHostEachDomainIsResolvedByMx() {
        dns.mx("other.test", 10, "mx2.example.test");

        Exchange exchange = send(mxUri(), RAW, java.util.Map.of(
                io.github.camelrelay.smtprelay.SmtpRelayConstants.RECIPIENTS, "bob@example.test, dan@other.test"));

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test");
        assertThat(mx2.awaitMessage(WAIT).recipients()).containsExactly("dan@other.test");
        assertThat(dns.queries("example.test", org.xbill.DNS.Type.MX)).isEqualTo(1);
        assertThat(dns.queries("other.test", org.xbill.DNS.Type.MX)).isEqualTo(1);
    }

    @Test
    void heloNameIsSentInEhloAndWrittenInTheReceivedHeader() {
        Exchange exchange = send(mxUri(), RAW);

        assertThat(exchange.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.helo()).isEqualTo(HELO);
        assertThat(received.ehloOrHelo()).isEqualTo("EHLO");
        assertThat(received.text()).startsWith("Received: by " + HELO + " (Camel SMTP Relay) id ");
    }

    /** The test URI with this heloName instead of the tests' fully qualified one. */
    private static String withHelo(String uri, String heloName) {
        assertThat(uri).contains("&heloName=" + HELO);
        return uri.replace("&heloName=" + HELO, "&heloName=" + heloName);
    }

    @Test
    void inMxModeAHeloNameThatIsNotFullyQualifiedRefusesToStartAndSaysToSetHeloName() {
        for (String name : new String[] {"localhost", "localhost.localdomain", "relay", "%5B127.0.0.1%5D"}) {
            assertThatThrownBy(() -> send(withHelo(mxUri(), name), RAW)).as(name)
                    .hasStackTraceContaining("Option heloName: expected the fully qualified domain name")
                    .hasStackTraceContaining("set heloName");
        }
        assertThat(mx1.connections()).as("nothing was sent with such a name").isZero();
    }

    @Test
    void inRelayModeAHeloNameThatIsNotFullyQualifiedIsWarnedAboutOnceAndUsed() {
        try (LogCapture capture = LogCapture.start()) {
            Exchange first = send(withHelo(relayUri(MX2_IP, ""), "localhost"), RAW);
            Exchange second = send(withHelo(relayUri(MX2_IP, ""), "localhost"), RAW);

            assertThat(first.getException()).isNull();
            assertThat(second.getException()).isNull();
            assertThat(mx2.awaitMessage(WAIT).helo()).isEqualTo("localhost");
            assertThat(capture.messages(SmtpRelayEndpoint.class.getName()))
                    .filteredOn(m -> m.contains("EHLO localhost") && m.contains("set heloName")).hasSize(1);
        }
    }

    @Test
    void useEhloFalseGreetsWithHeloOnly() {
        Exchange exchange = send(mxUri("&useEhlo=false"), RAW);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).ehloOrHelo()).isEqualTo("HELO");
        assertThat(mx1.commands()).noneMatch(c -> c.startsWith("EHLO"));
    }

    @Test
    void anUnknownRelayHostDefersEverything() {
        Exchange exchange = send(relayUri("no-such-host.invalid", ""), RAW);

        assertThat(exchange.getException()).isInstanceOf(io.github.camelrelay.smtprelay.SmtpRelayTransientException.class);
        assertThat(report(exchange).statuses()).allSatisfy(s -> {
            assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(s.enhancedStatus()).isEqualTo("4.4.3");
        });
    }
}
