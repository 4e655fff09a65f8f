package io.github.camelrelay.springboot.mailqueue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.relay.QueueRecipients;
import io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes;
import io.github.camelrelay.springboot.mailqueue.QueueEntry.State;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.camel.util.json.DeserializationException;
import org.apache.camel.util.json.Jsoner;

/**
 * The relay's delivery queue and dead-letter queue as a list of {@link QueueEntry entries}, read from the broker.
 * <p>
 * A JMS browser cannot see the entries that matter most: those waiting for their next attempt are scheduled
 * messages, invisible until due. So this asks Artemis's management address, as its console does, for the queue's ready, delivering and scheduled messages with their properties; nothing is
 * consumed, and an external broker shared by several instances answers the same as the embedded one (the user
 * needs Artemis's {@code manage} permission on the management address). Thread-safe; every call is one snapshot.
 */
public final class MailQueue {

    /** Artemis's default management address. */
    public static final String MANAGEMENT_ADDRESS = "activemq.management";

    private final ConnectionFactory connectionFactory;
    private final String queue;
    private final String deadLetterQueue;
    private final String holdQueue;
    private final Duration timeout;

    /**
     * @param connectionFactory a connection factory of the relay's broker
     * @param queue             the delivery queue's name (camel.smtprelay.relay.queue.name)
     * @param deadLetterQueue   the dead-letter queue's name (camel.smtprelay.relay.queue.dead-letter-name)
     * @param timeout           how long to wait for each answer of the broker
     */
    public MailQueue(ConnectionFactory connectionFactory, String queue, String deadLetterQueue, Duration timeout) {
        this(connectionFactory, queue, deadLetterQueue, null, timeout);
    }

    /**
     * @param holdQueue the hold queue's name (camel.smtprelay.relay.queue.hold-name), whose entries are listed as
     *                  held; null for none
     */
    public MailQueue(ConnectionFactory connectionFactory, String queue, String deadLetterQueue, String holdQueue,
            Duration timeout) {
        this.connectionFactory = connectionFactory;
        this.queue = queue;
        this.deadLetterQueue = deadLetterQueue;
        this.holdQueue = holdQueue;
        this.timeout = timeout;
    }

    /** The delivery queue's name. */
    public String queue() {
        return queue;
    }

    /** The dead-letter queue's name. */
    public String deadLetterQueue() {
        return deadLetterQueue;
    }

    /** The hold queue's name, or null. */
    public String holdQueue() {
        return holdQueue;
    }

    ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    /** Where an entry is on the broker: its queue, the broker's own message id there, and whether it is scheduled or being delivered. */
    record Located(QueueEntry entry, String queue, long messageId, boolean scheduled, boolean delivering) {
    }

    /** Every entry on both queues, oldest arrival first. */
    public List<QueueEntry> entries() {
        return entries(e -> true);
    }

    /**
     * The entries that pass the filter, oldest arrival first.
     *
     * @throws IllegalStateException when the broker cannot be reached or refuses the management request
     */
    public List<QueueEntry> entries(Predicate<QueueEntry> filter) {
        return locate(filter).stream().map(Located::entry).toList();
    }

    /** The entries that pass the filter with where each is, oldest arrival first. */
    List<Located> locate(Predicate<QueueEntry> filter) {
        List<Located> out = new ArrayList<>();
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue replies = session.createTemporaryQueue();
            try (MessageConsumer answers = session.createConsumer(replies)) {
                Management management = new Management(session, replies, answers);
                read(management.list(queue, "listMessagesAsJSON"), queue, State.ACTIVE, false, false, filter, out);
                read(management.list(queue, "listDeliveringMessagesAsJSON"), queue, State.ACTIVE, false, true, filter, out);
                read(management.list(queue, "listScheduledMessagesAsJSON"), queue, State.DEFERRED, true, false, filter, out);
                if (holdQueue != null) {
                    read(management.list(holdQueue, "listMessagesAsJSON"), holdQueue, State.HELD, false, false, filter, out);
                }
                read(management.list(deadLetterQueue, "listMessagesAsJSON"), deadLetterQueue, State.DEAD, false, false, filter, out);
                read(management.list(deadLetterQueue, "listScheduledMessagesAsJSON"), deadLetterQueue, State.DEAD, true, false,
                        filter, out);
            }
        } catch (JMSException e) {
            throw new IllegalStateException("Cannot read the relay queues " + queue + " and " + deadLetterQueue
                                            + " from the broker: " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing((Located l) -> l.entry().arrival() == null ? Instant.MAX : l.entry().arrival())
                .thenComparing(l -> l.entry().brokerId()));
        return out;
    }

