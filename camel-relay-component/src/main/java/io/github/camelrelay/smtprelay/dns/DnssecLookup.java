package io.github.camelrelay.smtprelay.dns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * DNS look-ups validated with DNSSEC by dnsjava's {@link ValidatingResolver} (a port of Unbound's validator), from
 * the root's trust anchors shipped with the component or from others given: what DANE needs (RFC 7672 section 2.1),
 * an answer that is secure, insecure (unsigned, so DANE does not apply) or bogus (which must never be treated as
 * insecure). Thread-safe.
 */
public final class DnssecLookup {

    /** How the reason of an answer starts when no server answered (a timeout, a network error), not a validation. */
    public static final String LOOKUP_FAILED = "look-up failed";

    /** The trust anchors shipped: the root zone's DS records. */
    public static final String ROOT_ANCHORS = "root-anchors.txt";

    /** What DNSSEC says of an answer. */
    public enum Security {
        /** Validated from a trust anchor: its records, or its denial, can be relied on. */
        SECURE,
        /** Provably unsigned (or under no trust anchor): as if DNSSEC did not exist. */
        INSECURE,
        /** Validation failed, or the look-up did: nothing may be concluded, not even that the name is unsigned. */
        BOGUS
    }

    /** A validated answer: its security, its response code and the answer records of the asked type. */
    public record Answer(Security security, int rcode, List<Record> records, String reason) {

        public Answer {
            records = List.copyOf(records);
        }
    }

    private final ValidatingResolver validator;

    /** Validates from the root's trust anchors. */
    public DnssecLookup(Resolver upstream) {
        this(upstream, DnssecLookup.class.getResourceAsStream(ROOT_ANCHORS));
    }

    /**
     * @param upstream     the servers asked (recursive resolvers; they need not validate themselves)
     * @param trustAnchors DS or DNSKEY records in zone file format
     */
    public DnssecLookup(Resolver upstream, InputStream trustAnchors) {
        this.validator = new ValidatingResolver(upstream);
        this.validator.setAddReasonToAdditional(true);
        try (trustAnchors) {
            validator.loadTrustAnchors(trustAnchors);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the DNSSEC trust anchors", e);
        }
    }

    /** Asks for the records of the type at the name and says whether the answer validated. */
    public Answer lookup(Name name, int type) {
        Message response;
        try {
            response = validator.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        } catch (IOException e) {
            return new Answer(Security.BOGUS, Rcode.SERVFAIL, List.of(), LOOKUP_FAILED + ": " + e.getMessage());
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.SERVFAIL) {
            return new Answer(Security.BOGUS, rcode, List.of(), reason(response));
        }
        List<Record> records = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r.getType() == type) {
                records.add(r);
            }
        }
        Security security = response.getHeader().getFlag(Flags.AD) ? Security.SECURE : Security.INSECURE;
        return new Answer(security, rcode, records, security == Security.SECURE ? "validated" : "not signed");
    }

    private static String reason(Message response) {
        for (Record r : response.getSection(Section.ADDITIONAL)) {
            if (r instanceof TXTRecord txt && r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS) {
                return String.join("", txt.getStrings());
            }
        }
        return "validation failed (SERVFAIL)";
    }
}
