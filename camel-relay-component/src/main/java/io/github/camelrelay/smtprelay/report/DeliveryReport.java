package io.github.camelrelay.smtprelay.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * One entry per recipient of a message, in the order the recipients were given. Immutable. Put in the
 * {@code CamelSmtpRelayReport} header after every delivery attempt and carried by the producer's exceptions.
 */
public final class DeliveryReport {

    private final List<RecipientStatus> statuses;

    private DeliveryReport(List<RecipientStatus> statuses) {
        this.statuses = statuses;
    }

    public static DeliveryReport of(List<RecipientStatus> statuses) {
        return new DeliveryReport(List.copyOf(statuses));
    }

    public List<RecipientStatus> statuses() {
        return statuses;
    }

    public List<RecipientStatus> withOutcome(Outcome outcome) {
        List<RecipientStatus> list = new ArrayList<>();
        for (RecipientStatus s : statuses) {
            if (s.outcome() == outcome) {
                list.add(s);
            }
        }
        return Collections.unmodifiableList(list);
    }

    public List<MailAddress> recipients(Outcome outcome) {
        return withOutcome(outcome).stream().map(RecipientStatus::recipient).toList();
    }

    /** The status of one recipient, or null when it was not part of this delivery. */
    public RecipientStatus statusOf(String address) {
        MailAddress wanted = MailAddress.of(address);
        return statuses.stream().filter(s -> s.recipient().equals(wanted)).findFirst().orElse(null);
    }

    public boolean allDelivered() {
        return statuses.stream().allMatch(s -> s.outcome() == Outcome.DELIVERED);
    }

    public boolean hasDeferred() {
        return statuses.stream().anyMatch(s -> s.outcome() == Outcome.DEFERRED);
    }

    public boolean hasFailed() {
        return statuses.stream().anyMatch(s -> s.outcome() == Outcome.FAILED);
    }

    /** A multi-line summary such as {@code 2 delivered, 1 deferred, 0 failed} followed by one line per recipient. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder()
                .append(withOutcome(Outcome.DELIVERED).size()).append(" delivered, ")
                .append(withOutcome(Outcome.DEFERRED).size()).append(" deferred, ")
                .append(withOutcome(Outcome.FAILED).size()).append(" failed");
        for (RecipientStatus s : statuses) {
            sb.append(System.lineSeparator()).append("  ").append(s);
        }
        return sb.toString();
    }
}
