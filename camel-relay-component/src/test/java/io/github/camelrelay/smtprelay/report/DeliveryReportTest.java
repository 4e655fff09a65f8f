package io.github.camelrelay.smtprelay.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import org.junit.jupiter.api.Test;

class DeliveryReportTest {

    private static RecipientStatus status(String address, int code, String text) {
        return RecipientStatus.fromReply(MailAddress.of(address), code, text, "mx.example.test", "192.0.2.1", 25, false);
    }

    private final DeliveryReport report = DeliveryReport.of(List.of(
            status("a@example.test", 250, "2.0.0 ok"),
            status("b@example.test", 450, "4.2.1 busy"),
            status("c@example.test", 550, "5.1.1 unknown"),
            status("d@example.test", 250, "2.0.0 ok")));

    @Test
    void queriesByOutcome() {
        assertThat(report.recipients(Outcome.DELIVERED)).extracting(MailAddress::address).containsExactly("a@example.test", "d@example.test");
        assertThat(report.withOutcome(Outcome.DEFERRED)).extracting(s -> s.recipient().address()).containsExactly("b@example.test");
        assertThat(report.recipients(Outcome.FAILED)).extracting(MailAddress::address).containsExactly("c@example.test");
        assertThat(report.hasDeferred()).isTrue();
        assertThat(report.hasFailed()).isTrue();
        assertThat(report.allDelivered()).isFalse();
    }

    @Test
    void statusOfFindsARecipientInAnyForm() {
        assertThat(report.statusOf("<C@EXAMPLE.test>")).isNull();
        assertThat(report.statusOf("<c@EXAMPLE.test>").replyCode()).isEqualTo(550);
        assertThat(report.statusOf("z@example.test")).isNull();
    }

    @Test
    void immutable() {
        List<RecipientStatus> source = new ArrayList<>(report.statuses());
        DeliveryReport copy = DeliveryReport.of(source);
        source.clear();

        assertThat(copy.statuses()).hasSize(4);
        assertThatThrownBy(() -> copy.statuses().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> copy.withOutcome(Outcome.DELIVERED).clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toStringSummarisesThenListsEveryRecipient() {
        assertThat(report.toString().lines().toList()).containsExactly(
                "2 delivered, 1 deferred, 1 failed",
                "  <a@example.test> DELIVERED dsn=2.0.0 relay=mx.example.test[192.0.2.1]:25 tls=no (250 2.0.0 ok)",
                "  <b@example.test> DEFERRED dsn=4.2.1 relay=mx.example.test[192.0.2.1]:25 tls=no (450 4.2.1 busy)",
                "  <c@example.test> FAILED dsn=5.1.1 relay=mx.example.test[192.0.2.1]:25 tls=no (550 5.1.1 unknown)",
                "  <d@example.test> DELIVERED dsn=2.0.0 relay=mx.example.test[192.0.2.1]:25 tls=no (250 2.0.0 ok)");
    }

    @Test
    void allDelivered() {
        DeliveryReport ok = DeliveryReport.of(List.of(status("a@example.test", 250, "ok")));

        assertThat(ok.allDelivered()).isTrue();
        assertThat(ok.hasDeferred()).isFalse();
        assertThat(ok.hasFailed()).isFalse();
    }
}
