package io.github.camelrelay.smtprelay.relay;

import java.util.List;

import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The queue's recipient property: the plain-string path writes and reads exactly what the JSON library does. */
class QueueRecipientsTest {

    private static final List<List<String>> LISTS = List.of(
            List.of(),
            List.of("a@example.com"),
            List.of("a@example.com", "b@example.org", "c@example.net"),
            List.of("\"a,b\"@example.com", "d@example.com"),
            List.of("\"a\\\"b\"@example.com"),
            List.of("user/dept@example.com"),
            List.of("jörg@bücher.example"),
            List.of(""),
            List.of("a@example.com", ""));

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
    void encodesAsTheJsonLibraryDoesAndReadsItBack(int index) {
        List<String> recipients = LISTS.get(index);
        JsonArray array = new JsonArray();
        array.addAll(recipients);

        String encoded = QueueRecipients.encode(recipients);

        assertThat(encoded).isEqualTo(Jsoner.serialize(array));
        assertThat(QueueRecipients.decode(encoded)).containsExactlyElementsOf(recipients);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"a@example.com\" ]", "[ \"a@example.com\",\"b@example.com\"]", "[\"a\\u0040example.com\"]",
                            "[\"a@example.com\" , \"b@example.com\"]"})
    void readsArraysWrittenByOtherWriters(String json) {
        List<String> expected = Jsoner.deserialize(json, new JsonArray()).stream().map(String::valueOf).toList();

        assertThat(QueueRecipients.decode(json)).isNotEmpty().containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"a@example.com\",\"]", "[\"a@example.com\",1]", "[\"a@example.com\"x\"b@example.com\"]",
                            "[\"a@example.com\",\"b@example.com\"", "[1]"})
    void refusesWhatIsNotAnArrayOfStrings(String json) {
        assertThatThrownBy(() -> QueueRecipients.decode(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Expected the recipients as a JSON array of strings");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@example.com, b@example.com", "\"a,b\"@example.com,c@example.com"})
    void readsTheEarlierCommaSeparatedFormat(String old) {
        assertThat(QueueRecipients.decode(old)).hasSize(2);
    }
}
