package io.github.camelrelay.smtprelay.mail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeaderSectionTest {

    private static HeaderSection read(String text) throws IOException {
        return HeaderSection.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void unfoldsRepeatsAndIgnoresCaseUpToTheBlankLine() throws IOException {
        HeaderSection h = read("From: a@example.com\r\nTo: b@example.com,\r\n\tc@example.com\r\nto: d@example.com\r\n"
                               + "\r\nCc: not-a-header@example.com\r\n");
        assertThat(h.get("from", ",")).isEqualTo("a@example.com");
        assertThat(h.get("TO", ",")).isEqualTo("b@example.com,\tc@example.com,d@example.com");
        assertThat(h.has("Cc")).isFalse();
        assertThat(h.get("Subject", ",")).isNull();
    }

    @Test
    void acceptsBareLfLinesAndAMessageThatIsAllHeaders() throws IOException {
        HeaderSection h = read("Subject: hi\nMessage-ID: <x@y>");
        assertThat(h.get("Subject", ",")).isEqualTo("hi");
        assertThat(h.get("Message-ID", ",")).isEqualTo("<x@y>");
    }

    @Test
    void aBodyThatDoesNotStartWithAHeaderFieldHasNoHeaders() throws IOException {
        assertThat(read("Hello Bob,\r\nthis is text\r\n").isEmpty()).isTrue();
        assertThat(read(" folded: but nothing before\r\n").isEmpty()).isTrue();
        assertThat(read("").isEmpty()).isTrue();
    }

    @Test
    void refusesAnEndlessHeaderSection() {
        String huge = "X-Big: " + "a".repeat(HeaderSection.MAX_BYTES + 10) + "\r\n\r\n";
        assertThatThrownBy(() -> read(huge)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
    }

    @Test
    void readsFieldsAcrossReadBoundariesWhateverTheStreamHandsOverAtATime() throws IOException {
        String padding = "x".repeat(9000);
        String text = "Subject: " + padding + "\r\n\tfolded jörg\r\nX-Long: " + padding + "\r\nTo: a@example.com\r\n\r\nTo: body@example.com\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        java.io.InputStream oneAtATime = new java.io.FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1));
            }
        };

        for (java.io.InputStream in : new java.io.InputStream[] {new ByteArrayInputStream(bytes), oneAtATime}) {
            HeaderSection headers = HeaderSection.read(in);

            assertThat(headers.get("subject", ",")).isEqualTo(padding + "\tfolded jörg");
            assertThat(headers.get("X-Long", ",")).isEqualTo(padding);
            assertThat(headers.get("To", ",")).isEqualTo("a@example.com");
        }
    }
}
