package io.github.camelrelay.smtprelay.tlspolicy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A TLSA record (RFC 6698 section 2.1) as DANE for SMTP uses it (RFC 7672): certificate usage, selector, matching
 * type and the association data. Immutable; made by {@link #of}.
 */
public final class TlsaRecord {

    /** DANE-TA(2): a trust anchor in the server's chain; DANE-EE(3): the server's own certificate or key. */
    public static final int DANE_TA = 2;
    public static final int DANE_EE = 3;
    /** Selector: the full certificate (0) or its SubjectPublicKeyInfo (1). */
    public static final int CERT = 0;
    public static final int SPKI = 1;
    /** Matching type: the data itself (0), its SHA-256 (1), its SHA-512 (2). */
    public static final int EXACT = 0;
    public static final int SHA_256 = 1;
    public static final int SHA_512 = 2;

    private final int usage;
    private final int selector;
    private final int matchingType;
    private final byte[] data;

    private TlsaRecord(int usage, int selector, int matchingType, byte[] data) {
        this.usage = usage;
        this.selector = selector;
        this.matchingType = matchingType;
        this.data = data.clone();
    }

    /**
     * @throws IllegalArgumentException when a field is outside 0–255, or the data is empty or of the wrong length for
     *                                  its digest
     */
    public static TlsaRecord of(int usage, int selector, int matchingType, byte[] data) {
        for (int v : new int[] {usage, selector, matchingType}) {
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("Expected TLSA fields from 0 to 255 but found " + usage + " " + selector
                                                   + " " + matchingType);
            }
        }
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException("Expected TLSA association data but found none");
        }
        int expected = matchingType == SHA_256 ? 32 : matchingType == SHA_512 ? 64 : -1;
        if (expected > 0 && data.length != expected) {
            throw new IllegalArgumentException("Expected " + expected + " octets of TLSA data for matching type "
                                               + matchingType + " but found " + data.length);
        }
        return new TlsaRecord(usage, selector, matchingType, data);
    }

    /**
     * Whether the record can be used for SMTP (RFC 7672 section 3.1.3): DANE-TA or DANE-EE with a known selector
     * and matching type. PKIX-TA(0) and PKIX-EE(1) are not, nor unknown values; a TLSA RRset without any usable
     * record is as if there were none.
     */
    public boolean isUsable() {
        return (usage == DANE_TA || usage == DANE_EE) && (selector == CERT || selector == SPKI)
               && (matchingType == EXACT || matchingType == SHA_256 || matchingType == SHA_512);
    }

    /** Whether the certificate's selected part, digested as the matching type says, equals the association data. */
    public boolean matches(X509Certificate certificate) {
        if (!isUsable()) {
            return false;
        }
        try {
            byte[] selected = selector == CERT ? certificate.getEncoded() : certificate.getPublicKey().getEncoded();
            byte[] value = switch (matchingType) {
                case SHA_256 -> MessageDigest.getInstance("SHA-256").digest(selected);
                case SHA_512 -> MessageDigest.getInstance("SHA-512").digest(selected);
                default -> selected;
            };
            return MessageDigest.isEqual(value, data);
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            return false;
        }
    }

    public int usage() {
        return usage;
    }

    public int selector() {
        return selector;
    }

    public int matchingType() {
        return matchingType;
    }

    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsaRecord t && usage == t.usage && selector == t.selector && matchingType == t.matchingType
               && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * usage + selector) + matchingType) + Arrays.hashCode(data);
    }

    /** Presentation format, as in a zone file: "3 1 1 ab12...". */
    @Override
    public String toString() {
        return usage + " " + selector + " " + matchingType + " " + HexFormat.of().formatHex(data);
    }
}
