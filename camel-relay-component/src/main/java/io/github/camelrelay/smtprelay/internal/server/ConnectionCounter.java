package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts open connections, in total and per client address, exactly: a connection is counted from the moment it is
 * admitted until its channel has closed, so a session that is closing never holds a slot the next client is refused
 * for, and a refused connection is never counted.
 */
final class ConnectionCounter {

    /** Why a connection was not admitted, or null when it was. */
    enum Refusal {
        TOTAL, CLIENT
    }

    private final int maxTotal;
    private final int maxPerClient;
    private final Map<InetAddress, Integer> perClient = new HashMap<>();
    private int total;

    ConnectionCounter(int maxTotal, int maxPerClient) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /** Counts the connection in, or says why not; every admitted one must be {@link #release}d once. */
    synchronized Refusal admit(InetAddress client) {
        if (total >= maxTotal) {
            return Refusal.TOTAL;
        }
        int count = perClient.getOrDefault(client, 0);
        if (count >= maxPerClient) {
            return Refusal.CLIENT;
        }
        perClient.put(client, count + 1);
        total++;
        return null;
    }

    synchronized void release(InetAddress client) {
        Integer count = perClient.get(client);
        if (count == null) {
            throw new IllegalStateException("released a connection from " + client.getHostAddress() + " that was not counted");
        }
        if (count <= 1) {
            perClient.remove(client);
        } else {
            perClient.put(client, count - 1);
        }
        total--;
    }

    synchronized int open() {
        return total;
    }
}
