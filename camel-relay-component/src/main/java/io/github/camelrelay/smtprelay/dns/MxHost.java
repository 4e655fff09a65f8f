package io.github.camelrelay.smtprelay.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One mail exchanger of a domain with the addresses to try, in order. The addresses carry the host name (made with
 * {@link InetAddress#getByAddress(String, byte[])}), so TLS checks the certificate against the name, not the IP.
 *
 * @param secure whether its address records were DNSSEC-validated (only with DNSSEC on), which DANE needs
 */
public record MxHost(String name, int preference, List<InetAddress> addresses, boolean secure) {

    public MxHost {
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
    }

    /** A host whose addresses were not validated. */
    public MxHost(String name, int preference, List<InetAddress> addresses) {
        this(name, preference, addresses, false);
    }
}
