package io.github.camelrelay.smtprelay.tlsrpt;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code _smtp._tls} TXT record of RFC 8460 section 3. */
class TlsRptRecordTest {

    @Test
    void mailtoAndHttpsDestinationsAreReadInOrder() {
        TlsRptRecord r = TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:reports@example.com,https://reporting.example.com/v1/tlsrpt");

        assertThat(r.mailto()).extracting(m -> m.address()).containsExactly("reports@example.com");
        assertThat(r.https()).containsExactly(URI.create("https://reporting.example.com/v1/tlsrpt"));
        assertThat(r.destinations()).containsExactly("mailto:reports@example.com", "https://reporting.example.com/v1/tlsrpt");
    }

    @Test
    void whitespaceATrailingDelimiterAndExtensionFieldsAreAllowed() {
        TlsRptRecord r = TlsRptRecord.parse("v=TLSRPTv1 ;  rua=mailto:a@example.com , mailto:b@example.com?subject=x ; ext_1=yes;");

        assertThat(r.mailto()).extracting(m -> m.address()).containsExactly("a@example.com", "b@example.com");
        assertThat(r.https()).isEmpty();
    }

    @Test
    void otherSchemesAreIgnored() {
        TlsRptRecord r = TlsRptRecord.parse("v=TLSRPTv1; rua=ftp://example.com/x,HTTPS://r.example.com/");

        assertThat(r.destinations()).containsExactly("HTTPS://r.example.com/");
    }

    @Test
    void onlyRecordsStartingWithTheVersionAreTlsRpt() {
        assertThat(TlsRptRecord.isTlsRptRecord("v=TLSRPTv1; rua=mailto:a@example.com")).isTrue();
        assertThat(TlsRptRecord.isTlsRptRecord("v=TLSRPTv1;rua=mailto:a@example.com")).isTrue();
        assertThat(TlsRptRecord.isTlsRptRecord("v=spf1 -all")).isFalse();
        assertThat(TlsRptRecord.isTlsRptRecord("v=TLSRPTv10; rua=mailto:a@example.com")).isFalse();
        assertThat(TlsRptRecord.isTlsRptRecord(null)).isFalse();
    }

    @Test
    void malformedRecordsAreRefusedSayingWhatWasFound() {
        for (var c : List.of(
                List.of("v=TLSRPTv2; rua=mailto:a@example.com", "starting 'v=TLSRPTv1;'"),
                List.of("v=TLSRPTv1", "starting 'v=TLSRPTv1;'"),
                List.of("v=TLSRPTv1; ext=1", "'rua=' field"),
                List.of("v=TLSRPTv1; rua=", "'rua=' field"),
                List.of("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", "one rua field"),
                List.of("v=TLSRPTv1; rua=ftp://example.com/", "a mailto: or https: URI"),
                List.of("v=TLSRPTv1; rua=https:///path", "with a host"),
                List.of("v=TLSRPTv1; rua=mailto:not an address", "URI in the rua field"),
                List.of("v=TLSRPTv1; rua=mailto:nobody", "mail address"),
                List.of("v=TLSRPTv1; rua=mailto:a@example.com; bad field", "'name=value' fields"))) {
            assertThatThrownBy(() -> TlsRptRecord.parse(c.get(0))).as(c.get(0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c.get(1));
        }
    }
}
