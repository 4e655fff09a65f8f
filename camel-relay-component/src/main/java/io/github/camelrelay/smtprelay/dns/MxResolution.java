package io.github.camelrelay.smtprelay.dns;

import java.util.List;

/**
 * What DNS said about where a domain's mail goes. Only {@link Status#OK} carries hosts; every other status decides
 * the fate of the domain's recipients without a connection.
 */
public record MxResolution(Status status, List<MxHost> hosts, String detail) {

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
        TEMPORARY_FAILURE("4.4.3");

        private final String enhancedStatus;

        Status(String enhancedStatus) {
            this.enhancedStatus = enhancedStatus;
        }

        /** The RFC 3463 status to report for the recipients of a domain that resolved this way. */
        public String enhancedStatus() {
            return enhancedStatus;
        }
    }

    public MxResolution {
        hosts = List.copyOf(hosts);
    }

    static MxResolution ok(List<MxHost> hosts) {
        return new MxResolution(Status.OK, hosts, "");
    }

    static MxResolution failure(Status status, String detail) {
        return new MxResolution(status, List.of(), detail);
    }
}
