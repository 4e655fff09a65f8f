package io.github.camelrelay.springboot.mailqueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes;
import io.github.camelrelay.springboot.SmtpRelayRoutesAutoConfiguration;
import io.github.camelrelay.springboot.SmtpRelayRoutesProperties;
import jakarta.jms.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * The mail queue view of the relay routes' queues on an Artemis broker: the {@link MailQueue} bean and the periodic
 * setting of the queue gauges to the broker's counts ({@link MailQueueEndpointAutoConfiguration} adds the actuator
 * endpoint).
 */
@AutoConfiguration(after = SmtpRelayRoutesAutoConfiguration.class, afterName = {
        "org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration",
        "org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration" })
@ConditionalOnProperty(prefix = "camel.smtprelay.relay", name = "enabled", havingValue = "true")
@ConditionalOnClass(name = { "jakarta.jms.ConnectionFactory", "org.apache.activemq.artemis.api.jms.management.JMSManagementHelper" })
public class MailQueueAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MailQueue.class);

    /** How long each management request may wait for the broker's answer. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ConnectionFactory.class)
    public MailQueue smtpRelayMailQueue(ConnectionFactory connectionFactory, SmtpRelayRoutesProperties properties) {
        // Boot's session cache would keep the temporary reply queues' sessions; each listing opens its own
        ConnectionFactory target = connectionFactory instanceof CachingConnectionFactory caching
                && caching.getTargetConnectionFactory() != null ? caching.getTargetConnectionFactory() : connectionFactory;
        return new MailQueue(target, properties.getQueue().getName(), properties.getQueue().getDeadLetterName(),
                properties.getQueue().getHoldName(), ANSWER_TIMEOUT);
    }

    /** How long an operation waits for a delivery in progress of an entry it names to end. */
    static final Duration DELIVERY_WAIT = Duration.ofSeconds(30);

    /** The operator's actions on the queues, carried out through the relay routes' operator record. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(MailQueue.class)
    public MailQueueOperations smtpRelayMailQueueOperations(MailQueue queue, ObjectProvider<SmtpRelayRoutes> routes) {
        return new MailQueueOperations(queue, () -> routes.orderedStream().findFirst().map(SmtpRelayRoutes::operatorRecord)
                .orElse(null), DELIVERY_WAIT, java.time.Clock.systemUTC());
    }

    /** Sets the routes' queue gauges to the broker's counts every queue.gauge-refresh. */
    @Bean
    @ConditionalOnBean(MailQueue.class)
    SmartLifecycle smtpRelayQueueGaugeRefresh(MailQueue queue, SmtpRelayRoutesProperties properties,
            ObjectProvider<SmtpRelayRoutes> routes, ObjectProvider<QueueSnapshotListener> listeners) {
        return new GaugeRefresh(queue, properties.getQueue().getGaugeRefresh(), routes, listeners);
    }

    /** The pending (not dead) entries' arrival times per destination, as QueueTracker.replaceAll takes them. */
    static Map<String, List<Long>> arrivalsByDestination(List<QueueEntry> entries) {
        Map<String, List<Long>> out = new HashMap<>();
        for (QueueEntry e : entries) {
            if (e.state() != QueueEntry.State.DEAD && e.arrival() != null && !e.destination().isEmpty()) {
                out.computeIfAbsent(e.destination(), d -> new ArrayList<>()).add(e.arrival().toEpochMilli());
            }
        }
        return out;
    }

    static final class GaugeRefresh implements SmartLifecycle {

        private final MailQueue queue;
        private final Duration period;
        private final ObjectProvider<SmtpRelayRoutes> routes;
        private final ObjectProvider<QueueSnapshotListener> listeners;
        private volatile ScheduledExecutorService executor;
        private volatile boolean warned;

        GaugeRefresh(MailQueue queue, Duration period, ObjectProvider<SmtpRelayRoutes> routes,
                     ObjectProvider<QueueSnapshotListener> listeners) {
            this.queue = queue;
            this.period = period;
            this.routes = routes;
            this.listeners = listeners;
        }

        @Override
        public void start() {
            if (period == null || period.isZero() || period.isNegative()) {
                return;
            }
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "smtprelay-queue-gauges");
                t.setDaemon(true);
                return t;
            });
            executor.scheduleWithFixedDelay(this::refresh, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        }

        void refresh() {
            try {
                List<QueueEntry> entries = queue.entries();
                Map<String, List<Long>> arrivals = arrivalsByDestination(entries);
                routes.orderedStream().filter(r -> r.tracker() != null).forEach(r -> r.tracker().replaceAll(arrivals));
                listeners.orderedStream().forEach(l -> {
                    try {
                        l.snapshot(entries);
                    } catch (RuntimeException e) {
                        LOG.warn("A queue snapshot listener failed: {}", e.toString());
                    }
                });
                warned = false;
            } catch (RuntimeException e) {
                if (!warned) {
                    // once until it works again: a broker down is reported by the health check, not by every refresh
                    LOG.warn("Cannot set the queue gauges to the broker's counts (they count this instance's mail until"
                             + " then): {}", e.getMessage());
                    warned = true;
                }
            }
        }

        @Override
        public void stop() {
            ScheduledExecutorService e = executor;
            if (e != null) {
                e.shutdownNow();
                executor = null;
            }
        }

        @Override
        public boolean isRunning() {
            return executor != null;
        }
    }
}
