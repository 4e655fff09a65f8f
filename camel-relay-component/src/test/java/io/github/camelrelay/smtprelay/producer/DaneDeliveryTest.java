package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestCertificateAuthority;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DANE for SMTP (RFC 7672) in MX mode, against the test DNS server serving zones signed in the test (validated from
 * their own trust anchors through dnssecTrustAnchors) and SMTP servers on 127.0.0.2 and .3 presenting the static
 * self-signed certificate or one from a CA made for the class: DANE-EE and DANE-TA records that match and that do
 * not, STARTTLS stripped, unsigned answers falling back to the normal policy, bogus TLSA and MX answers deferring,
 * DANE_ONLY, and what the delivery log, the report and the TLS-RPT hook say.
 */
class DaneDeliveryTest extends ProducerTestSupport {

    @TempDir
    static Path certs;

    private static TestCertificateAuthority ca;
    /** A certificate for mx1.dane.test signed by the CA, sent with the CA's certificate in its chain. */
    private static SSLContext caSigned;

    @TempDir
    Path dir;

    private final RecordingListener listener = new RecordingListener();
    private Path anchors;

    @BeforeAll
    static void authority() {
        ca = TestCertificateAuthority.create(certs, "DANE Test CA");
        caSigned = ca.serverContext("mx1.dane.test");
    }

    @Override
    protected void beforeStart(CamelContext context) {
        context.getRegistry().bind("tlsEvents", listener);
        context.getRegistry().bind("caTrust", ca.trustParameters());
    }

    @BeforeEach
    void zones() throws Exception {
        dns.mx("dane.test", 10, "mx1.dane.test").mx("dane.test", 20, "mx2.dane.test")
                .a("mx1.dane.test", MX1_IP).a("mx2.dane.test", MX2_IP)
                .mx("one.dane.test", 10, "mx1.dane.test")
                .mx("two.dane.test", 10, "mx2.dane.test")
                .mx("three.dane.test", 10, "mx3.dane.test").a("mx3.dane.test", MX1_IP)
                .mx("plain.dane.test", 10, "mx.unsigned.test").a("mx.unsigned.test", MX1_IP)
                .mx("unsigned.test", 10, "mx.unsigned.test")
                .mx("forged.test", 10, "mx.forged.test").a("mx.forged.test", MX1_IP)
                .signZone("dane.test").signZone("forged.test");
        anchors(dns.trustAnchor("dane.test"), dns.trustAnchor("forged.test"));
    }

    private void anchors(String... ds) throws Exception {
        anchors = dir.resolve("anchors.txt");
        Files.writeString(anchors, String.join("\n", ds) + "\n", StandardCharsets.US_ASCII);
    }

    private String daneUri(String options) {
        return mxUri("&dnssec=true&dnssecTrustAnchors=" + anchors + options);
    }

    private String tlsaName(String host) {
        return "_" + port + "._tcp." + host;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] spki(X509Certificate c) throws Exception {
        return sha256(c.getPublicKey().getEncoded());
    }

    private void assertDeferredByPolicy(Exchange exchange, String tlsPolicy) {
        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        RecipientStatus s = only(exchange);
        assertThat(s.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(s.enhancedStatus()).isEqualTo("4.7.5");
        assertThat(s.tlsPolicy()).isEqualTo(tlsPolicy);
        assertThat(s.toString()).contains("tls=" + tlsPolicy);
    }

    private Exchange sendRequiringTls(String uri, String recipient) {
        return send(uri, RAW, Map.of(SmtpRelayConstants.RECIPIENTS, recipient, SmtpRelayConstants.REQUIRE_TLS, true));
    }

    private static void assertRequireTlsFailed(Exchange exchange, String because) {
        assertThat(exchange.getException()).isInstanceOf(io.github.camelrelay.smtprelay.SmtpRelayPermanentException.class);
        RecipientStatus s = only(exchange);
        assertThat(s.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(s.enhancedStatus()).isEqualTo("5.7.30");
        assertThat(s.replyText()).startsWith("REQUIRETLS support required: ").contains(because);
    }

    @Test
    void aRequireTlsMessageGoesOverDaneToAServerThatOffersRequireTlsAndPassesTheParameterOn() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext()).offer("REQUIRETLS");
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, spki(TestCertificates.certificate()));

