package io.github.camelrelay.smtprelay.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** One address to connect to: the host name (for TLS and logs), its IP and the port. The connection pool's key. */
public record Destination(String host, InetAddress address, int port) {

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    public String ip() {
        return address.getHostAddress();
    }

    @Override
    public String toString() {
        return host + "[" + ip() + "]:" + port;
    }
}
