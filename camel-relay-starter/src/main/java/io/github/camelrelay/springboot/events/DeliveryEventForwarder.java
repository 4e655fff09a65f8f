package io.github.camelrelay.springboot.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the delivery events off their queue in a local JMS transaction, up to batchSize at a time (or what came within
 * batchWait), sends them to the endpoint as one JSON array, and commits only once the endpoint took them. While the
 * endpoint fails, the same batch is tried again with waits doubling up to maxRetryDelay, and stays unacknowledged on
 * the broker meanwhile: nothing is lost if this instance stops, nothing counts against the queue's redelivery limit,
 * and the relay's deliveries, which only put events on the queue, never wait for the endpoint. At least once: a batch
 * the endpoint took just before a crash is sent again after the restart.
 */
public final class DeliveryEventForwarder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryEventForwarder.class);
    /** The header naming how many events the batch holds. */
    public static final String EVENT_COUNT = "SmtpRelayEventCount";
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private final Duration firstRetry;
    /** How long one receive waits while the queue is empty, so a stop is seen soon. */
    private static final long IDLE_RECEIVE_MILLIS = 500;

    private final ConnectionFactory connectionFactory;
    private final String queue;
    private volatile CamelContext camelContext;
    private final String uri;
    /** The endpoint as the log names it: without its passwords. */
    private final String logUri;
    private final int batchSize;
    private final Duration batchWait;
    private final Duration maxRetryDelay;
    private volatile Thread worker;
    private volatile CountDownLatch stopping;
    private volatile Connection connection;

    /**
     * @param connectionFactory the relay broker's connection factory (not a caching one: the consumer is long-lived)
     * @param queue             the events queue's name
     * @param uri               the Camel endpoint each batch is sent to
     */
    public DeliveryEventForwarder(ConnectionFactory connectionFactory, String queue, String uri,
                                  int batchSize, Duration batchWait, Duration maxRetryDelay) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("Expected camel.smtprelay.relay.events.batch-size of 1 or more but found " + batchSize);
        }
        if (batchWait == null || batchWait.isNegative()) {
            throw new IllegalArgumentException("Expected camel.smtprelay.relay.events.batch-wait of 0 or more but found " + batchWait);
        }
        if (maxRetryDelay == null || maxRetryDelay.isZero() || maxRetryDelay.isNegative()) {
            throw new IllegalArgumentException("Expected a positive camel.smtprelay.relay.events.max-retry-delay but found "
                                               + maxRetryDelay);
        }
        this.firstRetry = min(FIRST_RETRY, maxRetryDelay);
        this.connectionFactory = connectionFactory;
        this.queue = queue;
        this.uri = uri;
        this.logUri = org.apache.camel.util.URISupport.sanitizeUri(uri);
        this.batchSize = batchSize;
        this.batchWait = batchWait;
        this.maxRetryDelay = maxRetryDelay;
    }

    /** Starts forwarding through the Camel context, once it has started (a template made before would start it early). */
    public synchronized void start(CamelContext context) {
        if (worker != null) {
            return;
        }
        this.camelContext = context;
        stopping = new CountDownLatch(1);
        Thread t = new Thread(this::run, "smtprelay-events");
        t.setDaemon(true);
        worker = t;
        t.start();
    }

    /** Stops forwarding; a batch not yet taken by the endpoint stays on the queue. */
    public synchronized void stop() {
        Thread t = worker;
        if (t == null) {
            return;
        }
        stopping.countDown();
        closeConnection();
        try {
            t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker = null;
    }

    @Override
    public void close() {
        stop();
    }

    public boolean isRunning() {
        return worker != null;
    }


    private boolean stopped() {
        return stopping.getCount() == 0;
    }

    /** Waits, unless the forwarder stops first; true when it stopped. */
    private boolean pause(Duration d) {
        try {
            return stopping.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void run() {
        Duration retry = firstRetry;
        ProducerTemplate template = camelContext.createProducerTemplate();
        try {
            while (!stopped()) {
                try {
                    forward(template);
                    retry = firstRetry;
                } catch (JMSException | RuntimeException e) {
                    if (stopped()) {
                        break;
                    }
                    LOG.warn("Cannot read the delivery events from queue {} (trying again in {} ms): {}", queue,
                            retry.toMillis(), e.getMessage());
                    closeConnection();
                    if (pause(retry)) {
                        break;
                    }
                    retry = min(retry.multipliedBy(2), maxRetryDelay);
                }
            }
        } finally {
            closeConnection();
            try {
                template.stop();
            } catch (RuntimeException e) {
                LOG.debug("Cannot stop the events' producer template: {}", e.toString());
            }
        }
    }

    /** Forwards batches until the forwarder stops or the broker fails. */
    private void forward(ProducerTemplate template) throws JMSException {
        Connection c = connectionFactory.createConnection();
        connection = c;
        c.start();
        Session session = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
        while (!stopped()) {
            Message first = consumer.receive(IDLE_RECEIVE_MILLIS);
            if (first == null) {
                continue;
            }
            List<String> batch = new ArrayList<>();
            add(batch, first);
            long deadline = System.nanoTime() + batchWait.toNanos();
            while (batch.size() < batchSize) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                Message next = left > 0 ? consumer.receive(left) : consumer.receiveNoWait();
                if (next == null) {
                    break;
                }
                add(batch, next);
            }
            if (!send(template, batch)) {
                // stopping with the batch unsent: the broker offers it again to the next consumer
                session.rollback();
                return;
            }
            session.commit();
        }
    }

    private static void add(List<String> batch, Message m) throws JMSException {
        String text = m instanceof TextMessage t ? t.getText() : m.getBody(String.class);
        if (text != null && !text.isBlank()) {
            batch.add(text.strip());
        }
    }

    /** Sends the batch until the endpoint takes it; false when the forwarder stopped first. */
    private boolean send(ProducerTemplate template, List<String> batch) {
        if (batch.isEmpty()) {
            return true;
        }
        String body = "[" + String.join(",", batch) + "]";
        Duration retry = firstRetry;
        while (true) {
            try {
                Exchange sent = template.send(uri, e -> {
                    e.getMessage().setBody(body);
                    e.getMessage().setHeaders(Map.of(Exchange.CONTENT_TYPE, "application/json",
                            Exchange.HTTP_METHOD, "POST", EVENT_COUNT, batch.size()));
                });
                if (sent.getException() == null) {
                    if (!retry.equals(firstRetry)) {
                        LOG.info("Delivery events sent to {} again", logUri);
                    }
                    return true;
                }
                LOG.warn("Cannot send {} delivery events to {} (trying again in {} ms; they wait on queue {}): {}",
                        batch.size(), logUri, retry.toMillis(), queue, org.apache.camel.util.URISupport.sanitizeUri(sent.getException().getMessage()));
            } catch (RuntimeException e) {
                LOG.warn("Cannot send {} delivery events to {} (trying again in {} ms; they wait on queue {}): {}",
                        batch.size(), logUri, retry.toMillis(), queue, org.apache.camel.util.URISupport.sanitizeUri(e.getMessage()));
            }
            if (pause(retry)) {
                return false;
            }
            retry = min(retry.multipliedBy(2), maxRetryDelay);
        }
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (JMSException | RuntimeException e) {
                LOG.debug("Cannot close the events connection: {}", e.toString());
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
