package io.github.camelrelay.smtprelay.tlspolicy;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.camelrelay.smtprelay.testsupport.TestCertificateAuthority;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DANE for SMTP's certificate checks (RFC 7672 section 3.2) on certificates from a CA made for the run: DANE-EE by
 * certificate or key digest with no name check, DANE-TA with the chain validated to the matched anchor and the MX
 * name checked, PKIX usages ignored.
 */
class DaneVerifierTest {

    @TempDir
    static Path dir;

    private static X509Certificate[] chain;
    private static X509Certificate[] wildcardChain;
    private static X509Certificate[] otherChain;
    /** A minute after the certificates were made: they are valid from the second keytool made them. */
    private static Instant NOW;

    @BeforeAll
    static void certificates() {
        TestCertificateAuthority ca = TestCertificateAuthority.create(dir, "DANE Test CA");
        chain = ca.chain("mx1.example.test");
        wildcardChain = ca.chain("*.example.test");
        otherChain = TestCertificateAuthority.create(dir, "Other CA").chain("mx1.example.test");
        NOW = Instant.now().plusSeconds(60);
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] sha512(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-512").digest(data);
    }

    @Test
    void daneEeMatchesTheServersKeyOrCertificateWithoutANameCheck() throws Exception {
        TlsaRecord spki = TlsaRecord.of(3, 1, 1, sha256(chain[0].getPublicKey().getEncoded()));
        TlsaRecord full = TlsaRecord.of(3, 0, 2, sha512(chain[0].getEncoded()));
        TlsaRecord exact = TlsaRecord.of(3, 1, 0, chain[0].getPublicKey().getEncoded());

        for (TlsaRecord r : List.of(spki, full, exact)) {
            assertThat(DaneVerifier.verify(List.of(chain), List.of(r), List.of("another-name.test"), NOW))
                    .as(r.toString()).isEqualTo(new DaneVerifier.Result(true, "dane-ee"));
        }
        // years later, still: DANE-EE ignores the validity dates
        assertThat(DaneVerifier.verify(List.of(chain), List.of(spki), List.of("mx1.example.test"), NOW.plus(Duration.ofDays(4000))).matched())
                .isTrue();
        // another server's key does not match
        assertThat(DaneVerifier.verify(List.of(otherChain), List.of(spki), List.of("mx1.example.test"), NOW))
                .isEqualTo(new DaneVerifier.Result(false, "no TLSA match"));
    }

    @Test
    void daneTaNeedsTheChainToValidateToTheAnchorAndTheMxName() throws Exception {
        TlsaRecord anchor = TlsaRecord.of(2, 0, 1, sha256(chain[1].getEncoded()));

        assertThat(DaneVerifier.verify(List.of(chain), List.of(anchor), List.of("mx1.example.test."), NOW))
                .isEqualTo(new DaneVerifier.Result(true, "dane-ta"));
        assertThat(DaneVerifier.verify(List.of(chain), List.of(anchor), List.of("mx2.example.test"), NOW).detail())
                .contains("names none of");
        assertThat(DaneVerifier.verify(List.of(wildcardChain), List.of(anchor), List.of("MX9.example.test"), NOW).matched()).isTrue();
        assertThat(DaneVerifier.verify(List.of(wildcardChain), List.of(anchor), List.of("a.mx9.example.test"), NOW).matched()).isFalse();
        // the anchor of another CA does not validate this chain, and a chain without the anchor does not match
        TlsaRecord otherAnchor = TlsaRecord.of(2, 1, 1, sha256(otherChain[1].getPublicKey().getEncoded()));
        assertThat(DaneVerifier.verify(List.of(chain), List.of(otherAnchor), List.of("mx1.example.test"), NOW).matched()).isFalse();
        assertThat(DaneVerifier.verify(List.of(chain[0]), List.of(anchor), List.of("mx1.example.test"), NOW).matched()).isFalse();
        // expired (the test CA's certificates are valid for 30 days): DANE-TA validates the dates
        assertThat(DaneVerifier.verify(List.of(chain), List.of(anchor), List.of("mx1.example.test"), NOW.plus(Duration.ofDays(60))).detail())
                .contains("does not validate");
    }

    @Test
    void pkixUsagesAndUnknownParametersAreNotUsable() throws Exception {
        byte[] digest = sha256(chain[0].getEncoded());
        assertThat(TlsaRecord.of(1, 0, 1, digest).isUsable()).isFalse();
        assertThat(TlsaRecord.of(0, 0, 1, sha256(chain[1].getEncoded())).isUsable()).isFalse();
        assertThat(TlsaRecord.of(3, 2, 1, digest).isUsable()).isFalse();
        assertThat(TlsaRecord.of(3, 0, 3, digest).isUsable()).isFalse();
        assertThat(DaneVerifier.verify(List.of(chain), List.of(TlsaRecord.of(1, 0, 1, digest)), List.of("mx1.example.test"), NOW))
                .isEqualTo(new DaneVerifier.Result(false, "no usable TLSA record"));
        assertThatThrownBy(() -> TlsaRecord.of(3, 1, 1, new byte[31])).hasMessageContaining("Expected 32 octets");
        assertThat(TlsaRecord.of(3, 1, 1, digest).toString()).startsWith("3 1 1 ");
    }
}
