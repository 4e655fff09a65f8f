package io.github.camelrelay.smtprelay;

import java.net.InetSocketAddress;
import java.util.List;

import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.report.DeliveryReport;

/** Calls every registered listener (metrics and a user's own can both be there), each guarded against failure. */
final class CompositeListener implements SmtpRelayListener {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CompositeListener.class);

    private final List<SmtpRelayListener> listeners;

    private CompositeListener(List<SmtpRelayListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Null when there is no listener, so that the component computes nothing for events. Events fire in the middle
     * of SMTP sessions, so a listener that throws is logged and otherwise ignored.
     */
    static SmtpRelayListener of(List<SmtpRelayListener> listeners) {
        return listeners.isEmpty() ? null : new CompositeListener(listeners);
    }

    private static void guarded(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("An SmtpRelayListener failed; the delivery is not affected", e);
        }
    }

    @Override
    public void mxResolved(Domain domain, List<String> hosts) {
        listeners.forEach(l -> guarded(() -> l.mxResolved(domain, hosts)));
    }

    @Override
    public void connected(String host, InetSocketAddress address, boolean tls) {
        listeners.forEach(l -> guarded(() -> l.connected(host, address, tls)));
    }

    @Override
    public void disconnected(String host, InetSocketAddress address) {
        listeners.forEach(l -> guarded(() -> l.disconnected(host, address)));
    }

    @Override
    public void commandSent(String host, String command) {
        listeners.forEach(l -> guarded(() -> l.commandSent(host, command)));
    }

    @Override
    public void replyReceived(String host, int code, String text) {
        listeners.forEach(l -> guarded(() -> l.replyReceived(host, code, text)));
    }

    @Override
    public void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
        listeners.forEach(l -> guarded(() -> l.deliveryCompleted(endpoint, report, elapsedMillis)));
    }

    @Override
    public void messageRelayed(String host, DeliveryReport transaction) {
        listeners.forEach(l -> guarded(() -> l.messageRelayed(host, transaction)));
    }

    @Override
    public void tlsResult(io.github.camelrelay.smtprelay.tlspolicy.TlsResult result) {
        listeners.forEach(l -> guarded(() -> l.tlsResult(result)));
    }
}
