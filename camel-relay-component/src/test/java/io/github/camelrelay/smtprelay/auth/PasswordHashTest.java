package io.github.camelrelay.smtprelay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHashTest {

    @Test
    void aHashMatchesItsPasswordOnlyAndTwoHashesOfOnePasswordDiffer() {
        PasswordHash h = PasswordHash.of("s3cret", 1000);
        assertThat(h.matches("s3cret")).isTrue();
        assertThat(h.matches("s3cret ")).isFalse();
        assertThat(h.matches("")).isFalse();
        assertThat(h.matches(null)).isFalse();
        assertThat(PasswordHash.of("s3cret", 1000).toString()).isNotEqualTo(h.toString());
    }

    @Test
    void theStoredFormRoundTripsAndHoldsNoTraceOfThePassword() {
        PasswordHash h = PasswordHash.of("correct horse battery staple", 1000);
        String stored = h.toString();
        assertThat(stored).matches("\\{pbkdf2}1000\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}").doesNotContain("horse");
        assertThat(PasswordHash.parse(stored).matches("correct horse battery staple")).isTrue();
        assertThat(PasswordHash.of("x").iterations()).isEqualTo(PasswordHash.DEFAULT_ITERATIONS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hunter2", "{pbkdf2}", "{pbkdf2}1000$abc", "{pbkdf2}10$AAAAAAAAAAAAAAAAAAAAAA$"
                                                                      + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "{pbkdf2}1000$!!!$AAAA", "{pbkdf2}1000$AAAAAAAAAAAAAAAAAAAAAA$AAAA"})
    void malformedHashesAreRefusedWithoutEchoingThem(String text) {
        assertThatThrownBy(() -> PasswordHash.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Expected").hasMessageNotContaining("hunter2");
    }

    @Test
    void theUserListChecksHashedPasswordsAndRefusesPlainText() {
        UserList users = UserList.parse("alice:" + PasswordHash.of("a-pw", 1000) + " , bob:" + PasswordHash.of("b-pw", 1000));
        assertThat(users.authenticate("alice", "a-pw")).isTrue();
        assertThat(users.authenticate("bob", "b-pw")).isTrue();
        assertThat(users.authenticate("alice", "b-pw")).isFalse();
        assertThat(users.authenticate("mallory", "a-pw")).isFalse();
        assertThat(users.toString()).isEqualTo("UserList[alice, bob]");
        assertThat(UserList.parse(null).isEmpty()).isTrue();
        assertThatThrownBy(() -> UserList.parse("alice:plaintext")).hasMessageContaining("'alice'")
                .hasMessageNotContaining("plaintext");
        assertThatThrownBy(() -> UserList.parse(":" + PasswordHash.of("x", 1000))).hasMessageContaining("without a user name");
        String h = PasswordHash.of("x", 1000).toString();
        assertThatThrownBy(() -> UserList.parse("a:" + h + ",a:" + h)).hasMessageContaining("twice");
    }

    @Test
    void theCommandLineToolReadsThePasswordFromStandardInputAndPrintsAHash() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = PasswordHash.run(new String[] {"--iterations", "1000"}, null,
                new BufferedReader(new StringReader("typed password\n")), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isZero();
        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(printed).startsWith("{pbkdf2}1000$").doesNotContain("typed password");
        assertThat(PasswordHash.parse(printed).matches("typed password")).isTrue();

        assertThat(PasswordHash.run(new String[] {"typed password"}, null, new BufferedReader(new StringReader("")),
                new PrintStream(out), new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Usage");
        assertThat(PasswordHash.run(new String[0], null, new BufferedReader(new StringReader("")), new PrintStream(out),
                new PrintStream(err))).isEqualTo(1);
    }
}
