package io.github.camelrelay.smtprelay.dns;

import java.util.List;

/**
 * What DNS said about where a domain's mail goes. Only {@link Status#OK} carries hosts; every other status decides
 * the fate of the domain's recipients without a connection.
 *
 * @param secure whether the MX RRset (or its secure denial, for an implicit MX) was DNSSEC-validated (only with
 *               DNSSEC on): DANE applies only then (RFC 7672 section 2.2.1)
 */
public record MxResolution(Status status, List<MxHost> hosts, String detail, boolean secure) {

    public enum Status {
        /** Hosts to try, in order. */
        OK(null),
        /** RFC 7505 null MX: the domain accepts no mail. */
        NULL_MX("5.1.10"),
        /** NXDOMAIN: the domain does not exist. */
        NO_SUCH_DOMAIN("5.1.2"),
        /** The domain exists but neither its MX hosts nor the domain itself have an address. */
        NO_ADDRESS("5.4.4"),
        /** Timeout, SERVFAIL or a network error: try again later, never a bounce. */
        TEMPORARY_FAILURE("4.4.3"),
        /** The MX answer failed DNSSEC validation: deferred, never taken for unsigned (RFC 7672 section 2.1.1). */
        BOGUS("4.7.5");

        private final String enhancedStatus;

        Status(String enhancedStatus) {
            this.enhancedStatus = enhancedStatus;
        }

        /** The RFC 3463 status to report for the recipients of a domain that resolved this way. */
        public String enhancedStatus() {
            return enhancedStatus;
        }

        /** Whether the domain's recipients wait for another attempt rather than fail. */
        public boolean isTemporary() {
            return this == TEMPORARY_FAILURE || this == BOGUS;
        }
    }

    public MxResolution {
        hosts = List.copyOf(hosts);
    }

    static MxResolution ok(List<MxHost> hosts, boolean secure) {
        return new MxResolution(Status.OK, hosts, "", secure);
    }

    static MxResolution failure(Status status, String detail) {
        return new MxResolution(status, List.of(), detail, false);
    }
}
