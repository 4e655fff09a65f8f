package io.github.camelrelay.smtprelay;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;

import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls several listeners, so that metrics and a user's own listener can both be registered. A listener that throws
 * is logged and skipped: its exception would otherwise break the SMTP session it was called from, deferring mail or,
 * thrown after the server accepted a message, making it be sent again.
 */
final class CompositeListener implements SmtpRelayListener {

    private static final Logger LOG = LoggerFactory.getLogger(CompositeListener.class);

    private final List<SmtpRelayListener> listeners;

    private CompositeListener(List<SmtpRelayListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Null when there is no listener, so that the component computes nothing for events. */
    static SmtpRelayListener of(List<SmtpRelayListener> listeners) {
        return listeners.isEmpty() ? null : new CompositeListener(listeners);
    }

    private void each(String event, Consumer<SmtpRelayListener> call) {
        for (SmtpRelayListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("SmtpRelayListener {} failed in {}; the delivery goes on", l.getClass().getName(), event, e);
            }
        }
    }

    @Override
    public void mxResolved(Domain domain, List<String> hosts) {
        each("mxResolved", l -> l.mxResolved(domain, hosts));
    }

    @Override
    public void connected(String host, InetSocketAddress address, boolean tls) {
        each("connected", l -> l.connected(host, address, tls));
    }

    @Override
    public void disconnected(String host, InetSocketAddress address) {
        each("disconnected", l -> l.disconnected(host, address));
    }

    @Override
    public void commandSent(String host, String command) {
        each("commandSent", l -> l.commandSent(host, command));
    }

    @Override
    public void replyReceived(String host, int code, String text) {
        each("replyReceived", l -> l.replyReceived(host, code, text));
    }

    @Override
    public void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
        each("deliveryCompleted", l -> l.deliveryCompleted(endpoint, report, elapsedMillis));
    }

    @Override
    public void messageRelayed(String host, DeliveryReport transaction) {
        each("messageRelayed", l -> l.messageRelayed(host, transaction));
    }
}
