package io.github.camelrelay.smtprelay.internal.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation, such as {@code 192.0.2.0/24} or {@code 2001:db8::/32}. An address
 * without a prefix length is a single host. Parsing never looks anything up in DNS: only address literals are
 * accepted.
 */
public final class Cidr {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * @throws IllegalArgumentException when the text is not an address literal with an optional /prefix, or has bits
     *                                  set beyond the prefix (a likely typo, such as 10.0.0.1/8)
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Expected a network like 192.0.2.0/24 or 2001:db8::/32 but found an empty value");
        }
        String s = text.strip();
        int slash = s.indexOf('/');
        String addressText = slash < 0 ? s : s.substring(0, slash);
        boolean v6Text = IPV6.matcher(addressText).matches();
        if (!v6Text && !IPV4.matcher(addressText).matches()) {
            throw new IllegalArgumentException("Expected an IPv4 or IPv6 address literal in '" + s + "' but found '"
                                               + addressText + "'");
        }
        byte[] bytes;
        try {
            // a literal: no DNS query is made
            bytes = InetAddress.getByName(addressText).getAddress();
        } catch (UnknownHostException | RuntimeException e) {
            throw new IllegalArgumentException("Expected an IPv4 or IPv6 address literal but found '" + addressText + "'", e);
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("Expected a prefix length after '/' in '" + s + "' but found '" + p + "'");
            }
            prefix = Integer.parseInt(p);
            // Java turns ::ffff:a.b.c.d into an IPv4 address; its prefix counts the 96 bits of the mapping
            if (v6Text && bytes.length == 4) {
                prefix -= 96;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("Expected a prefix length from 0 to " + (v6Text ? 128 : 32) + " in '" + s
                                                   + "' but found " + p);
            }
        }
        byte[] masked = mask(bytes, prefix);
        if (!Arrays.equals(masked, bytes)) {
            throw new IllegalArgumentException("Expected a network address with the host bits zero in '" + s + "', such as '"
                                               + format(masked) + "/" + (v6Text && bytes.length == 4 ? prefix + 96 : prefix)
                                               + "'");
        }
        return new Cidr(masked, prefix);
    }

    /**
     * The network of the given prefix length that holds the address (IPv4-mapped IPv6 addresses count as their IPv4
     * address): the key under which limits count a client, such as its /64 for IPv6.
     *
     * @param ipv4Prefix used for IPv4 addresses, 0 to 32
     * @param ipv6Prefix used for IPv6 addresses, 0 to 128
     */
    static Cidr enclosing(InetAddress address, int ipv4Prefix, int ipv6Prefix) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isV4Mapped(bytes)) {
            bytes = Arrays.copyOfRange(bytes, 12, 16);
        }
        int prefix = bytes.length == 4 ? ipv4Prefix : ipv6Prefix;
        return new Cidr(mask(bytes, prefix), prefix);
    }

    /** True when the address lies in this network; IPv4-mapped IPv6 addresses count as their IPv4 address. */
    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isV4Mapped(bytes)) {
            bytes = Arrays.copyOfRange(bytes, 12, 16);
        }
        if (bytes.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(bytes, prefix), network);
    }

    public int prefixLength() {
        return prefix;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - bits)));
        }
        return out;
    }

    private static String format(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
