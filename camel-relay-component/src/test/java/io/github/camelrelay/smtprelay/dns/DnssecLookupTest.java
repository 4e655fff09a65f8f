package io.github.camelrelay.smtprelay.dns;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DNSSEC validation against a real DNS server on loopback serving a zone signed in the test: secure answers and
 * authenticated denials, an unsigned zone (insecure), and forged signatures (bogus, never insecure).
 */
class DnssecLookupTest {

    private TestDnsServer dns;
    private DnssecLookup lookup;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start()
                .a("mx1.secure.test", "127.0.0.2").tlsa("_25._tcp.mx1.secure.test", 3, 1, 1, new byte[32])
                .a("mx2.secure.test", "127.0.0.3")
                .a("mx1.insecure.test", "127.0.0.4").tlsa("_25._tcp.mx1.insecure.test", 3, 1, 1, new byte[32])
                .signZone("secure.test");
        lookup = new DnssecLookup(MxResolver.resolverFor(dns.address(), Duration.ofSeconds(5)),
                new ByteArrayInputStream(dns.trustAnchor("secure.test").getBytes(StandardCharsets.US_ASCII)));
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void aSignedTlsaRecordIsSecure() throws Exception {
        DnssecLookup.Answer answer = lookup.lookup(Name.fromString("_25._tcp.mx1.secure.test."), Type.TLSA);
        assertThat(answer.security()).as(answer.reason()).isEqualTo(DnssecLookup.Security.SECURE);
        assertThat(answer.records()).singleElement().isInstanceOf(TLSARecord.class);
    }

    @Test
    void noTlsaRecordIsASecureDenialForAnExistingNameAndAMissingOne() throws Exception {
        DnssecLookup.Answer nodata = lookup.lookup(Name.fromString("mx2.secure.test."), Type.TLSA);
        assertThat(nodata.security()).as(nodata.reason()).isEqualTo(DnssecLookup.Security.SECURE);
        assertThat(nodata.records()).isEmpty();
        assertThat(nodata.rcode()).isEqualTo(Rcode.NOERROR);

        DnssecLookup.Answer nxdomain = lookup.lookup(Name.fromString("_25._tcp.mx2.secure.test."), Type.TLSA);
        assertThat(nxdomain.security()).as(nxdomain.reason()).isEqualTo(DnssecLookup.Security.SECURE);
        assertThat(nxdomain.rcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void anUnsignedZoneIsInsecure() throws Exception {
        DnssecLookup.Answer answer = lookup.lookup(Name.fromString("_25._tcp.mx1.insecure.test."), Type.TLSA);
        assertThat(answer.security()).as(answer.reason()).isEqualTo(DnssecLookup.Security.INSECURE);
        assertThat(answer.records()).hasSize(1);
    }

    @Test
    void theRootsTrustAnchorsAreShippedBothKeys() throws Exception {
        try (var in = DnssecLookup.class.getResourceAsStream(DnssecLookup.ROOT_ANCHORS)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                    .contains(". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D")
                    .contains(". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16");
        }
        // and the validator takes them
        new DnssecLookup(MxResolver.resolverFor(dns.address(), Duration.ofSeconds(5)));
    }

    @Test
    void forgedSignaturesAreBogusNeverInsecure() throws Exception {
        dns.forgeSignatures("secure.test");
        DnssecLookup.Answer answer = lookup.lookup(Name.fromString("_25._tcp.mx1.secure.test."), Type.TLSA);
        assertThat(answer.security()).isEqualTo(DnssecLookup.Security.BOGUS);
        assertThat(answer.records()).isEmpty();
    }
}
