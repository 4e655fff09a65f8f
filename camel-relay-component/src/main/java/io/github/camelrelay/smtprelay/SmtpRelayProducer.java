package io.github.camelrelay.smtprelay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

import io.github.camelrelay.smtprelay.delivery.OutgoingMail;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.health.WritableHealthCheckRepository;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the exchange's message to every recipient on the endpoint's delivery threads, so route threads are not
 * held while SMTP is spoken. Bad input fails at once, before any connection; the outcome of a delivery is the
 * {@code CamelSmtpRelayReport} header and, when not everything was delivered, an {@link SmtpRelayException}.
 */
public class SmtpRelayProducer extends DefaultAsyncProducer {

    private static final Logger LOG = LoggerFactory.getLogger("io.github.camelrelay.smtprelay.delivery");

    private final ExchangeMailReader reader;
    /**
     * The exchange property keeping what the attempts of this endpoint settled. Camel's redelivery restores the
     * message, headers included, from a copy taken before the first attempt, so the narrowed recipients header
     * does not reach a redelivery; exchange properties are not restored. Named after the endpoint, its secrets
     * masked, so two endpoints on one exchange keep apart.
     */
    private final String settledProperty;

    public SmtpRelayProducer(SmtpRelayEndpoint endpoint) {
        super(endpoint);
        this.reader = new ExchangeMailReader(endpoint.getHeloName(), endpoint.getConfiguration().isAddReceivedHeader(),
                endpoint.getComponent().getClock());
        this.settledProperty = SmtpRelayConstants.REPORT + ":" + URISupport.sanitizeUri(endpoint.getEndpointUri());
    }

    @Override
    public SmtpRelayEndpoint getEndpoint() {
        return (SmtpRelayEndpoint) super.getEndpoint();
    }

