package io.github.camelrelay.smtprelay.tlspolicy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The MTA-STS policy and TXT record formats of RFC 8461 sections 3.1, 3.2 and 4.1. */
class MtaStsPolicyTest {

    private static final Instant FETCHED = Instant.parse("2031-01-01T00:00:00Z");

    @Test
    void theRfcsExamplePolicy() {
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\n"
                                            + "mx: backupmx.example.com\nmax_age: 604800\n", "id1", FETCHED);
        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(p.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
        assertThat(p.maxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(p.isValidAt(FETCHED.plus(Duration.ofDays(7)).minusSeconds(1))).isTrue();
        assertThat(p.isValidAt(FETCHED.plus(Duration.ofDays(7)))).isFalse();
    }

    @Test
    void aWildcardMatchesExactlyOneLeftmostLabel() {
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\r\nmode: testing\r\nmx: *.Example.NET\r\nmx: mail.example.com\r\nmax_age: 60\r\n",
                                            "id", FETCHED);
        assertThat(p.matches("mx1.example.net")).isTrue();
        assertThat(p.matches("MX1.example.net.")).isTrue();
        assertThat(p.matches("a.mx1.example.net")).isFalse();
        assertThat(p.matches("example.net")).isFalse();
        assertThat(p.matches("mail.example.com")).isTrue();
        assertThat(p.matches("mail.example.com.evil.test")).isFalse();
    }

    @Test
    void unknownKeysAreIgnoredAndModeNoneNeedsNoMx() {
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\nmode: none\nextension: value\nmax_age: 0\n", "id", FETCHED);
        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.NONE);
        assertThat(p.mx()).isEmpty();
    }

    @Test
    void whatIsMissingOrWrongIsNamed() {
        assertThatThrownBy(() -> MtaStsPolicy.parse("mode: enforce\nmx: a.test\nmax_age: 1\n", "id", FETCHED))
                .hasMessageContaining("Expected 'version: STSv1'").hasMessageContaining("no version");
        assertThatThrownBy(() -> MtaStsPolicy.parse("version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n", "id", FETCHED))
                .hasMessageContaining("Expected mode enforce, testing or none").hasMessageContaining("'strict'");
        assertThatThrownBy(() -> MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601\n", "id", FETCHED))
                .hasMessageContaining("max_age");
        assertThatThrownBy(() -> MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmax_age: 10\n", "id", FETCHED))
                .hasMessageContaining("at least one 'mx'");
        assertThatThrownBy(() -> MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: [192.0.2.1]\nmax_age: 10\n", "id", FETCHED))
                .hasMessageContaining("mx pattern");
        assertThatThrownBy(() -> MtaStsPolicy.parse("version: STSv1\ngarbage\n", "id", FETCHED))
                .hasMessageContaining("'key: value'");
    }

    @Test
    void theTxtRecord() {
        assertThat(MtaStsRecord.parse("v=STSv1; id=20160831085700Z;").id()).isEqualTo("20160831085700Z");
        assertThat(MtaStsRecord.parse("v=STSv1;id=abc;ext=1").id()).isEqualTo("abc");
        assertThat(MtaStsRecord.isStsRecord("v=spf1 -all")).isFalse();
        assertThatThrownBy(() -> MtaStsRecord.parse("v=STSv1; id=too-long-and-with-hyphens;")).hasMessageContaining("1 to 32 letters");
        assertThatThrownBy(() -> MtaStsRecord.parse("v=STSv1;")).hasMessageContaining("'id='");
        assertThatThrownBy(() -> MtaStsRecord.parse("v=STSv2; id=1;")).hasMessageContaining("v=STSv1");
    }

    @Test
    void theStoredFormRoundTrips() {
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: *.example.net\nmax_age: 600\n", "id9", FETCHED);
        assertThat(MtaStsPolicy.parse(p.toPolicyText(), "id9", FETCHED)).isEqualTo(p);
    }
}
