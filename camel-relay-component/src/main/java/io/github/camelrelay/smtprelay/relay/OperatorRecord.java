package io.github.camelrelay.smtprelay.relay;

import java.util.Collection;
import java.util.Locale;
import java.util.Objects;

import org.apache.camel.spi.IdempotentRepository;

/**
 * The mail administrator's standing orders for queue entries (hold, delete, bounce), which the relay routes obey
 * whenever they take an entry off the queue or are about to put it back. An entry being delivered is not on the
 * broker's queue, so an order the broker alone carried out would miss the retry that delivery then queues; this
 * record is what that delivery consults.
 * <p>
 * Kept in the routes' settled record ({@link RelayRouteSettings#settledRepository}), so it is exactly as durable and
 * as shared as that record: a file survives a restart, a database is shared by every instance on one broker. An
 * order is keyed by the entry it names, the message's queue id and the entry's destination ("" for an entry not yet
 * split per destination), with an address-free suffix so no key can equal a settled recipient's
 * ({@code "queueId recipient"}). One marker key per queue id keeps the routes' check to one look-up for mail
 * without orders.
 */
public final class OperatorRecord {

    /** What the routes do with an entry instead of delivering it. */
    public enum Order {
        /** Return its pending recipients to the sender now, and dead-letter it with that report. */
        BOUNCE,
        /** Drop it, telling no one. */
        DELETE,
        /** Drop it after returning its pending recipients to the sender. */
        DELETE_AND_BOUNCE,
        /** Keep it on the hold queue, undelivered, until released. */
        HOLD,
        /**
         * Queue its retry due at once: given to an entry being delivered when the flush came, so the retry that attempt
         * queues is not left waiting for its back-off. Obeyed once, then withdrawn.
         */
        FLUSH;

        String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '+');
        }
    }

    /**
     * Deletes first, then bounces, then holds, then flushes: the order that ends an entry wins over the one that keeps
     * it.
     */
    private static final Order[] PRECEDENCE = { Order.DELETE_AND_BOUNCE, Order.DELETE, Order.BOUNCE, Order.HOLD, Order.FLUSH };

    private final IdempotentRepository repository;

    public OperatorRecord(IdempotentRepository repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    /** Gives the order for the entry of {@code queueId} at {@code destination} ("" for an entry not yet split). */
    public void add(String queueId, String destination, Order order) {
        repository.add(marker(queueId));
        repository.add(key(queueId, destination, order));
    }

    /** Withdraws the order (a release withdraws HOLD, an obeyed flush FLUSH); nothing happens when there is none. */
    public void remove(String queueId, String destination, Order order) {
        repository.remove(key(queueId, destination, order));
    }

    /** The order standing for the entry, or null for none. */
    public Order orderFor(String queueId, String destination) {
        if (queueId == null || !repository.contains(marker(queueId))) {
            return null;
        }
        for (Order o : PRECEDENCE) {
            if (repository.contains(key(queueId, destination, o))) {
                return o;
            }
        }
        return null;
    }

    /**
     * Hands the orders given to an entry that had no destination yet to the entries it becomes, one per destination:
     * the routes call this when they split or place such an entry.
     */
    void resolve(String queueId, Collection<String> destinations) {
        if (queueId == null || destinations.isEmpty() || !repository.contains(marker(queueId))) {
            return;
        }
        for (Order o : Order.values()) {
            String unsplit = key(queueId, "", o);
            if (repository.contains(unsplit)) {
                for (String d : destinations) {
                    repository.add(key(queueId, d, o));
                }
                if (!destinations.contains("")) {
                    repository.remove(unsplit);
                }
            }
        }
    }

    private static String marker(String queueId) {
        return queueId + " !orders";
    }

    private static String key(String queueId, String destination, Order order) {
        return queueId + " !" + order.key() + " " + (destination == null ? "" : destination.toLowerCase(Locale.ROOT));
    }
}