    private WritableHealthCheckRepository healthRepository;
    private SmtpRelayProducerHealthCheck healthCheck;
    private SmtpRelayListener listener;

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        getEndpoint().checkHeloName();
        getEndpoint().engine();
        listener = getEndpoint().listener();
        healthRepository = HealthCheckHelper.getHealthCheckRepository(getEndpoint().getCamelContext(), "producers",
                WritableHealthCheckRepository.class);
        if (healthRepository != null) {
            healthCheck = new SmtpRelayProducerHealthCheck(getEndpoint());
            healthCheck.setEnabled(getEndpoint().getComponent().isHealthCheckProducerEnabled());
            healthRepository.addHealthCheck(healthCheck);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (healthRepository != null && healthCheck != null) {
            healthRepository.removeHealthCheck(healthCheck);
        }
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        OutgoingMail mail;
        try {
            mail = reader.read(exchange);
            DeliveryReport earlier = exchange.getProperty(settledProperty, DeliveryReport.class);
            if (earlier != null) {
                mail = withoutSettled(mail, earlier);
                if (mail == null) {
                    // every recipient was delivered or failed by an earlier attempt: nothing to send again
                    outcome(exchange, earlier);
                    callback.done(true);
                    return true;
                }
            }
            IdempotentRepository settled = getEndpoint().getConfiguration().getSettledRepository();
            String key = settled == null ? null : exchange.getMessage().getHeader(SmtpRelayConstants.QUEUE_ID, String.class);
            if (key != null) {
                DeliveryReport recorded = recorded(mail, settled, key);
                if (recorded != null) {
                    DeliveryReport before = exchange.getProperty(settledProperty, DeliveryReport.class);
                    exchange.setProperty(settledProperty, merge(before, recorded));
                    mail = withoutSettled(mail, recorded);
                    if (mail == null) {
                        outcome(exchange, exchange.getProperty(settledProperty, DeliveryReport.class));
                        callback.done(true);
                        return true;
                    }
                }
            }
            OutgoingMail toDeliver = mail;
            if (getEndpoint().getConfiguration().isSynchronous()) {
                deliver(exchange, toDeliver, callback, true);
                return true;
            }
            getEndpoint().executor().execute(() -> deliver(exchange, toDeliver, callback, false));
            return false;
        } catch (InvalidMailException | RejectedExecutionException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
    }

    private void deliver(Exchange exchange, OutgoingMail mail, AsyncCallback callback, boolean doneSync) {
        try {
            Object earlier = exchange.getProperty(settledProperty);
            if (earlier == null) {
                earlier = exchange.getMessage().getHeader(SmtpRelayConstants.REPORT);
            }
            long start = System.currentTimeMillis();
            IdempotentRepository settled = getEndpoint().getConfiguration().getSettledRepository();
            String key = settled == null ? null : exchange.getMessage().getHeader(SmtpRelayConstants.QUEUE_ID, String.class);
            DeliveryReport attempt = key == null ? getEndpoint().engine().deliver(mail)
                    : getEndpoint().engine().deliver(mail, s -> record(settled, key, s));
            if (listener != null) {
                listener.deliveryCompleted(getEndpoint().getName(), attempt, System.currentTimeMillis() - start);
            }
            DeliveryReport report = merge(earlier, attempt);
            exchange.setProperty(settledProperty, report);
            outcome(exchange, report);
        } catch (Throwable t) {
            exchange.setException(t);
        } finally {
            callback.done(doneSync);
        }
    }

    /**
     * The recipients of the mail that the settled record has under the key, as delivered statuses; null when none.
     * A failing store fails the attempt: better late than twice.
     */
    private static DeliveryReport recorded(OutgoingMail mail, IdempotentRepository settled, String key) {
        List<RecipientStatus> done = new ArrayList<>();
        for (MailAddress r : mail.recipients()) {
            if (settled.contains(recordKey(key, r))) {
                done.add(RecipientStatus.local(r, Outcome.DELIVERED, "2.0.0", "delivered by an earlier attempt (settled record)"));
                LOG.info("{}: to=<{}>, status=skipped (delivered by an earlier attempt of message {})", mail.id(), r, key);
            }
        }
        return done.isEmpty() ? null : DeliveryReport.of(done);
    }

    /** Records a delivered recipient at once: from here on no attempt sends it this message again. */
    private static void record(IdempotentRepository settled, String key, RecipientStatus status) {
        if (status.outcome() != Outcome.DELIVERED) {
            // a failed recipient is bounced by whoever handles the report; one deferred is tried again
            return;
        }
        try {
            settled.add(recordKey(key, status.recipient()));
        } catch (RuntimeException e) {
            LOG.error("Cannot record <{}> of message {} as delivered: a redelivery of this message would send it again: {}",
                    status.recipient(), key, e.getMessage(), e);
        }
    }

    /** One line per recipient of one message; an address holds no line break, so the pair is unambiguous. */
    public static String recordKey(String messageKey, MailAddress recipient) {
        return messageKey + " " + recipient.address();
    }

    private static void outcome(Exchange exchange, DeliveryReport report) {
        exchange.getMessage().setHeader(SmtpRelayConstants.REPORT, report);
        if (report.hasDeferred()) {
            List<String> deferred = report.recipients(Outcome.DEFERRED).stream().map(MailAddress::address).toList();
            exchange.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, new ArrayList<>(deferred));
            exchange.setException(new SmtpRelayTransientException(exchange, report));
        } else if (report.hasFailed()) {
            exchange.setException(new SmtpRelayPermanentException(exchange, report));
        }
    }

    /** The mail without the recipients an earlier attempt delivered or failed, or null when none is left. */
    private static OutgoingMail withoutSettled(OutgoingMail mail, DeliveryReport earlier) {
        Map<MailAddress, Outcome> outcomes = new LinkedHashMap<>();
        for (RecipientStatus s : earlier.statuses()) {
            outcomes.put(s.recipient(), s.outcome());
        }
        List<MailAddress> left = mail.recipients().stream()
                .filter(r -> outcomes.getOrDefault(r, Outcome.DEFERRED) == Outcome.DEFERRED).toList();
        if (left.isEmpty()) {
            return null;
        }
        return mail.withRecipients(left);
    }

    /**
     * Keeps what earlier attempts of this exchange settled (delivered or failed recipients that this attempt, which
     * only retried the deferred ones, did not include), so the final report covers every recipient.
     */
    private static DeliveryReport merge(Object previous, DeliveryReport current) {
        if (!(previous instanceof DeliveryReport earlier)) {
            return current;
        }
        Map<MailAddress, RecipientStatus> all = new LinkedHashMap<>();
        for (RecipientStatus s : earlier.statuses()) {
            all.put(s.recipient(), s);
        }
        for (RecipientStatus s : current.statuses()) {
            all.put(s.recipient(), s);
        }
        return DeliveryReport.of(new ArrayList<>(all.values()));
    }
}