    /**
     * Invokes an operation of a queue's control ({@code QueueControl}) on the broker's management address and
     * returns its result.
     *
     * @throws IllegalStateException when the broker cannot be reached or refuses the operation
     */
    Object invoke(String queueName, String operation, Object... arguments) {
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue replies = session.createTemporaryQueue();
            try (MessageConsumer answers = session.createConsumer(replies)) {
                return new Management(session, replies, answers).invoke(queueName, operation, arguments);
            }
        } catch (JMSException e) {
            throw new IllegalStateException("Cannot invoke " + operation + " on queue " + queueName + ": " + e.getMessage(), e);
        }
    }

    /** Entries per destination and state, destinations in alphabetical order. */
    public static Map<String, Map<State, Integer>> countsByDestination(List<QueueEntry> entries) {
        Map<String, Map<State, Integer>> counts = new TreeMap<>();
        for (QueueEntry e : entries) {
            counts.computeIfAbsent(e.destination(), d -> new TreeMap<>()).merge(e.state(), 1, Integer::sum);
        }
        return counts;
    }

    private static void read(List<Map<?, ?>> messages, String queueName, State state, boolean scheduled, boolean delivering,
            Predicate<QueueEntry> filter, List<Located> out) {
        for (Map<?, ?> m : messages) {
            QueueEntry entry = entry(m, state);
            if (filter.test(entry)) {
                out.add(new Located(entry, queueName, number(m, "messageID", -1), scheduled, delivering));
            }
        }
    }

    /** The queue's properties drop Camel's prefix (see SmtpRelayRoutes); a value missing from an entry is left empty. */
    static QueueEntry entry(Map<?, ?> m, State state) {
        String recipients = string(m, property(SmtpRelayConstants.RECIPIENTS));
        long scheduled = number(m, "_AMQ_SCHED_DELIVERY", 0);
        long arrival = number(m, property(SmtpRelayConstants.ARRIVAL), number(m, "timestamp", 0));
        return new QueueEntry(string(m, property(SmtpRelayConstants.QUEUE_ID)), String.valueOf(m.get("userID")),
                arrival > 0 ? Instant.ofEpochMilli(arrival) : null, number(m, property(SmtpRelayRoutes.SIZE), -1),
                string(m, property(SmtpRelayConstants.ENVELOPE_FROM)), string(m, property(SmtpRelayRoutes.DESTINATION)),
                recipients == null ? List.of() : recipients(recipients), (int) number(m, property(SmtpRelayConstants.ATTEMPTS), 0),
                scheduled > 0 ? Instant.ofEpochMilli(scheduled) : null, string(m, property(SmtpRelayConstants.REPORT_TEXT)),
                state);
    }

    private static List<String> recipients(String value) {
        try {
            return QueueRecipients.decode(value);
        } catch (IllegalArgumentException e) {
            // shown as it is: the delivery refuses such an entry with a report, the listing must still show it
            return List.of(value);
        }
    }

    private static String property(String header) {
        return header.substring("Camel".length());
    }

    private static String string(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v == null ? null : v.toString();
    }

    private static long number(Map<?, ?> m, String key, long otherwise) {
        Object v = m.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v != null) {
            try {
                return Long.parseLong(v.toString().strip());
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }
        return otherwise;
    }

    /** Requests to Artemis's management address, answered on a temporary queue. */
    private final class Management {

        private final Session session;
        private final TemporaryQueue replies;
        private final MessageConsumer answers;

        Management(Session session, TemporaryQueue replies, MessageConsumer answers) {
            this.session = session;
            this.replies = replies;
            this.answers = answers;
        }

        /** The messages an operation of the queue's control lists; an empty list when the queue does not exist. */
        List<Map<?, ?>> list(String queueName, String operation) throws JMSException {
            // listMessagesAsJSON's one argument: the filter, empty for all
            Object result = operation.equals("listMessagesAsJSON") ? call(queueName, operation, true, "")
                    : call(queueName, operation, true);
            return result == null ? List.of() : messages(String.valueOf(result), operation);
        }

        Object invoke(String queueName, String operation, Object... arguments) throws JMSException {
            return call(queueName, operation, false, arguments);
        }

        /** The operation's result; null when listing a queue that does not exist. */
        private Object call(String queueName, String operation, boolean listing, Object... arguments) throws JMSException {
            Message request = session.createMessage();
            JMSManagementHelper.putOperationInvocation(request, ResourceNames.QUEUE + queueName, operation, arguments);
            request.setJMSReplyTo(replies);
            try (MessageProducer producer = session.createProducer(session.createQueue(MANAGEMENT_ADDRESS))) {
                producer.send(request);
            }
            Message answer = answers.receive(timeout.toMillis());
            if (answer == null) {
                throw new IllegalStateException("Expected the broker's answer to " + operation + " of queue " + queueName
                                                + " within " + timeout + " but got none: is the broker Artemis, with its"
                                                + " management address at " + MANAGEMENT_ADDRESS + "?");
            }
            Object result;
            try {
                result = JMSManagementHelper.getResult(answer);
            } catch (Exception e) {
                throw new IllegalStateException("Expected the broker's answer to " + operation + " of queue " + queueName
                                                + " but could not read it: " + e.getMessage(), e);
            }
            if (!JMSManagementHelper.hasOperationSucceeded(answer)) {
                if (listing && String.valueOf(result).contains("AMQ229017")) {
                    // no such queue (yet): nothing queued on it
                    return null;
                }
                throw new IllegalStateException("Expected the broker to answer " + operation + " of queue " + queueName
                                                + " but it refused: " + result);
            }
            return result;
        }
    }

    /** The messages of a management answer: a JSON array (in a one-element array), delivering ones grouped by consumer. */
    static List<Map<?, ?>> messages(String result, String operation) {
        Object parsed;
        try {
            parsed = Jsoner.deserialize(result);
        } catch (DeserializationException e) {
            throw new IllegalStateException("Expected a JSON answer to " + operation + " but found '" + result + "'", e);
        }
        // the operation's return value comes wrapped in the array of results
        if (parsed instanceof List<?> outer && outer.size() == 1 && outer.get(0) instanceof String inner) {
            return messages(inner, operation);
        }
        List<Map<?, ?>> out = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("elements") instanceof List<?> grouped) {
                    grouped.stream().filter(Map.class::isInstance).forEach(g -> out.add((Map<?, ?>) g));
                } else if (o instanceof Map<?, ?> m) {
                    out.add(m);
                }
            }
        }
        return out;
    }
}
