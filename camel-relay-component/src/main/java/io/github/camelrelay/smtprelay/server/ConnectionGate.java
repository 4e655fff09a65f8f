package io.github.camelrelay.smtprelay.server;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Admits a connection before its greeting: at most {@code maxPerClient} at once from one address (SubEthaSMTP's own
 * limiter answers 421 without an enhanced status code and does no TLS), then, for implicit TLS, the handshake, made
 * here on the connection's own thread and within the idle timeout. SubEthaSMTP itself enforces the total limit.
 */
final class ConnectionGate implements SessionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);

    private final int maxPerClient;
    private final Map<InetAddress, Integer> open = new HashMap<>();

    ConnectionGate(int maxPerClient) {
        this.maxPerClient = maxPerClient;
    }

    @Override
    public SessionAcceptance accept(Session session) {
        SmtpConnection connection = SmtpConnection.of(session);
        InetAddress client = connection.getInetAddress();
        synchronized (this) {
            int count = open.getOrDefault(client, 0);
            if (count >= maxPerClient) {
                LOG.debug("Refused a connection from {}: {} already open", client.getHostAddress(), count);
                return SessionAcceptance.failure(421, "4.7.0 Too many connections from " + client.getHostAddress()
                                                      + ", try again later");
            }
            open.put(client, count + 1);
        }
        try {
            connection.handshake();
        } catch (IOException e) {
            LOG.debug("TLS handshake with {} failed: {}", client.getHostAddress(), e.toString());
            release(client);
            try {
                connection.close();
            } catch (IOException ignored) {
                // it failed already
            }
            return SessionAcceptance.failure(421, "4.7.0 TLS handshake failed");
        }
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {
        release(SmtpConnection.of(session).getInetAddress());
    }

    private synchronized void release(InetAddress client) {
        open.computeIfPresent(client, (k, v) -> v <= 1 ? null : v - 1);
    }

    synchronized int openConnections() {
        return open.values().stream().mapToInt(Integer::intValue).sum();
    }
}
