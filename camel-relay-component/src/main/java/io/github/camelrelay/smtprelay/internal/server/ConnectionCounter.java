package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts open connections, in total and per client network ({@link ClientKeys}), exactly: a connection is counted
 * from the moment it is admitted until its channel has closed, so a session that is closing never holds a slot the
 * next client is refused for, and a refused connection is never counted. Clients {@link ClientKeys#exempt} from the
 * per-client limit count only towards the total.
 */
final class ConnectionCounter {

    /** Why a connection was not admitted, or null when it was. */
    enum Refusal {
        TOTAL, CLIENT
    }

    private final int maxTotal;
    private final int maxPerClient;
    private final ClientKeys keys;
    private final Map<Cidr, Integer> perClient = new HashMap<>();
    private int total;

    ConnectionCounter(int maxTotal, int maxPerClient, ClientKeys keys) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
        this.keys = keys;
    }

    /** Counts the connection in, or says why not; every admitted one must be {@link #release}d once. */
    synchronized Refusal admit(InetAddress client) {
        if (total >= maxTotal) {
            return Refusal.TOTAL;
        }
        if (!keys.exempt(client)) {
            Cidr key = keys.of(client);
            int count = perClient.getOrDefault(key, 0);
            if (count >= maxPerClient) {
                return Refusal.CLIENT;
            }
            perClient.put(key, count + 1);
        }
        total++;
        return null;
    }

    synchronized void release(InetAddress client) {
        if (!keys.exempt(client)) {
            Cidr key = keys.of(client);
            Integer count = perClient.get(key);
            if (count == null) {
                throw new IllegalStateException("released a connection from " + client.getHostAddress() + " that was not counted");
            }
            if (count <= 1) {
                perClient.remove(key);
            } else {
                perClient.put(key, count - 1);
            }
        }
        total--;
    }

    synchronized int open() {
        return total;
    }
}
