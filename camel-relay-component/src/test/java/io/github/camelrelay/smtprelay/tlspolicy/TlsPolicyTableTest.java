package io.github.camelrelay.smtprelay.tlspolicy;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tlsPolicies table: its syntax as an option and as Spring Boot binds a map or a list, look-up order, pins. */
class TlsPolicyTableTest {

    private static final String PIN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static Domain d(String name) {
        return Domain.of(name);
    }

    @Test
    void aDomainItsSubdomainsAndTheRelayHostEachHaveTheirOwnEntry() {
        TlsPolicyTable table = TlsPolicyTable.parse("bank.example: VERIFY; .partner.example: dane_only\n"
                                                    + ".deep.partner.example: dane-only ;[smtp.example.net]:587: REQUIRED, pin=sha256:"
                                                    + PIN + "\r\n[Other.Example.NET]: none");

        assertThat(table.forDomain(d("Bank.Example"))).contains(TlsPolicy.of(TlsPolicy.Level.VERIFY));
        assertThat(table.forDomain(d("www.bank.example"))).as("an exact entry is for the domain only").isEmpty();
        assertThat(table.forDomain(d("partner.example"))).as(".partner.example is for the domains below it only").isEmpty();
        assertThat(table.forDomain(d("mx.partner.example"))).get().extracting(TlsPolicy::level).isEqualTo(TlsPolicy.Level.DANE_ONLY);
        assertThat(table.forRelayHost("smtp.example.net", 587)).get().extracting(TlsPolicy::pins).isEqualTo(List.of(PIN));
        assertThat(table.forRelayHost("smtp.example.net", 25)).as("the entry names port 587").isEmpty();
        assertThat(table.forRelayHost("other.example.net", 2525)).get().extracting(TlsPolicy::level).isEqualTo(TlsPolicy.Level.NONE);
        assertThat(table.forDomain(d("smtp.example.net"))).as("a relay host entry is no domain entry").isEmpty();
    }

    @Test
    void theLongestSuffixWins() {
        TlsPolicyTable table = TlsPolicyTable.parse(".example: OPPORTUNISTIC; .b.example: VERIFY; .c.b.example: NONE");

        assertThat(table.forDomain(d("a.example")).orElseThrow().level()).isEqualTo(TlsPolicy.Level.OPPORTUNISTIC);
        assertThat(table.forDomain(d("x.b.example")).orElseThrow().level()).isEqualTo(TlsPolicy.Level.VERIFY);
        assertThat(table.forDomain(d("y.x.c.b.example")).orElseThrow().level()).isEqualTo(TlsPolicy.Level.NONE);
    }

    @Test
    void aMapOfSelectorsAndAListOfEntriesGiveTheSameTable() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("bank.example", "VERIFY");
        map.put(".partner.example", "REQUIRED, pin=sha256:" + PIN.toUpperCase());
        map.put("[smtp.example.net]:587", "verify");
        Map<String, String> list = new LinkedHashMap<>();
        list.put("0", "bank.example: VERIFY");
        list.put("1", ".partner.example: REQUIRED, pin=" + PIN.replaceAll("(..)(?!$)", "$1:"));
        list.put("2", "[smtp.example.net]:587: VERIFY");

        TlsPolicyTable fromMap = TlsPolicyTable.of(map);
        TlsPolicyTable fromList = TlsPolicyTable.of(list);

        assertThat(fromMap).isEqualTo(fromList).isEqualTo(TlsPolicyTable.parse(fromMap.toString()));
        assertThat(fromMap.toString()).isEqualTo("bank.example: VERIFY; .partner.example: REQUIRED, pin=sha256:" + PIN
                                                 + "; [smtp.example.net]:587: VERIFY");
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> TlsPolicyTable.parse("bank.example VERIFY"))
                .hasMessageContaining("Expected a TLS policy as 'selector: LEVEL[, pin=sha256:HEX]' but found 'bank.example VERIFY'");
        assertThatThrownBy(() -> TlsPolicyTable.parse("bank.example: SECURE"))
                .hasMessageContaining("TLS policy for bank.example: Expected a TLS policy level").hasMessageContaining("'SECURE'");
        assertThatThrownBy(() -> TlsPolicyTable.parse("bank.example: VERIFY; Bank.Example: NONE"))
                .hasMessage("Expected one TLS policy per selector but found two for bank.example");
        assertThatThrownBy(() -> TlsPolicyTable.parse("bank.example: OPPORTUNISTIC, pin=sha256:" + PIN))
                .hasMessageContaining("Expected a certificate pin only with REQUIRED or VERIFY");
        assertThatThrownBy(() -> TlsPolicyTable.parse("bank.example: VERIFY, pin=sha256:abcd"))
                .hasMessageContaining("Expected a pin as sha256:<64 hex digits> but found 'sha256:abcd'");
        assertThatThrownBy(() -> TlsPolicyTable.parse("bank.example: VERIFY, match=nexthop"))
                .hasMessageContaining("Expected pin=sha256:<hex> after the level but found 'match=nexthop'");
        assertThatThrownBy(() -> TlsPolicyTable.parse("[smtp.example.net]: DANE"))
                .hasMessageContaining("(DANE applies to MX delivery) but found DANE");
        assertThatThrownBy(() -> TlsPolicyTable.parse("[smtp.example.net]:99999: VERIFY"))
                .hasMessageContaining("Expected a port from 1 to 65535 but found 99999");
        assertThatThrownBy(() -> TlsPolicyTable.parse("bad_domain!: VERIFY"))
                .hasMessageContaining("Expected a domain, .domain or [relay host] as the selector but found 'bad_domain!'");
    }

    @Test
    void aPinIsTheSha256OfTheCertificateOrOfItsPublicKey() throws Exception {
        X509Certificate cert = TestCertificates.certificate();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        String whole = HexFormat.of().formatHex(sha256.digest(cert.getEncoded()));
        String key = HexFormat.of().formatHex(sha256.digest(cert.getPublicKey().getEncoded()));

        assertThat(TlsPolicy.parse("REQUIRED, pin=sha256:" + whole).pinned(cert)).isTrue();
        assertThat(TlsPolicy.parse("VERIFY, pin=sha256:" + PIN + ", pin=sha256:" + key.toUpperCase()).pinned(cert)).isTrue();
        assertThat(TlsPolicy.parse("REQUIRED, pin=sha256:" + PIN).pinned(cert)).isFalse();
    }
}
