package io.github.camelrelay.smtprelay.relay;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import io.github.camelrelay.smtprelay.report.RecipientStatus;
import org.apache.camel.util.json.JsonObject;

/**
 * What became of one recipient of a queued message: the relay routes publish one for every recipient outcome
 * (delivered, deferred, bounced, expired), the queue operations one for each recipient they hold or delete. Sent as
 * {@linkplain #toJson() JSON} to the events queue, from which the starter forwards them in batches to the user's
 * endpoint.
 *
 * @param type          what happened
 * @param time          when
 * @param queueId       the message's queue id (the listener's queued-as id)
 * @param messageId     the message's Message-ID header, or null when it has none
 * @param sender        the envelope sender, "" for the null sender
 * @param recipient     the recipient
 * @param destination   the recipient domain, or [relay host] in relay mode
 * @param reply         what the receiving server (or the relay itself) answered; null for an operation
 * @param attempts      delivery attempts of the message at this destination so far
 * @param arrival       when the message arrived at the relay, or null when unknown
 * @param nextAttempt   when a deferred recipient is tried again; null otherwise
 * @param attemptMillis how long the delivery attempt took; 0 for an operation
 */
public record DeliveryEvent(Type type, Instant time, String queueId, String messageId, String sender, String recipient,
        String destination, Reply reply, int attempts, Instant arrival, Instant nextAttempt, long attemptMillis) {

    /** What happened to the recipient. */
    public enum Type {
        DELIVERED, DEFERRED, BOUNCED, EXPIRED, HELD, DELETED;

        /** The type as the JSON names it: lower case. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An SMTP reply, or the relay's own verdict.
     *
     * @param code           the reply code, 0 when no server answered
     * @param enhancedStatus the RFC 3463 status, such as 4.2.2
     * @param text           the reply text
     * @param host           the server that answered, or null
     * @param tls            whether the session was encrypted
     * @param tlsPolicy      the TLS policy that applied and how it went, as the delivery log's {@code tls=} says it
     *                       ({@code dane-ee}, {@code mta-sts}, {@code dane-fail (no TLSA match)}), or null
     */
    public record Reply(int code, String enhancedStatus, String text, String host, boolean tls, String tlsPolicy) {

        /** A reply without the TLS policy's word. */
        public Reply(int code, String enhancedStatus, String text, String host, boolean tls) {
            this(code, enhancedStatus, text, host, tls, null);
        }

        public static Reply of(RecipientStatus status) {
            return new Reply(status.replyCode(), status.enhancedStatus(), status.replyText(), status.host(), status.tls(),
                    status.tlsPolicy());
        }
    }

    public DeliveryEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(recipient, "recipient");
        sender = sender == null ? "" : sender;
        destination = destination == null ? "" : destination;
    }

    /** A builder for the event of one recipient. */
    public static Builder builder(Type type, String recipient, Instant time) {
        return new Builder(type, recipient, time);
    }

    /**
     * The event as one JSON object: {@code type}, {@code time}, {@code queueId}, {@code messageId}, {@code sender},
     * {@code recipient}, {@code destination}, {@code reply} ({@code code}, {@code status}, {@code text},
     * {@code host}, {@code tls}, {@code tlsPolicy}), {@code attempts}, {@code arrival}, {@code nextAttempt}, {@code queuedMillis} (from
     * arrival to the event) and {@code attemptMillis}; times in ISO-8601 UTC, absent values null.
     */
    public String toJson() {
        return toJsonObject().toJson();
    }

    /** The event as Camel's JSON object, for a batch (a JSON array of these). */
    public JsonObject toJsonObject() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type.jsonName());
        m.put("time", time.toString());
        m.put("queueId", queueId);
        m.put("messageId", messageId);
        m.put("sender", sender);
        m.put("recipient", recipient);
        m.put("destination", destination);
        if (reply == null) {
            m.put("reply", null);
        } else {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("code", reply.code());
            r.put("status", reply.enhancedStatus());
            r.put("text", reply.text());
            r.put("host", reply.host());
            r.put("tls", reply.tls());
            r.put("tlsPolicy", reply.tlsPolicy());
            m.put("reply", new JsonObject(r));
        }
        m.put("attempts", attempts);
        m.put("arrival", arrival == null ? null : arrival.toString());
        m.put("nextAttempt", nextAttempt == null ? null : nextAttempt.toString());
        m.put("queuedMillis", arrival == null ? null : Math.max(0, time.toEpochMilli() - arrival.toEpochMilli()));
        m.put("attemptMillis", attemptMillis);
        return new JsonObject(m);
    }

    /** Builds a {@link DeliveryEvent}; everything but type, recipient and time is optional. */
    public static final class Builder {

        private final Type type;
        private final String recipient;
        private final Instant time;
        private String queueId;
        private String messageId;
        private String sender;
        private String destination;
        private Reply reply;
        private int attempts;
        private Instant arrival;
        private Instant nextAttempt;
        private long attemptMillis;

        private Builder(Type type, String recipient, Instant time) {
            this.type = type;
            this.recipient = recipient;
            this.time = time;
        }

        public Builder queueId(String v) {
            queueId = v;
            return this;
        }

        public Builder messageId(String v) {
            messageId = v;
            return this;
        }

        public Builder sender(String v) {
            sender = v;
            return this;
        }

        public Builder destination(String v) {
            destination = v;
            return this;
        }

        public Builder reply(Reply v) {
            reply = v;
            return this;
        }

        public Builder attempts(int v) {
            attempts = v;
            return this;
        }

        public Builder arrival(Instant v) {
            arrival = v;
            return this;
        }

        public Builder nextAttempt(Instant v) {
            nextAttempt = v;
            return this;
        }

        public Builder attemptMillis(long v) {
            attemptMillis = v;
            return this;
        }

        public DeliveryEvent build() {
            return new DeliveryEvent(type, time, queueId, messageId, sender, recipient, destination, reply, attempts,
                    arrival, nextAttempt, attemptMillis);
        }
    }
}
