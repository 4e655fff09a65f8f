package io.github.camelrelay.smtprelay;

/** Which address families the producer connects over. */
public enum IpVersion {
    /** IPv4 addresses first, then IPv6. */
    ANY,
    IPV4,
    IPV6
}
