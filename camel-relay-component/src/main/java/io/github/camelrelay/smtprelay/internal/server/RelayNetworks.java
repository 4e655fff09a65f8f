package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** The networks whose clients may relay without authenticating: a list of {@link Cidr}, IPv4 and IPv6 mixed. */
public final class RelayNetworks {

    /** The default: the loopback addresses, so only programs on this host relay without AUTH. */
    public static final RelayNetworks LOOPBACK = parse("127.0.0.0/8,::1/128");

    private final List<Cidr> networks;

    private RelayNetworks(List<Cidr> networks) {
        this.networks = List.copyOf(networks);
    }

    /**
     * Parses a comma separated list such as {@code 10.0.0.0/8, 2001:db8::/32}; null or blank means no network.
     *
     * @throws IllegalArgumentException naming the entry that is not a network
     */
    public static RelayNetworks parse(String commaList) {
        List<Cidr> list = new ArrayList<>();
        if (commaList != null) {
            for (String entry : commaList.split(",")) {
                if (!entry.isBlank()) {
                    list.add(Cidr.parse(entry));
                }
            }
        }
        return new RelayNetworks(list);
    }

    public static RelayNetworks none() {
        return new RelayNetworks(List.of());
    }

    public boolean contains(InetAddress address) {
        for (Cidr c : networks) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    public List<Cidr> networks() {
        return networks;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayNetworks r && r.networks.equals(networks);
    }

    @Override
    public int hashCode() {
        return networks.hashCode();
    }

    @Override
    public String toString() {
        return networks.toString();
    }
}
