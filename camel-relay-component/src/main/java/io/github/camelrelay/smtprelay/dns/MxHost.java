package io.github.camelrelay.smtprelay.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One mail exchanger of a domain with the addresses to try, in order. The addresses carry the host name (made with
 * {@link InetAddress#getByAddress(String, byte[])}), so TLS checks the certificate against the name, not the IP.
 */
public record MxHost(String name, int preference, List<InetAddress> addresses) {

    public MxHost {
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
    }
}
