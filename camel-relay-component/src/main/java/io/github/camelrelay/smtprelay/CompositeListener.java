package io.github.camelrelay.smtprelay;

import java.net.InetSocketAddress;
import java.util.List;

import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.report.DeliveryReport;

/** Calls several listeners, so that metrics and a user's own listener can both be registered. */
final class CompositeListener implements SmtpRelayListener {

    private final List<SmtpRelayListener> listeners;

    private CompositeListener(List<SmtpRelayListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Null when there is no listener, so that the component computes nothing for events. */
    static SmtpRelayListener of(List<SmtpRelayListener> listeners) {
        return switch (listeners.size()) {
            case 0 -> null;
            case 1 -> listeners.get(0);
            default -> new CompositeListener(listeners);
        };
    }

    @Override
    public void mxResolved(Domain domain, List<String> hosts) {
        listeners.forEach(l -> l.mxResolved(domain, hosts));
    }

    @Override
    public void connected(String host, InetSocketAddress address, boolean tls) {
        listeners.forEach(l -> l.connected(host, address, tls));
    }

    @Override
    public void disconnected(String host, InetSocketAddress address) {
        listeners.forEach(l -> l.disconnected(host, address));
    }

    @Override
    public void commandSent(String host, String command) {
        listeners.forEach(l -> l.commandSent(host, command));
    }

    @Override
    public void replyReceived(String host, int code, String text) {
        listeners.forEach(l -> l.replyReceived(host, code, text));
    }

    @Override
    public void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
        listeners.forEach(l -> l.deliveryCompleted(endpoint, report, elapsedMillis));
    }

    @Override
    public void messageRelayed(String host, DeliveryReport transaction) {
        listeners.forEach(l -> l.messageRelayed(host, transaction));
    }
}
