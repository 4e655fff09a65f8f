package io.github.camelrelay.smtprelay.producer;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.report.DeliveryReport;

/** Records every listener event as one readable line, in order, e.g. {@code command mx1.example.test RCPT TO:<a@b>}. */
final class RecordingListener implements SmtpRelayListener {

    final List<String> events = new CopyOnWriteArrayList<>();
    final List<DeliveryReport> relayed = new CopyOnWriteArrayList<>();
    final List<io.github.camelrelay.smtprelay.tlspolicy.TlsResult> tls = new CopyOnWriteArrayList<>();

    @Override
    public void mxResolved(Domain domain, List<String> hosts) {
        events.add("mx " + domain + " " + hosts);
    }

    @Override
    public void connected(String host, InetSocketAddress address, boolean tls) {
        events.add("connected " + host + " " + address.getAddress().getHostAddress() + ":" + address.getPort() + " tls=" + tls);
    }

    @Override
    public void disconnected(String host, InetSocketAddress address) {
        events.add("disconnected " + host + " " + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    @Override
    public void commandSent(String host, String command) {
        events.add("command " + host + " " + command);
    }

    @Override
    public void replyReceived(String host, int code, String text) {
        events.add("reply " + host + " " + code + " " + text);
    }

    @Override
    public void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
        events.add("completed " + endpoint + " " + report.statuses().size() + " elapsed>=0:" + (elapsedMillis >= 0));
    }

    @Override
    public void messageRelayed(String host, DeliveryReport transaction) {
        relayed.add(transaction);
        events.add("relayed " + host + " " + transaction.statuses().size());
    }

    @Override
    public void tlsResult(io.github.camelrelay.smtprelay.tlspolicy.TlsResult result) {
        tls.add(result);
    }

    List<String> startingWith(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).toList();
    }
}
