package io.github.camelrelay.springboot.mailqueue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.github.camelrelay.smtprelay.relay.OperatorRecord;
import io.github.camelrelay.smtprelay.relay.OperatorRecord.Order;
import io.github.camelrelay.springboot.mailqueue.MailQueue.Located;
import io.github.camelrelay.springboot.mailqueue.QueueEntry.State;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mail administrator's operations on the relay's queues, after Postfix's {@code postqueue} and {@code postsuper}:
 * flush, hold, release, delete (optionally bouncing), requeue from the dead letters, and bounce now. Each is logged
 * with who asked.
 * <p>
 * Why they cannot lose or duplicate a message: the broker moves nothing on its own. An order that changes an entry's
 * fate (hold, delete, bounce) is written first to the routes' durable {@link OperatorRecord}; then the entry is made
 * due at once (Artemis delivers a scheduled message now) so the relay routes take it and carry the order out in the
 * consumer's transaction, exactly as they would a delivery. An entry being delivered is not on the queue: its
 * delivery consults the record before it queues the retry, and the operation waits a while for it to end so the
 * retry, if the order came too late for it, is made due and taken too. Release and requeue move entries back to the
 * delivery queue in one broker operation or one JMS transaction each, keeping the queue id, so the settled record
 * still keeps delivered recipients from being sent again.
 */
public final class MailQueueOperations {

    private static final Logger LOG = LoggerFactory.getLogger(MailQueueOperations.class);

    /** What an operator can ask for. */
    public enum Action {
        /** Deliver deferred entries now. */
        FLUSH,
        /** Keep entries undelivered until released. */
        HOLD,
        /** Give held entries back to delivery. */
        RELEASE,
        /** Remove entries, with a bounce to the sender if asked; dead letters are removed without one. */
        DELETE,
        /** Give dead letters back to delivery, with a new lifetime and their queue id (settled recipients stay settled). */
        REQUEUE,
        /** Return the pending recipients to the sender now and dead-letter the entries. */
        BOUNCE;

