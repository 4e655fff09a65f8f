package io.github.camelrelay.smtprelay.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainTest {

    @Test
    void canonicalFormIsLowerCaseWithoutTrailingDot() {
        Domain d = Domain.of("Mail.Example.COM.");

        assertThat(d.name()).isEqualTo("mail.example.com");
        assertThat(d).hasToString("mail.example.com").isEqualTo(Domain.of("mail.example.com"))
                .hasSameHashCodeAs(Domain.of("MAIL.example.com"));
        assertThat(d.isLiteral()).isFalse();
        assertThatIllegalStateException().isThrownBy(d::literalAddress);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail.example.com", "relay.test", "mx1.example.test", "a.b.c.example"})
    void namesOfInternetHostsAreFullyQualified(String name) {
        assertThat(Domain.of(name).isFullyQualified()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST", "localhost.localdomain", "vm.localdomain", "localhost.example.com",
                            "relay", "127.0.0.1", "10.0.0.5", "[192.0.2.1]", "[IPv6:2001:db8::1]", "host.localhost"})
    void localNamesAddressesAndSingleLabelsAreNot(String name) {
        assertThat(Domain.of(name).isFullyQualified()).isFalse();
    }

    @Test
    void internationalizedNamesBecomeALabels() {
        assertThat(Domain.of("bücher.example").name()).isEqualTo("xn--bcher-kva.example");
        assertThat(Domain.of("BÜCHER.example").name()).isEqualTo("xn--bcher-kva.example");
        assertThat(Domain.of("xn--bcher-kva.example")).isEqualTo(Domain.of("bücher.example"));
        assertThat(Domain.of("例え.テスト").name()).startsWith("xn--").contains(".xn--");
    }

    @Test
    void internationalNamesFollowIdna2008NonTransitionalSoSharpSIsNotAnotherDomain() {
        // IDNA2003 (java.net.IDN) maps both to fass.de and ς to σ: other domains, possibly someone else's
        assertThat(Domain.of("faß.de").name()).isEqualTo("xn--fa-hia.de");
        assertThat(Domain.of("FASS.de").name()).isEqualTo("fass.de");
        assertThat(Domain.of("faß.de")).isNotEqualTo(Domain.of("fass.de"));
        assertThat(Domain.of("βόλος.example").name()).isEqualTo("xn--nxasmm1c.example");
        assertThat(Domain.of("βόλος.example")).isEqualTo(Domain.of("xn--nxasmm1c.example"));
        // an A-label that does not decode is not a name
        assertThatIllegalArgumentException().isThrownBy(() -> Domain.of("xn--zz-.example")).withMessageContaining("IDNA2008");
        // plain ASCII names with hyphens in the third and fourth place exist in the DNS and stay usable
        assertThat(Domain.of("r3--sn-abc.example").name()).isEqualTo("r3--sn-abc.example");
    }

    @Test
    void addressLiterals() {
        Domain v4 = Domain.of("[192.0.2.1]");
        Domain v6 = Domain.of("[IPv6:2001:DB8::1]");

        assertThat(v4.isLiteral()).isTrue();
        assertThat(v4.name()).isEqualTo("[192.0.2.1]");
        assertThat(v4.literalAddress()).isEqualTo("192.0.2.1");
        assertThat(v6.isLiteral()).isTrue();
        assertThat(v6.literalAddress()).isEqualTo("2001:DB8::1");
        assertThat(Domain.of("[192.000.002.001]").literalAddress()).as("RFC 5321 Snum allows leading zeros")
                .isEqualTo("192.000.002.001");
        assertThat(Domain.of("[255.255.255.255]").isLiteral()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[192.0.2.1", "[example.com]", "[IPv6:xyz::1]", "[]", "[1.2.3]", "[256.1.1.1]",
        "[999.999.999.999]", "[1.2.3.4.5]", "[01234.1.1.1]"})
    void malformedAddressLiteralsAreRejected(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Domain.of(text)).withMessageContaining("address literal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "example..com", "-example.com", "example-.com", "exa mple.com", "exa_mple.com",
        "example.com..", "ex@mple.com"})
    void malformedNamesAreRejected(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Domain.of(text)).withMessageStartingWith("Expected");
    }

    @Test
    void lengthLimits() {
        assertThat(Domain.of("a".repeat(63) + ".test").name()).hasSize(68);
        assertThatIllegalArgumentException().isThrownBy(() -> Domain.of("a".repeat(64) + ".test"));
        assertThatIllegalArgumentException().isThrownBy(() -> Domain.of(("a".repeat(60) + ".").repeat(5) + "test"));
        assertThatIllegalArgumentException().isThrownBy(() -> Domain.of(null)).withMessageContaining("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com\r\n", "exam\nple.com", "example.com\rX", "[192.0.2.1]\n"})
    void lineBreaksAreRejectedAndShownEscaped(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Domain.of(text))
                .withMessageNotContaining("\r").withMessageNotContaining("\n");
    }
}
