package io.github.camelrelay.springboot.mailqueue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the relay's queues: a message's recipients at one destination (the relay routes split each message
 * per destination), with where its delivery stands.
 *
 * @param queueId     the message's queue id (the listener's queued-as id), shared by its entries for other destinations
 * @param brokerId    the broker's id of this entry
 * @param arrival     when the message arrived at the relay; null when the entry does not say
 * @param size        the message's size in octets; -1 when the entry does not say
 * @param sender      the envelope sender, "" for the null sender
 * @param destination the recipient domain, or [relay host] in relay mode; "" when not yet split
 * @param recipients  the recipients still pending at this destination
 * @param attempts    delivery attempts so far
 * @param nextAttempt when the next attempt is due; null when the entry is due now
 * @param lastReply   what the last attempt reported (the delivery report's text); null before the first attempt
 * @param state       where the entry is
 */
public record QueueEntry(String queueId, String brokerId, Instant arrival, long size, String sender, String destination,
        List<String> recipients, int attempts, Instant nextAttempt, String lastReply, State state) {

    /** Where an entry is, in Postfix's terms. */
    public enum State {
        /** Due now: being delivered or waiting for a delivery slot. */
        ACTIVE,
        /** Waiting for its next attempt after a temporary failure. */
        DEFERRED,
        /** On the hold queue: kept undelivered until an operator releases it. */
        HELD,
        /** On the dead-letter queue: given up on without a bounce, or refused by the broker; kept for an operator. */
        DEAD
    }

    public QueueEntry {
        Objects.requireNonNull(brokerId, "brokerId");
        Objects.requireNonNull(state, "state");
        sender = sender == null ? "" : sender;
        destination = destination == null ? "" : destination;
        recipients = List.copyOf(recipients);
    }
}
