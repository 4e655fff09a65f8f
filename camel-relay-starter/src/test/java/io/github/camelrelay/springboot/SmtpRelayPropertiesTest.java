package io.github.camelrelay.springboot;

import io.github.camelrelay.smtprelay.IpVersion;
import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import io.github.camelrelay.smtprelay.SmtpRelayConfiguration;
import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.TlsMode;
import io.github.camelrelay.smtprelay.tlspolicy.TlsPolicyTable;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/** Application properties reach the component, and through it every endpoint, unless the URI says otherwise. */
@SpringBootTest(classes = SmtpRelayPropertiesTest.App.class, properties = {
        "camel.component.smtprelay.relay-host=smtp.example.net",
        "camel.component.smtprelay.relay-port=587",
        "camel.component.smtprelay.username=app",
        "camel.component.smtprelay.password=s3cret",
        "camel.component.smtprelay.tls=required",
        "camel.component.smtprelay.allow-auth-without-verified-tls=true",
        "camel.component.smtprelay.own-addresses=192.0.2.25",
        "camel.component.smtprelay.ip-version=ipv4",
        "camel.component.smtprelay.helo-name=relay.example.org",
        "camel.component.smtprelay.dns-servers=127.0.0.1:5353",
        "camel.component.smtprelay.batch-size=7",
        "camel.component.smtprelay.command-timeout=1234",
        "camel.component.smtprelay.connect-timeout=30s",
        "camel.component.smtprelay.data-done-timeout=PT2M",
        "camel.component.smtprelay.idle-timeout=5m",
        "camel.component.smtprelay.add-received-header=false",
        "camel.component.smtprelay.ssl-context-parameters=#bean:relayTls",
        "camel.component.smtprelay.listener=#auditListener",
        "camel.component.smtprelay.port=2626",
        "camel.component.smtprelay.health-check-producer-enabled=false",
        // tlsPolicies as a map (selector to policy) and as a list (whole entries), both binding to one property
        "camel.component.smtprelay.tls-policies[bank.example]=VERIFY",
        "camel.component.smtprelay.tls-policies[.partner.example]=REQUIRED, pin=sha256:" + SmtpRelayPropertiesTest.PIN,
        "camel.component.smtprelay.tls-policies[0]=[smtp.example.net]:587: VERIFY",
        "camel.component.smtprelay.tls-policies[1]=Other.Example: none",
        "camel.component.smtprelay.mta-sts-port=8443",
        "camel.component.smtprelay.mta-sts-cache-directory=/var/lib/relay/mta-sts",
        "camel.component.smtprelay.dnssec=true" })
class SmtpRelayPropertiesTest {

    static final String PIN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Autowired
    CamelContext camelContext;

    @Autowired
    SSLContextParameters relayTls;

    @Autowired
    SmtpRelayListener auditListener;

    @Test
    void propertiesBecomeTheEndpointsConfiguration() {
        SmtpRelayConfiguration c = camelContext.getEndpoint("smtprelay:x", SmtpRelayEndpoint.class).getConfiguration();

        assertThat(c.getRelayHost()).isEqualTo("smtp.example.net");
        assertThat(c.getRelayPort()).isEqualTo(587);
        assertThat(c.getUsername()).isEqualTo("app");
        assertThat(c.getPassword()).isEqualTo("s3cret");
        assertThat(c.getTls()).isEqualTo(TlsMode.REQUIRED);
        assertThat(c.isAllowAuthWithoutVerifiedTls()).as("required without verification needs the opt-out").isTrue();
        assertThat(c.getOwnAddresses()).isEqualTo("192.0.2.25");
        assertThat(c.getIpVersion()).isEqualTo(IpVersion.IPV4);
        assertThat(c.getHeloName()).isEqualTo("relay.example.org");
        assertThat(c.getDnsServers()).isEqualTo("127.0.0.1:5353");
        assertThat(c.getBatchSize()).isEqualTo(7);
        assertThat(c.getCommandTimeout()).as("plain milliseconds").isEqualTo(1234);
        assertThat(c.getConnectTimeout()).as("30s").isEqualTo(30_000);
        assertThat(c.getDataDoneTimeout()).as("PT2M").isEqualTo(120_000);
        assertThat(c.isAddReceivedHeader()).isFalse();
        assertThat(c.getSslContextParameters()).isSameAs(relayTls);
        assertThat(c.getListener()).isSameAs(auditListener);
        // untouched options keep the component's defaults
        assertThat(c.getMxPort()).isEqualTo(25);
        assertThat(c.getDataTimeout()).isEqualTo(600000);
    }

    @Test
    void tlsPoliciesGivenAsAMapAndAsAListReachTheEndpointAsOneTable() {
        SmtpRelayConfiguration c = camelContext.getEndpoint("smtprelay:t", SmtpRelayEndpoint.class).getConfiguration();

        assertThat(TlsPolicyTable.parse(c.getTlsPolicies())).isEqualTo(TlsPolicyTable.parse(
                "bank.example: VERIFY; .partner.example: REQUIRED, pin=sha256:" + PIN
                + "; [smtp.example.net]:587: VERIFY; other.example: NONE"));
        assertThat(c.getMtaStsPort()).isEqualTo(8443);
        assertThat(c.getMtaStsCacheDirectory()).isEqualTo("/var/lib/relay/mta-sts");
        assertThat(c.isDnssec()).isTrue();
        assertThat(c.isDane()).as("the default").isTrue();
        assertThat(c.isMtaSts()).as("the default").isTrue();
    }

    @Test
    void uriOptionsOverrideTheProperties() {
        SmtpRelayConfiguration c = camelContext
                .getEndpoint("smtprelay:y?relayPort=2525&batchSize=3", SmtpRelayEndpoint.class).getConfiguration();

        assertThat(c.getRelayPort()).isEqualTo(2525);
        assertThat(c.getBatchSize()).isEqualTo(3);
        assertThat(c.getRelayHost()).isEqualTo("smtp.example.net");
    }

    @Test
    void serverAndComponentOptionsReachTheComponent() {
        SmtpRelayComponent component = camelContext.getComponent("smtprelay", SmtpRelayComponent.class);

        assertThat(component.getServer().getPort()).isEqualTo(2626);
        assertThat(component.getServer().getIdleTimeout()).as("5m").isEqualTo(300_000);
        assertThat(component.isHealthCheckProducerEnabled()).isFalse();
        assertThat(camelContext.getEndpoint("smtprelay:z", SmtpRelayEndpoint.class).getServer().getPort()).isEqualTo(2626);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        SSLContextParameters relayTls() {
            return new SSLContextParameters();
        }

        @Bean
        SmtpRelayListener auditListener() {
            return new SmtpRelayListener() {
            };
        }

        // a second listener, so that the component's autowiring (which takes a single bean) cannot explain the result
        @Bean
        SmtpRelayListener otherListener() {
            return new SmtpRelayListener() {
            };
        }
    }
}
