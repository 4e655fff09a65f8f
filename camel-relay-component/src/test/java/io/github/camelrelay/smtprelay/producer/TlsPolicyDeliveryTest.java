package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * The tlsPolicies table in deliveries, against the SMTP servers on 127.0.0.2 and .3 presenting the static self-signed
 * certificate (which names mx1.example.test): VERIFY with and without a trust store that has it, pins, NONE for the
 * domains below one, the relay host's entry, and the endpoint refusing a table it cannot apply.
 */
class TlsPolicyDeliveryTest extends ProducerTestSupport {

    private static String certificatePin() throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(TestCertificates.certificate().getEncoded()));
    }

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("trustTest", trustingTestCertificate());
    }

    @BeforeEach
    void domains() {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        dns.mx("other.test", 10, "mx1.other.test").a("mx1.other.test", MX1_IP)
                .mx("sub.example.test", 10, "mx1.example.test")
                .mx("named.test", 10, "mx9.named.test").a("mx9.named.test", MX1_IP);
    }

    @Test
    void verifyForOneDomainLeavesTheOthersToTheTlsOption() {
        String uri = mxUri("&tlsPolicies=example.test: VERIFY&sslContextParameters=#trustTest");

        Exchange verified = sendTo(uri, "bob@example.test");
        Exchange other = sendTo(uri, "bob@other.test");

        assertThat(verified.getException()).isNull();
        assertThat(only(verified).tlsPolicy()).isEqualTo("verify");
        assertThat(other.getException()).isNull();
        assertThat(only(other).tlsPolicy()).isEqualTo("opportunistic");
        assertThat(mx1.awaitMessages(2, WAIT)).allSatisfy(m -> assertThat(m.tls()).isTrue());
        assertThat(mx1.connections()).as("a session verified for a policy does not carry mail under another").isEqualTo(2);
        assertThat(dns.queries("_mta-sts.example.test", Type.TXT)).as("the entry replaces MTA-STS").isZero();
        assertThat(dns.queries("_mta-sts.other.test", Type.TXT)).isEqualTo(1);
    }

    @Test
    void verifyDefersACertificateNotTrustedOrNotNamingTheHost() {
        // the JVM's trust store does not have the self-signed test certificate
        Exchange untrusted = sendTo(mxUri("&tlsPolicies=example.test: VERIFY"), "bob@example.test");
        Exchange otherName = sendTo(mxUri("&tlsPolicies=named.test: VERIFY&sslContextParameters=#trustTest"), "bob@named.test");

        assertDeferredByPolicyStartingWith(untrusted, "verify-fail (certificate not trusted: ");
        assertDeferredByPolicyStartingWith(otherName, "verify-fail (the certificate names none of [mx9.named.test])");
        assertThat(mx1.commands()).noneMatch(c -> c.startsWith("MAIL FROM"));
    }

    @Test
    void aPinnedCertificateNeedsNoTrustStoreAndAnotherIsRefused() throws Exception {
        String pin = certificatePin();

        Exchange pinned = sendTo(mxUri("&tlsPolicies=example.test: REQUIRED, pin=sha256:" + pin), "bob@example.test");
        Exchange verifiedAndPinned = sendTo(mxUri("&tlsPolicies=example.test: VERIFY, pin=sha256:" + pin
                                                  + "&sslContextParameters=#trustTest"), "bob@example.test");
        Exchange otherPin = sendTo(mxUri("&tlsPolicies=example.test: REQUIRED, pin=sha256:" + "ab".repeat(32)),
                "bob@example.test");

        assertThat(pinned.getException()).isNull();
        assertThat(only(pinned).tlsPolicy()).isEqualTo("pin");
        assertThat(verifiedAndPinned.getException()).isNull();
        assertThat(only(verifiedAndPinned).tlsPolicy()).isEqualTo("verify+pin");
        assertDeferredByPolicyStartingWith(otherPin, "pin-fail (no pinned fingerprint matches the certificate)");
        assertThat(mx1.awaitMessages(2, WAIT)).hasSize(2);
    }

    @Test
    void noneForTheDomainsBelowOneNeverStartsTls() {
        String uri = mxUri("&tlsPolicies=.example.test: NONE");

        Exchange below = sendTo(uri, "bob@sub.example.test");
        Exchange itself = sendTo(uri, "bob@example.test");

        assertThat(below.getException()).isNull();
        assertThat(only(below).tlsPolicy()).isEqualTo("no");
        assertThat(itself.getException()).isNull();
        assertThat(only(itself).tlsPolicy()).as(".example.test is not example.test").isEqualTo("opportunistic");
        assertThat(mx1.awaitMessages(2, WAIT)).extracting(Received::tls).containsExactly(false, true);
    }

    @Test
    void theRelayHostsEntryApplies() {
        // mx2 offers no STARTTLS
        Exchange required = send(relayUri(MX2_IP, "&tlsPolicies=[" + MX2_IP + "]:" + port + ": REQUIRED"), RAW,
                Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test"));
        Exchange otherPort = send(relayUri(MX2_IP, "&tlsPolicies=[" + MX2_IP + "]:25: REQUIRED"), RAW,
                Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test"));

        assertDeferredByPolicyStartingWith(required, "required-fail (STARTTLS not offered)");
        assertThat(only(required).replyText()).isEqualTo("TLS is required (required), but was not offered by host " + MX2_IP);
        assertThat(otherPort.getException()).isNull();
        assertThat(only(otherPort).tlsPolicy()).isEqualTo("no");
    }

    @Test
    void aTableTheEndpointCannotApplyStopsIt() {
        assertThatThrownBy(() -> context.getEndpoint(mxUri("&tlsPolicies=example.test: DANE_ONLY")))
                .hasStackTraceContaining("Option tlsPolicies: DANE for [example.test] needs DNSSEC-validated look-ups:"
                                         + " expected dnssec=true and dane=true but found dnssec=false and dane=true");
        assertThatThrownBy(() -> context.getEndpoint(mxUri("&tlsPolicies=example.test: SECURE")))
                .hasStackTraceContaining("Option tlsPolicies: TLS policy for example.test: Expected a TLS policy level");
        assertThat(mx1.connections()).isZero();
    }
}
