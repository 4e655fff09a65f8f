package io.github.camelrelay.smtprelay.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import io.github.camelrelay.smtprelay.internal.server.RelayNetworks;

/**
 * The addresses at which mail reaches this relay, so that it never delivers to itself: the address and port of each
 * running smtprelay listener (a wildcard listener stands for every address of this host at its port), and the
 * configured further addresses or networks (a NAT or proxy in front, like Postfix's proxy_interfaces), at any port.
 * Immutable; the listeners are asked each time, as they start and stop.
 */
public final class OwnAddresses {

    private static final OwnAddresses NONE = new OwnAddresses(RelayNetworks.none(), List::of);

    private final RelayNetworks configured;
    private final Supplier<? extends Collection<InetSocketAddress>> listeners;

    private OwnAddresses(RelayNetworks configured, Supplier<? extends Collection<InetSocketAddress>> listeners) {
        this.configured = configured;
        this.listeners = listeners;
    }

    /**
     * @param configured a comma separated list of addresses or CIDR networks, or null
     * @param listeners  the local socket addresses the listeners accept on now
     * @throws IllegalArgumentException naming the entry that is not an address or network
     */
    public static OwnAddresses of(String configured, Supplier<? extends Collection<InetSocketAddress>> listeners) {
        return new OwnAddresses(RelayNetworks.parse(configured), Objects.requireNonNull(listeners, "listeners"));
    }

    /** Nothing is this relay: for a delivery engine without listeners to avoid. */
    public static OwnAddresses none() {
        return NONE;
    }

    /** Whether connecting to this address and port would reach this relay. */
    public boolean contains(InetAddress address, int port) {
        if (configured.contains(address)) {
            return true;
        }
        for (InetSocketAddress l : listeners.get()) {
            if (l.getPort() == port && (l.getAddress().isAnyLocalAddress() ? local(address) : l.getAddress().equals(address))) {
                return true;
            }
        }
        return false;
    }

    /** An address of this host: what a listener bound to the wildcard address accepts on. */
    private static boolean local(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
