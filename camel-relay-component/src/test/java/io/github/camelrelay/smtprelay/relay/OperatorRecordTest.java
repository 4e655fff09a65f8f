package io.github.camelrelay.smtprelay.relay;

import java.util.List;

import io.github.camelrelay.smtprelay.SmtpRelayProducer;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.relay.OperatorRecord.Order;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OperatorRecordTest {

    private final MemoryIdempotentRepository repository = (MemoryIdempotentRepository) MemoryIdempotentRepository
            .memoryIdempotentRepository(new java.util.HashMap<>());
    private final OperatorRecord record = new OperatorRecord(repository);

    @Test
    void anOrderNamesOneEntryAndIsWithdrawnByRemove() {
        record.add("Q1", "example.net", Order.HOLD);

        assertThat(record.orderFor("Q1", "EXAMPLE.net")).isEqualTo(Order.HOLD);
        assertThat(record.orderFor("Q1", "other.example")).as("the message's entry for another destination").isNull();
        assertThat(record.orderFor("Q2", "example.net")).isNull();
        record.remove("Q1", "example.net", Order.HOLD);
        assertThat(record.orderFor("Q1", "example.net")).isNull();
    }

    @Test
    void anOrderThatEndsTheEntryWinsOverHold() {
        record.add("Q1", "example.net", Order.HOLD);
        record.add("Q1", "example.net", Order.DELETE_AND_BOUNCE);
        assertThat(record.orderFor("Q1", "example.net")).isEqualTo(Order.DELETE_AND_BOUNCE);
    }

    @Test
    void aFlushYieldsToEveryOrderThatKeepsOrEndsTheEntry() {
        record.add("Q1", "example.net", Order.FLUSH);
        assertThat(record.orderFor("Q1", "example.net")).isEqualTo(Order.FLUSH);
        record.add("Q1", "example.net", Order.HOLD);
        assertThat(record.orderFor("Q1", "example.net")).as("held, not retried at once").isEqualTo(Order.HOLD);
        record.remove("Q1", "example.net", Order.HOLD);
        assertThat(record.orderFor("Q1", "example.net")).isEqualTo(Order.FLUSH);
    }

    @Test
    void anOrderForAnEntryNotYetSplitGoesToEachOfItsParts() {
        record.add("Q1", "", Order.HOLD);

        record.resolve("Q1", List.of("a.example", "b.example"));

        assertThat(record.orderFor("Q1", "a.example")).isEqualTo(Order.HOLD);
        assertThat(record.orderFor("Q1", "b.example")).isEqualTo(Order.HOLD);
        assertThat(record.orderFor("Q1", "")).as("handed on").isNull();
        record.remove("Q1", "a.example", Order.HOLD);
        assertThat(record.orderFor("Q1", "b.example")).as("released one part only").isEqualTo(Order.HOLD);
    }

    @Test
    void noKeyCanBeASettledRecipientsKey() {
        record.add("Q1", "example.net", Order.DELETE);
        String settled = SmtpRelayProducer.recordKey("Q1", MailAddress.of("bob@example.net"));
        assertThat(repository.contains(settled)).isFalse();
        repository.add(settled);
        assertThat(record.orderFor("Q1", "example.net")).isEqualTo(Order.DELETE);
        assertThat(repository.getCacheSize()).isEqualTo(3);
    }
}
