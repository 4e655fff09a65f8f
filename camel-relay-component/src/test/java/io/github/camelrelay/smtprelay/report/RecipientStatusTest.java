package io.github.camelrelay.smtprelay.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RecipientStatusTest {

    private static final MailAddress BOB = MailAddress.of("bob@example.test");

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "250 | 2.1.5 OK                        | DELIVERED | 2.1.5",
        "251 | User not local; will forward    | DELIVERED | 2.0.0",
        "250 | 2.0.0 queued as 12345           | DELIVERED | 2.0.0",
        "450 | 4.2.1 Mailbox busy              | DEFERRED  | 4.2.1",
        "421 | 4.3.2 Service shutting down     | DEFERRED  | 4.3.2",
        "451 | try again later                 | DEFERRED  | 4.0.0",
        "452 | 4.5.3 Too many recipients       | DEFERRED  | 4.5.3",
        "550 | 5.1.1 No such user              | FAILED    | 5.1.1",
        "554 | 5.7.1 Relay access denied       | FAILED    | 5.7.1",
        "553 | mailbox name not allowed        | FAILED    | 5.0.0",
        "550 | 4.1.1 class disagrees with code | FAILED    | 5.0.0",
        "450 | 5.1.1 class disagrees with code | DEFERRED  | 4.0.0",
        "550 | 5.1.10 Recipient null MX        | FAILED    | 5.1.10",
        "550 | 5.1.1234 too long a detail      | FAILED    | 5.0.0",
        "550 | 5.1.1Nospace                    | FAILED    | 5.0.0",
        "550 | see 5.1.1 later in the text     | FAILED    | 5.0.0",
        "354 | unexpected intermediate reply   | FAILED    | 5.0.0",
        "-1  | no reply at all                 | FAILED    | 5.0.0"})
    void fromReply(int code, String text, Outcome outcome, String enhanced) {
        RecipientStatus s = RecipientStatus.fromReply(BOB, code, text, "mx1.example.test", "192.0.2.1", 25, true);

        assertThat(s.outcome()).isEqualTo(outcome);
        assertThat(s.enhancedStatus()).isEqualTo(enhanced);
        assertThat(s.replyCode()).isEqualTo(code);
        assertThat(s.replyText()).isEqualTo(text);
        assertThat(s.recipient()).isEqualTo(BOB);
        assertThat(s.host()).isEqualTo("mx1.example.test");
        assertThat(s.ip()).isEqualTo("192.0.2.1");
        assertThat(s.port()).isEqualTo(25);
        assertThat(s.tls()).isTrue();
    }

    @Test
    void fromReplyStripsAndToleratesNullText() {
        assertThat(RecipientStatus.fromReply(BOB, 250, "  2.1.5 OK  ", "h", "192.0.2.1", 25, false).replyText()).isEqualTo("2.1.5 OK");
        RecipientStatus noText = RecipientStatus.fromReply(BOB, 451, null, "h", "192.0.2.1", 25, false);
        assertThat(noText.replyText()).isEmpty();
        assertThat(noText.enhancedStatus()).isEqualTo("4.0.0");
    }

    @Test
    void localStatusHasNoRelay() {
        RecipientStatus s = RecipientStatus.local(BOB, Outcome.FAILED, "5.1.10", "Domain example.test does not accept mail (nullMX)");

        assertThat(s.replyCode()).isZero();
        assertThat(s.host()).isNull();
        assertThat(s.ip()).isNull();
        assertThat(s.relay()).isEqualTo("none");
        assertThat(s).hasToString("<bob@example.test> FAILED dsn=5.1.10 relay=none (Domain example.test does not accept mail (nullMX))");
    }

    @Test
    void toStringIsReadable() {
        RecipientStatus s = RecipientStatus.fromReply(BOB, 250, "2.0.0 queued as ABC", "mx1.example.test", "192.0.2.1", 25, true);

        assertThat(s.relay()).isEqualTo("mx1.example.test[192.0.2.1]:25");
        assertThat(s).hasToString("<bob@example.test> DELIVERED dsn=2.0.0 relay=mx1.example.test[192.0.2.1]:25 tls=yes (250 2.0.0 queued as ABC)");
    }
}