        Exchange exchange = sendRequiringTls(daneUri(""), "bob@dane.test");

        assertThat(exchange.getException()).isNull();
        assertThat(only(exchange).tlsPolicy()).isEqualTo("dane-ee");
        assertThat(mx1.awaitMessage(WAIT).tls()).isTrue();
        assertThat(mx1.commands()).anySatisfy(c -> assertThat(c).startsWith("MAIL FROM:").contains(" REQUIRETLS"));
    }

    @Test
    void aRequireTlsMessageFailsWith5730WhereTheServerDoesNotOfferRequireTls() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, spki(TestCertificates.certificate()));

        Exchange exchange = sendRequiringTls(daneUri(""), "bob@one.dane.test");

        assertRequireTlsFailed(exchange, "host mx1.dane.test does not offer REQUIRETLS");
        assertThat(mx1.commands()).noneMatch(c -> c.startsWith("MAIL FROM"));
    }

    @Test
    void onASecureMxWithoutTlsaRecordsARequireTlsMessageNeedsACertificateVerifiedForTheMxName() throws Exception {
        mx1.advertiseStartTls(caSigned).offer("REQUIRETLS");

        Exchange verified = sendRequiringTls(daneUri("&sslContextParameters=#caTrust"), "bob@one.dane.test");
        Exchange untrusted = sendRequiringTls(daneUri(""), "carol@one.dane.test");
        Exchange plain = send(daneUri(""), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "dave@one.dane.test"));

        assertThat(verified.getException()).isNull();
        assertThat(only(verified).tlsPolicy()).isEqualTo("requiretls");
        assertRequireTlsFailed(untrusted, "certificate not trusted");
        assertThat(only(untrusted).tlsPolicy()).startsWith("requiretls-fail (");
        assertThat(plain.getException()).as("without REQUIRETLS the same host takes it opportunistically").isNull();
        assertThat(only(plain).tlsPolicy()).isEqualTo("opportunistic");
    }

    @Test
    void aRequireTlsMessageToAnUnsignedMxWithoutPolicyFailsWithoutAConnection() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext()).offer("REQUIRETLS");

        // an entry that only asks for encryption does not verify the server either
        Exchange unsignedMx = sendRequiringTls(daneUri("&tlsPolicies=unsigned.test: REQUIRED"), "bob@unsigned.test");
        Exchange unsignedHost = sendRequiringTls(daneUri(""), "bob@plain.dane.test");

        assertRequireTlsFailed(unsignedMx, "the MX records of unsigned.test are not DNSSEC-validated");
        assertThat(only(unsignedMx).tlsPolicy()).isEqualTo("requiretls-fail (no verifiable policy)");
        assertRequireTlsFailed(unsignedHost, "mx.unsigned.test has no DANE or MTA-STS policy and its address records are not");
        assertThat(mx1.connections()).isZero();
    }

    @Test
    void tlsRequiredNoDeliversWhereTheDanePolicyWouldRefuse() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, new byte[32]);
        String waived = "TLS-Required: No\r\n" + RAW;

        Exchange refused = sendTo(daneUri(""), "bob@one.dane.test");
        Exchange delivered = send(daneUri(""), waived, Map.of(SmtpRelayConstants.RECIPIENTS, "carol@one.dane.test"));

        assertDeferredByPolicy(refused, "dane-fail (no TLSA match)");
        assertThat(delivered.getException()).isNull();
        assertThat(only(delivered).tlsPolicy()).isEqualTo("opportunistic");
        assertThat(mx1.awaitMessage(WAIT).tls()).as("TLS still used where offered").isTrue();
    }

    @Test
    void aMatchingDaneEeRecordMakesTlsMandatoryAndSaysSo() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        byte[] key = spki(TestCertificates.certificate());
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, key);

        Exchange exchange;
        List<String> lines;
        try (LogCapture capture = LogCapture.start()) {
            exchange = sendTo(daneUri(""), "bob@dane.test");
            lines = capture.messages("io.github.camelrelay.smtprelay.delivery");
        }

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).tls()).isTrue();
        RecipientStatus s = only(exchange);
        assertThat(s.tlsPolicy()).isEqualTo("dane-ee");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("to=<bob@dane.test>", "tls=dane-ee, dsn=2.0.0, status=sent"));
        assertThat(listener.tls).singleElement().satisfies(r -> {
            assertThat(r.success()).isTrue();
            assertThat(r.policyDomain()).isEqualTo("dane.test");
            assertThat(r.policyType()).isEqualTo(TlsResult.PolicyType.TLSA);
            assertThat(r.policyStrings()).containsExactly("3 1 1 " + java.util.HexFormat.of().formatHex(key));
            assertThat(r.mxHost()).isEqualTo("mx1.dane.test");
            assertThat(r.receivingIp()).isEqualTo(MX1_IP);
        });
    }

    @Test
    void aDaneTaRecordNeedsTheChainToItAndTheMxHostsName() throws Exception {
        mx1.advertiseStartTls(caSigned);
        mx2.advertiseStartTls(caSigned);
        byte[] anchor = spki(ca.certificate());
        dns.tlsa(tlsaName("mx1.dane.test"), 2, 1, 1, anchor).tlsa(tlsaName("mx2.dane.test"), 2, 1, 1, anchor);

        // mx3.dane.test is mx1's address: a DANE-TA record of a key that is in no certificate of its chain
        dns.tlsa(tlsaName("mx3.dane.test"), 2, 1, 1, spki(TestCertificates.certificate()));

        Exchange matching = sendTo(daneUri(""), "bob@one.dane.test");
        // the same certificate from mx2.dane.test: it chains to the anchor but names mx1.dane.test only
        Exchange otherName = sendTo(daneUri(""), "bob@two.dane.test");
        Exchange otherAnchor = sendTo(daneUri(""), "bob@three.dane.test");

        assertThat(matching.getException()).isNull();
        assertThat(only(matching).tlsPolicy()).isEqualTo("dane-ta");
        assertDeferredByPolicy(otherName, "dane-fail (the certificate names none of [mx2.dane.test])");
        assertDeferredByPolicy(otherAnchor, "dane-fail (no TLSA match)");
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("bob@one.dane.test");
        assertThat(mx1.messages()).as("none for three.dane.test").hasSize(1);
        assertThat(mx2.messages()).isEmpty();
    }

    @Test
    void aCertificateMatchingNoTlsaRecordDefersThatHostAndTheNextIsTried() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        mx2.advertiseStartTls(TestCertificates.serverContext());
        // a DANE-EE record of another key than the server's
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, spki(ca.certificate()));

        Exchange exchange;
        List<String> lines;
        try (LogCapture capture = LogCapture.start()) {
            exchange = sendTo(daneUri(""), "bob@dane.test");
            lines = capture.messages("io.github.camelrelay.smtprelay.delivery");
        }

        assertThat(exchange.getException()).isNull();
        assertThat(only(exchange).host()).isEqualTo("mx2.dane.test");
        assertThat(only(exchange).tlsPolicy()).as("mx2 has no TLSA records: the normal policy").isEqualTo("opportunistic");
        assertThat(mx1.commands()).contains("STARTTLS").noneMatch(c -> c.startsWith("MAIL FROM"));
        assertThat(mx2.awaitMessage(WAIT).tls()).isTrue();
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("connect to mx1.dane.test[" + MX1_IP + "]:" + port,
                "TLS policy dane not satisfied by mx1.dane.test: no TLSA match", "(tls=dane-fail (no TLSA match))"));
        assertThat(listener.tls).hasSize(2);
        assertThat(listener.tls.get(0)).satisfies(r -> {
            assertThat(r.mxHost()).isEqualTo("mx1.dane.test");
            assertThat(r.policyType()).isEqualTo(TlsResult.PolicyType.TLSA);
            assertThat(r.failure()).isEqualTo(TlsResult.Failure.VALIDATION_FAILURE);
        });
        assertThat(listener.tls.get(1)).satisfies(r -> {
            assertThat(r.mxHost()).isEqualTo("mx2.dane.test");
            assertThat(r.policyType()).isEqualTo(TlsResult.PolicyType.NO_POLICY_FOUND);
            assertThat(r.success()).isTrue();
        });
    }

    @Test
    void withNoOtherHostTheRecipientWaitsWith475() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, spki(ca.certificate()));

        Exchange exchange = sendTo(daneUri(""), "bob@one.dane.test");

        assertDeferredByPolicy(exchange, "dane-fail (no TLSA match)");
        assertThat(only(exchange).replyText()).isEqualTo("TLS policy dane not satisfied by mx1.dane.test: no TLSA match");
        assertThat(mx1.messages()).isEmpty();
    }

    @Test
    void aStrippedStartTlsDefersTheDaneHost() throws Exception {
        // mx1 offers no STARTTLS, as when an attacker on the path removes it from the EHLO reply
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, spki(TestCertificates.certificate()));

        Exchange exchange = sendTo(daneUri(""), "bob@one.dane.test");

        assertDeferredByPolicy(exchange, "dane-fail (STARTTLS not offered)");
        assertThat(only(exchange).replyText()).isEqualTo("TLS is required (dane), but was not offered by host mx1.dane.test");
        assertThat(mx1.commands()).noneMatch(c -> c.startsWith("MAIL FROM"));
        assertThat(listener.tls).singleElement().extracting(TlsResult::failure).isEqualTo(TlsResult.Failure.STARTTLS_NOT_SUPPORTED);
    }

    @Test
    void unsignedAnswersFallBackToTheNormalPolicy() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        // TLSA records matching nothing, where DNSSEC cannot vouch for them: they do not count
        dns.tlsa(tlsaName("mx.unsigned.test"), 3, 1, 1, new byte[32]);

        Exchange unsignedZone = sendTo(daneUri(""), "bob@unsigned.test");
        // a signed MX record pointing to a host whose addresses are not signed (RFC 7672 section 2.2.2)
        Exchange unsignedHost = sendTo(daneUri(""), "bob@plain.dane.test");

        assertThat(unsignedZone.getException()).isNull();
        assertThat(only(unsignedZone).tlsPolicy()).isEqualTo("opportunistic");
        assertThat(unsignedHost.getException()).isNull();
        assertThat(only(unsignedHost).tlsPolicy()).isEqualTo("opportunistic");
        assertThat(dns.queries(tlsaName("mx.unsigned.test"), org.xbill.DNS.Type.TLSA)).as("never asked").isZero();
        assertThat(mx1.awaitMessages(2, WAIT)).allSatisfy(m -> assertThat(m.tls()).isTrue());
    }

    @Test
    void aBogusTlsaAnswerDefersTheHostWithoutConnectingAndNeverFallsBack() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        // the TLSA record in a zone of its own whose signatures are forged; mx1's address stays secure
        String zone = "_tcp.mx1.dane.test";
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, spki(TestCertificates.certificate())).signZone(zone);
        anchors(dns.trustAnchor("dane.test"), dns.trustAnchor(zone));
        dns.forgeSignatures(zone);

        Exchange exchange = sendTo(daneUri(""), "bob@one.dane.test");

        assertDeferredByPolicy(exchange, "dane-fail (TLSA look-up not validated)");
        assertThat(mx1.connections()).isZero();
        assertThat(listener.tls).singleElement().satisfies(r -> {
            assertThat(r.failure()).isEqualTo(TlsResult.Failure.DNSSEC_INVALID);
            assertThat(r.receivingIp()).isNull();
        });
    }

    @Test
    void aFailingTlsaLookUpIsNoTlsaRecordEither() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        dns.servfail(tlsaName("mx1.dane.test"));

        Exchange exchange = sendTo(daneUri(""), "bob@one.dane.test");

        assertDeferredByPolicy(exchange, "dane-fail (TLSA look-up not validated)");
        assertThat(mx1.connections()).isZero();
    }

    @Test
    void aBogusMxAnswerDefersTheDomain() {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        dns.forgeSignatures("forged.test");

        Exchange exchange = sendTo(daneUri(""), "bob@forged.test");

        assertThat(exchange.getException()).isInstanceOf(SmtpRelayTransientException.class);
        assertThat(only(exchange).enhancedStatus()).isEqualTo("4.7.5");
        assertThat(only(exchange).replyText()).startsWith("DNSSEC validation failed for name=forged.test type=MX: ");
        assertThat(mx1.connections()).isZero();
    }

    @Test
    void daneOnlyKeepsOutAHostWithoutTlsaRecords() throws Exception {
        mx2.advertiseStartTls(TestCertificates.serverContext());
        String uri = daneUri("&tlsPolicies=two.dane.test: DANE_ONLY");

        Exchange exchange = sendTo(uri, "bob@two.dane.test");
        Exchange otherDomain = sendTo(uri, "bob@dane.test");

        assertDeferredByPolicy(exchange, "dane-fail (no TLSA records: no TLSA records at " + tlsaName("mx2.dane.test") + ".)");
        assertThat(listener.tls.get(0).failure()).isEqualTo(TlsResult.Failure.DANE_REQUIRED);
        assertThat(mx2.connections()).isZero();
        assertThat(otherDomain.getException()).as("the entry is for two.dane.test only").isNull();
        assertThat(only(otherDomain).tlsPolicy()).as("mx1 offers no STARTTLS and has no TLSA records").isEqualTo("no");
    }

    @Test
    void tlsaRecordsOfWhichNoneIsUsableMakeTlsMandatoryWithoutAuthentication() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        // PKIX-EE(1) is not for SMTP (RFC 7672 section 3.1.3)
        dns.tlsa(tlsaName("mx1.dane.test"), 1, 1, 1, new byte[32]).tlsa(tlsaName("mx2.dane.test"), 1, 1, 1, new byte[32]);

        Exchange encrypted = sendTo(daneUri(""), "bob@one.dane.test");
        // mx2 offers no STARTTLS
        Exchange plain = sendTo(daneUri(""), "bob@two.dane.test");

        assertThat(encrypted.getException()).isNull();
        assertThat(only(encrypted).tlsPolicy()).isEqualTo("dane-encrypt");
        assertDeferredByPolicy(plain, "dane-encrypt-fail (STARTTLS not offered)");
    }

    @Test
    void withoutDnssecTlsaRecordsAreNotLookedAt() throws Exception {
        mx1.advertiseStartTls(TestCertificates.serverContext());
        dns.tlsa(tlsaName("mx1.dane.test"), 3, 1, 1, new byte[32]);

        Exchange exchange = sendTo(mxUri(), "bob@one.dane.test");
        Exchange daneOff = sendTo(daneUri("&dane=false"), "bob@one.dane.test");

        assertThat(exchange.getException()).isNull();
        assertThat(daneOff.getException()).isNull();
        assertThat(only(daneOff).tlsPolicy()).isEqualTo("opportunistic");
        assertThat(dns.queries(tlsaName("mx1.dane.test"), org.xbill.DNS.Type.TLSA)).isZero();
    }
}
