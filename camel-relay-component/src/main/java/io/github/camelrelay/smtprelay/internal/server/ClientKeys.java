package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;

/**
 * How the limits (connections per client, failed AUTH) tell clients apart: by network prefix, not by address, since
 * one IPv6 host holds a whole /64 and could rotate through it; and which clients the per-client connection limit
 * spares (by default the relay networks, as Postfix's smtpd_client_event_limit_exceptions spares $mynetworks).
 *
 * @param ipv4Prefix prefix length for IPv4 clients, 32 by default
 * @param ipv6Prefix prefix length for IPv6 clients, 64 by default
 * @param exempt     clients the per-client connection limit does not apply to
 */
record ClientKeys(int ipv4Prefix, int ipv6Prefix, RelayNetworks exempt) {

    ClientKeys {
        if (ipv4Prefix < 0 || ipv4Prefix > 32) {
            throw new IllegalArgumentException("Option clientIpv4PrefixLength: expected 0 to 32 but found " + ipv4Prefix);
        }
        if (ipv6Prefix < 0 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("Option clientIpv6PrefixLength: expected 0 to 128 but found " + ipv6Prefix);
        }
    }

    static final ClientKeys DEFAULT = new ClientKeys(32, 64, RelayNetworks.LOOPBACK);

    /** The network a client is counted under. */
    Cidr of(InetAddress client) {
        return Cidr.enclosing(client, ipv4Prefix, ipv6Prefix);
    }

    boolean exempt(InetAddress client) {
        return exempt.contains(client);
    }
}
