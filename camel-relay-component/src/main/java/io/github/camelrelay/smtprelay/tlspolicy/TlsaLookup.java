package io.github.camelrelay.smtprelay.tlspolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.github.camelrelay.smtprelay.dns.DnssecLookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNSSEC-validated TLSA RRset of an MX host at {@code _<port>._tcp.<host>} (RFC 7672 section 2.2), and what it
 * means for DANE: usable records, none (DANE does not apply), or a look-up that cannot be trusted (bogus, or failed),
 * which must never be taken for none. Thread-safe.
 */
public final class TlsaLookup {

    /** What the look-up found. */
    public enum Status {
        /** Secure, with at least one usable DANE-TA or DANE-EE record: TLS mandatory and authenticated. */
        USABLE,
        /** Secure, with records of which none is usable: TLS mandatory, not authenticated (RFC 7672 section 3.1.3). */
        UNUSABLE,
        /** No secure TLSA records (a secure denial, or an unsigned answer): DANE does not apply. */
        NONE,
        /** Validation failed or the look-up did: the host is not delivered to. */
        BOGUS
    }

    /** The outcome: the records (all of them, usable or not) and in words why. */
    public record Result(Status status, List<TlsaRecord> records, String detail) {

        public Result {
            records = List.copyOf(records);
        }

        /** The records in presentation format, as TLS-RPT reports them. */
        public List<String> strings() {
            return records.stream().map(TlsaRecord::toString).toList();
        }
    }

    private final DnssecLookup dnssec;

    public TlsaLookup(DnssecLookup dnssec) {
        this.dnssec = Objects.requireNonNull(dnssec, "dnssec");
    }

    /** The TLSA RRset for the host at the port; call only for a host whose MX and address records were secure. */
    public Result lookup(String host, int port) {
        String owner = "_" + port + "._tcp." + (host.endsWith(".") ? host : host + ".");
        Name name;
        try {
            name = Name.fromString(owner);
        } catch (TextParseException e) {
            return new Result(Status.BOGUS, List.of(), "cannot make the TLSA name " + owner + ": " + e.getMessage());
        }
        DnssecLookup.Answer answer = dnssec.lookup(name, Type.TLSA);
        switch (answer.security()) {
            case BOGUS:
                return new Result(Status.BOGUS, List.of(), "TLSA look-up of " + owner + " not validated: " + answer.reason());
            case INSECURE:
                return new Result(Status.NONE, List.of(), "TLSA records of " + owner + " not signed");
            default:
                break;
        }
        if (answer.rcode() != Rcode.NOERROR && answer.rcode() != Rcode.NXDOMAIN) {
            return new Result(Status.BOGUS, List.of(), "TLSA look-up of " + owner + " failed: " + Rcode.string(answer.rcode()));
        }
        List<TlsaRecord> records = new ArrayList<>();
        for (Record r : answer.records()) {
            TLSARecord t = (TLSARecord) r;
            try {
                records.add(TlsaRecord.of(t.getCertificateUsage(), t.getSelector(), t.getMatchingType(),
                        t.getCertificateAssociationData()));
            } catch (IllegalArgumentException e) {
                // a malformed record is unusable (RFC 7672 section 3.1.3), the others still count
            }
        }
        if (answer.records().isEmpty()) {
            return new Result(Status.NONE, List.of(), "no TLSA records at " + owner);
        }
        boolean usable = records.stream().anyMatch(TlsaRecord::isUsable);
        return new Result(usable ? Status.USABLE : Status.UNUSABLE, records,
                usable ? "TLSA records at " + owner : "no usable TLSA record at " + owner);
    }
}