        static Action of(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("Expected an action (flush, hold, release, delete, requeue or bounce) but found none");
            }
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Expected an action flush, hold, release, delete, requeue or bounce but found '"
                                                   + name + "'", e);
            }
        }
    }

    /**
     * Which entries: a queue id ({@code ALL} for every entry), a destination, a sender; those given must all match
     * (case-insensitive, exact). At least one must be given.
     */
    public record Selection(String id, String destination, String sender) {

        public Selection {
            id = blankToNull(id);
            destination = blankToNull(destination);
            sender = sender == null || sender.isBlank() ? null : sender.strip();
            if (id == null && destination == null && sender == null) {
                throw new IllegalArgumentException("Expected an id (ALL for every entry), a destination or a sender but found none");
            }
        }

        boolean all() {
            return "ALL".equalsIgnoreCase(id) && destination == null && sender == null;
        }

        Predicate<QueueEntry> predicate() {
            return e -> (id == null || "ALL".equalsIgnoreCase(id) || id.equals(e.queueId()) || id.equals(e.brokerId()))
                        && (destination == null || destination.equalsIgnoreCase(e.destination()))
                        && (sender == null || sender.equalsIgnoreCase(e.sender())
                            || sender.equals("<>") && e.sender().isEmpty());
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }
    }

    /**
     * What was done.
     *
     * @param action     the action
     * @param by         who asked
     * @param count      entries acted on
     * @param ids        their queue ids, each once
     * @param inDelivery queue ids of entries that were being delivered: the order applies when that attempt ends
     *                   (a flush has nothing to do for them: they are being tried now)
     * @param note       what the operator should know, or null
     */
    public record Result(String action, String by, int count, List<String> ids, List<String> inDelivery, String note) {
    }

    private final MailQueue queue;
    private final Supplier<OperatorRecord> record;
    private final Duration deliveryWait;
    private final Clock clock;
    /** Runs when an operation starts waiting for deliveries in progress; for tests that race one with a delivery. */
    private volatile Runnable onWaiting = () -> { };

    /**
     * @param queue        the queues
     * @param record       the relay routes' operator record (null when the routes are not there)
     * @param deliveryWait how long an operation waits for deliveries in progress of the entries it names to end
     * @param clock        the time a requeued entry's new lifetime starts at
     */
    public MailQueueOperations(MailQueue queue, Supplier<OperatorRecord> record, Duration deliveryWait, Clock clock) {
        this.queue = queue;
        this.record = record;
        this.deliveryWait = deliveryWait;
        this.clock = clock;
    }

    /**
     * Carries out the action on the selected entries.
     *
     * @param bounce for delete: return the pending recipients to the sender first
     * @param by     who asked, for the log
     * @throws IllegalArgumentException when the request is incomplete
     * @throws IllegalStateException    when the broker cannot be reached or refuses
     */
    public Result perform(Action action, Selection selection, boolean bounce, String by) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(selection, "selection");
        Result result = switch (action) {
            case FLUSH -> flush(selection, by);
            case HOLD -> order(Action.HOLD, Order.HOLD, selection, by);
            case RELEASE -> release(selection, by);
            case DELETE -> delete(selection, bounce, by);
            case REQUEUE -> requeue(selection, by);
            case BOUNCE -> order(Action.BOUNCE, Order.BOUNCE, selection, by);
        };
        LOG.info("mail queue {} by {}: {} entr{} {}{}{}", action.name().toLowerCase(Locale.ROOT), by, result.count(),
                result.count() == 1 ? "y" : "ies", result.ids(),
                result.inDelivery().isEmpty() ? "" : ", being delivered (the order applies when the attempt ends): " + result.inDelivery(),
                result.note() == null ? "" : "; " + result.note());
        return result;
    }

    private Result flush(Selection selection, String by) {
        List<Located> targets = onQueue(queue.locate(selection.predicate())).stream()
                .filter(l -> l.scheduled() || l.delivering()).toList();
        if (selection.all()) {
            // one request for the lot; what was being delivered is then made due below
            queue.invoke(queue.queue(), "deliverScheduledMessages", "");
        }
        // an entry being delivered is being tried now: if that attempt defers it, its retry is made due too, by the
        // routes when they queue it (the order), and here once the attempt has ended (the broker's schedule)
        OperatorRecord operators = record == null ? null : record.get();
        if (operators != null) {
            for (Located l : targets.stream().filter(Located::delivering).toList()) {
                operators.add(queueId(l.entry()), l.entry().destination(), Order.FLUSH);
            }
        }
        List<Located> delivering = carryOut(selection.all() ? targets.stream().filter(Located::delivering).toList() : targets);
        return result(Action.FLUSH, by, targets, delivering, null);
    }

    /** Hold or bounce: the order goes in the record, then the entries are made due so the routes carry it out. */
    private Result order(Action action, Order order, Selection selection, String by) {
        OperatorRecord operators = operators();
        List<Located> found = queue.locate(selection.predicate());
        List<Located> targets = new ArrayList<>(onQueue(found));
        if (order == Order.BOUNCE) {
            targets.addAll(found.stream().filter(l -> l.entry().state() == State.HELD).toList());
        }
        for (Located l : targets) {
            operators.add(queueId(l.entry()), l.entry().destination(), order);
        }
        List<Located> delivering = carryOut(targets);
        return result(action, by, targets, delivering, null);
    }

    private Result delete(Selection selection, boolean bounce, String by) {
        OperatorRecord operators = operators();
        List<Located> found = queue.locate(selection.predicate());
        List<Located> targets = new ArrayList<>(onQueue(found));
        targets.addAll(found.stream().filter(l -> l.entry().state() == State.HELD).toList());
        Order order = bounce ? Order.DELETE_AND_BOUNCE : Order.DELETE;
        for (Located l : targets) {
            operators.add(queueId(l.entry()), l.entry().destination(), order);
        }
        List<Located> delivering = carryOut(targets);
        List<Located> dead = found.stream().filter(l -> l.entry().state() == State.DEAD).toList();
        for (Located l : dead) {
            // nothing takes a dead letter: the broker removes it; it was returned to its sender when it died
            queue.invoke(l.queue(), "removeMessage", l.messageId());
        }
        List<Located> all = new ArrayList<>(targets);
        all.addAll(dead);
        return result(Action.DELETE, by, all, delivering,
                dead.isEmpty() || !bounce ? null : "dead letters are removed without a bounce: their sender was told when they died");
    }

    private Result release(Selection selection, String by) {
        OperatorRecord operators = operators();
        List<Located> found = queue.locate(selection.predicate());
        List<Located> released = new ArrayList<>();
        for (Located l : found) {
            QueueEntry e = l.entry();
            boolean held = e.state() == State.HELD;
            // an entry on hold but not yet on the hold queue (due, or being delivered) is released by withdrawing the order
            if (held || (e.state() != State.DEAD && operators.orderFor(queueId(e), e.destination()) == Order.HOLD)) {
                operators.remove(queueId(e), e.destination(), Order.HOLD);
                if (held) {
                    queue.invoke(l.queue(), "moveMessage", l.messageId(), queue.queue());
                }
                released.add(l);
            }
        }
        return result(Action.RELEASE, by, released, List.of(), null);
    }

    /**
     * Dead letters go back to the delivery queue in one JMS transaction each, with their queue id, no attempts and a
     * new lifetime from now.
     */
    private Result requeue(Selection selection, String by) {
        OperatorRecord operators = operators();
        List<Located> dead = queue.locate(selection.predicate()).stream().filter(l -> l.entry().state() == State.DEAD).toList();
        List<Located> moved = new ArrayList<>();
        try (Connection connection = queue.connectionFactory().createConnection()) {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            try (MessageProducer producer = session.createProducer(session.createQueue(queue.queue()))) {
                for (Located l : dead) {
                    // an earlier bounce or hold order of this entry must not apply to its new life
                    operators.remove(queueId(l.entry()), l.entry().destination(), Order.BOUNCE);
                    operators.remove(queueId(l.entry()), l.entry().destination(), Order.HOLD);
                    if (requeue(session, producer, l)) {
                        moved.add(l);
                    }
                }
            }
        } catch (JMSException e) {
            throw new IllegalStateException("Cannot requeue from " + queue.deadLetterQueue() + " to " + queue.queue() + ": "
                                            + e.getMessage(), e);
        }
        return result(Action.REQUEUE, by, moved, List.of(), null);
    }

    private boolean requeue(Session session, MessageProducer producer, Located l) throws JMSException {
        String selector = "JMSMessageID = '" + l.entry().brokerId().replace("'", "''") + "'";
        try (MessageConsumer consumer = session.createConsumer(session.createQueue(l.queue()), selector)) {
            Message dead = consumer.receive(2_000);
            if (dead == null) {
                // taken by another operator meanwhile
                session.rollback();
                return false;
            }
            Message copy;
            if (dead instanceof BytesMessage bytes) {
                byte[] body = new byte[(int) bytes.getBodyLength()];
                bytes.readBytes(body);
                BytesMessage b = session.createBytesMessage();
                b.writeBytes(body);
                copy = b;
            } else if (dead instanceof TextMessage text) {
                copy = session.createTextMessage(text.getText());
            } else {
                session.rollback();
                throw new IllegalStateException("Expected a bytes or text message as dead letter " + l.entry().brokerId()
                                                + " but found a " + dead.getClass().getSimpleName());
            }
            for (Enumeration<?> names = dead.getPropertyNames(); names.hasMoreElements();) {
                String name = (String) names.nextElement();
                if (!name.startsWith("JMSX") && !name.startsWith("_AMQ")) {
                    copy.setObjectProperty(name, dead.getObjectProperty(name));
                }
            }
            copy.setIntProperty("SmtpRelayAttempts", 0);
            copy.setLongProperty("SmtpRelayRequeued", clock.millis());
            copy.setObjectProperty("SmtpRelayWarned", null);
            if (l.entry().queueId() == null) {
                // the routes named it by its first JMS message id: keep that name, and with it its settled recipients
                copy.setStringProperty("SmtpRelayQueueId", l.entry().brokerId());
            }
            producer.send(copy);
            session.commit();
            return true;
        }
    }

    /**
     * Makes the targets on the delivery queue due now, so the routes take them and obey the order; for those being
     * delivered, waits for the attempt to end and makes its retry due too, in case the order came after the delivery
     * looked. Returns the targets that were being delivered.
     */
    private List<Located> carryOut(List<Located> targets) {
        List<Located> delivering = new ArrayList<>();
        for (Located l : targets) {
            if (l.entry().state() == State.HELD) {
                queue.invoke(l.queue(), "moveMessage", l.messageId(), queue.queue());
            } else if (l.scheduled()) {
                deliverNow(l);
            } else if (l.delivering()) {
                delivering.add(l);
            }
        }
        if (!delivering.isEmpty()) {
            Set<String> waiting = new LinkedHashSet<>();
            delivering.forEach(l -> waiting.add(entryKey(l.entry())));
            // an entry first tried has no destination yet; its retry has one
            Predicate<QueueEntry> ofThem = e -> waiting.contains(entryKey(e)) || waiting.contains(queueId(e) + " ");
            onWaiting.run();
            Instant until = clock.instant().plus(deliveryWait);
            List<Located> now;
            do {
                now = queue.locate(ofThem);
                if (now.stream().noneMatch(Located::delivering)) {
                    break;
                }
                pause();
            } while (clock.instant().isBefore(until));
            now.stream().filter(Located::scheduled).forEach(this::deliverNow);
        }
        return delivering;
    }

    void onWaiting(Runnable r) {
        onWaiting = r;
    }

    private void deliverNow(Located l) {
        queue.invoke(l.queue(), "deliverScheduledMessage", l.messageId());
    }

    private static void pause() {
        try {
            // polling the broker while a delivery ends; operations are rare and the wait is bounded
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a delivery in progress to end", e);
        }
    }

    private OperatorRecord operators() {
        OperatorRecord r = record == null ? null : record.get();
        if (r == null) {
            throw new IllegalStateException("Expected the relay routes (camel.smtprelay.relay.enabled=true) in this application to"
                                            + " carry out the order but found none");
        }
        return r;
    }

    /** Entries of the delivery queue: ready, being delivered, or scheduled. */
    private List<Located> onQueue(List<Located> found) {
        return found.stream().filter(l -> l.queue().equals(queue.queue())).toList();
    }

    /** The name the routes know the entry by: its queue id, or for an entry queued without one, its JMS message id. */
    static String queueId(QueueEntry e) {
        return e.queueId() != null ? e.queueId() : e.brokerId();
    }

    private static String entryKey(QueueEntry e) {
        return queueId(e) + " " + e.destination().toLowerCase(Locale.ROOT);
    }

    private static Result result(Action action, String by, List<Located> done, List<Located> delivering, String note) {
        Set<String> ids = new LinkedHashSet<>();
        done.forEach(l -> ids.add(queueId(l.entry())));
        Set<String> busy = new LinkedHashSet<>();
        delivering.forEach(l -> busy.add(queueId(l.entry())));
        return new Result(action.name().toLowerCase(Locale.ROOT), by, done.size(), List.copyOf(ids), List.copyOf(busy), note);
    }
}
