package io.github.camelrelay.smtprelay.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailAddressTest {

    @Test
    void theDomainIsCanonicalAndTheLocalPartKeptAsWritten() {
        MailAddress a = MailAddress.of("John.Doe@Example.COM.");

        assertThat(a.localPart()).isEqualTo("John.Doe");
        assertThat(a.domain()).isEqualTo(Domain.of("example.com"));
        assertThat(a.address()).isEqualTo("John.Doe@example.com");
        assertThat(a).hasToString("John.Doe@example.com");
        assertThat(a.isNullSender()).isFalse();
    }

    @Test
    void equalityFollowsTheCanonicalForm() {
        assertThat(MailAddress.of("bob@EXAMPLE.test")).isEqualTo(MailAddress.of("<bob@example.test>"))
                .hasSameHashCodeAs(MailAddress.of(" bob@example.test "));
        assertThat(MailAddress.of("Bob@example.test")).as("local parts are case sensitive").isNotEqualTo(MailAddress.of("bob@example.test"));
    }

    @Test
    void angleBracketsAndSurroundingSpaceAreRemoved() {
        assertThat(MailAddress.of("  <alice@example.test>  ").address()).isEqualTo("alice@example.test");
    }

    @Test
    void internationalizedDomainsBecomeALabels() {
        assertThat(MailAddress.of("kunde@Bücher.Example").address()).isEqualTo("kunde@xn--bcher-kva.example");
        assertThat(MailAddress.of("x@münchen.test").domain().name()).isEqualTo("xn--mnchen-3ya.test");
    }

    @Test
    void addressLiteralsAreKept() {
        MailAddress v4 = MailAddress.of("postmaster@[192.0.2.1]");
        MailAddress v6 = MailAddress.of("postmaster@[IPv6:2001:db8::1]");

        assertThat(v4.domain().isLiteral()).isTrue();
        assertThat(v4.domain().literalAddress()).isEqualTo("192.0.2.1");
        assertThat(v6.domain().literalAddress()).isEqualTo("2001:db8::1");
        assertThat(v6.address()).isEqualTo("postmaster@[IPv6:2001:db8::1]");
    }

    @Test
    void quotedLocalPartsAndSpecialCharactersAreAccepted() {
        assertThat(MailAddress.of("\"john doe\"@example.test").localPart()).isEqualTo("\"john doe\"");
        assertThat(MailAddress.of("user+tag/x=y@example.test").localPart()).isEqualTo("user+tag/x=y");
        assertThat(MailAddress.of("\"a@b\"@example.test").localPart()).as("the last @ separates the domain").isEqualTo("\"a@b\"");
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of("a@b@example.test"));
    }

    @Test
    void theNullSenderOnlyWhereAllowed() {
        assertThat(MailAddress.of("", true)).isSameAs(MailAddress.NULL_SENDER);
        assertThat(MailAddress.of("<>", true)).isSameAs(MailAddress.NULL_SENDER);
        assertThat(MailAddress.of(" <> ", true).isNullSender()).isTrue();
        assertThat(MailAddress.NULL_SENDER.address()).isEmpty();
        assertThat(MailAddress.NULL_SENDER.domain()).isNull();
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of("<>")).withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of("")).withMessageContaining("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "bob@example.test\r\nRCPT TO:<evil@example.test>",
        "bob@example.test\n",
        "bob\r@example.test",
        "bob@exam\nple.test",
        "bob@example.test\u0000",
        "bob@example.test\t",
        "bob@example.test\u007f"})
    void controlCharactersAreRejectedAndShownEscaped(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of(text))
                .withMessageContaining("control characters")
                .withMessageNotContaining("\r").withMessageNotContaining("\n");
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of(text, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bob", "bob@", "@example.test", "bob@example..test", "bob@-example.test", "bob@exa_mple.test",
        "bo b@example.test", "bob.@example.test", ".bob@example.test", "bob@[300.1]x", "bob@[not-an-ip]", "<bob@example.test"})
    void malformedAddressesAreRejected(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of(text)).withMessageContaining("'" + text.strip() + "'");
    }

    @Test
    void lengthLimitsOfRfc5321() {
        String local64 = "a".repeat(64);
        assertThat(MailAddress.of(local64 + "@example.test").localPart()).hasSize(64);
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of("a".repeat(65) + "@example.test"))
                .withMessageContaining("64");
        String longDomain = ("d".repeat(60) + ".").repeat(4) + "test";
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of(local64 + "@" + longDomain))
                .withMessageContaining("254");
    }

    @Test
    void errorMessagesSayWhatWasExpectedAndFound() {
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of("not-an-address"))
                .withMessage("Expected a mail address like user@example.com but found 'not-an-address'");
        assertThatIllegalArgumentException().isThrownBy(() -> MailAddress.of(null)).withMessageContaining("null");
    }

    @Test
    void aListIsSplitAtCommasOutsideQuotesOnly() {
        assertThat(MailAddress.splitList("\"a,b\"@example.test, bob@example.test,,\t\"c\\\"d,e\"@example.test "))
                .containsExactly("\"a,b\"@example.test", "bob@example.test", "\"c\\\"d,e\"@example.test");
        // a line break is kept for of() to refuse, not trimmed away
        assertThat(MailAddress.splitList("bob@example.test,\nevil@example.test")).containsExactly("bob@example.test", "\nevil@example.test");
    }
}
