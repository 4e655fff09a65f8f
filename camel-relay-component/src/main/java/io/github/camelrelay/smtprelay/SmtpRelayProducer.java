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
import org.apache.camel.health.WritableHealthCheckRepository;
import org.apache.camel.support.DefaultAsyncProducer;

/**
 * Delivers the exchange's message to every recipient on the endpoint's delivery threads, so route threads are not
 * held while SMTP is spoken. Bad input fails at once, before any connection; the outcome of a delivery is the
 * {@code CamelSmtpRelayReport} header and, when not everything was delivered, an {@link SmtpRelayException}.
 */
public class SmtpRelayProducer extends DefaultAsyncProducer {

    private final ExchangeMailReader reader;

    public SmtpRelayProducer(SmtpRelayEndpoint endpoint) {
        super(endpoint);
        this.reader = new ExchangeMailReader(endpoint.getHeloName(), endpoint.getConfiguration().isAddReceivedHeader());
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
            getEndpoint().executor().execute(() -> deliver(exchange, mail, callback));
            return false;
        } catch (InvalidMailException | RejectedExecutionException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
    }

    private void deliver(Exchange exchange, OutgoingMail mail, AsyncCallback callback) {
        try {
            long start = System.currentTimeMillis();
            DeliveryReport attempt = getEndpoint().engine().deliver(mail);
            if (listener != null) {
                listener.deliveryCompleted(getEndpoint().getName(), attempt, System.currentTimeMillis() - start);
            }
            DeliveryReport report = merge(exchange.getMessage().getHeader(SmtpRelayConstants.REPORT), attempt);
            exchange.getMessage().setHeader(SmtpRelayConstants.REPORT, report);
            if (report.hasDeferred()) {
                List<String> deferred = report.recipients(Outcome.DEFERRED).stream().map(MailAddress::address).toList();
                exchange.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, new ArrayList<>(deferred));
                exchange.setException(new SmtpRelayTransientException(exchange, report));
            } else if (report.hasFailed()) {
                exchange.setException(new SmtpRelayPermanentException(exchange, report));
            }
        } catch (Throwable t) {
            exchange.setException(t);
        } finally {
            callback.done(false);
        }
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
