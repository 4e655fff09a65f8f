package io.github.camelrelay.smtprelay.tlspolicy;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a server's certificate chain against its usable TLSA records as RFC 7672 section 3.2 says for SMTP:
 * <ul>
 * <li>DANE-EE(3): the server certificate (or its key) matches; no name check and no validity dates (RFC 7671
 * section 5.1), since the DNSSEC-signed record is the authority.</li>
 * <li>DANE-TA(2): a certificate of the chain the server sent matches and is the trust anchor: the chain from the
 * server certificate to it must validate (signatures, dates) and the server certificate must carry one of the
 * reference names (the MX host name, RFC 7672 section 3.2.2) as a DNS subject alternative name, a wildcard only as
 * the whole leftmost label; the subject CN only when there is no DNS name.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class DaneVerifier {

    private DaneVerifier() {
    }

    /** The outcome, with what the delivery log says: {@code dane-ee}, {@code dane-ta}, or why it failed. */
    public record Result(boolean matched, String detail) {

        static Result ok(String detail) {
            return new Result(true, detail);
        }

        static Result fail(String detail) {
            return new Result(false, detail);
        }
    }

    /**
     * @param chain          the certificates the server presented, its own first
     * @param records        the TLSA RRset of the MX host (DNSSEC-validated by the caller)
     * @param referenceNames the names the server certificate must carry for DANE-TA (the MX host name)
     * @param now            the instant for DANE-TA's path validation
     */
    public static Result verify(List<X509Certificate> chain, Collection<TlsaRecord> records, Collection<String> referenceNames,
            Instant now) {
        if (chain.isEmpty()) {
            return Result.fail("no certificate presented");
        }
        List<TlsaRecord> usable = records.stream().filter(TlsaRecord::isUsable).toList();
        if (usable.isEmpty()) {
            return Result.fail("no usable TLSA record");
        }
        X509Certificate server = chain.get(0);
        for (TlsaRecord r : usable) {
            if (r.usage() == TlsaRecord.DANE_EE && r.matches(server)) {
                return Result.ok("dane-ee");
            }
        }
        String why = "no TLSA match";
        for (TlsaRecord r : usable) {
            if (r.usage() != TlsaRecord.DANE_TA) {
                continue;
            }
            for (int i = 1; i < chain.size(); i++) {
                if (!r.matches(chain.get(i))) {
                    continue;
                }
                if (!validates(chain.subList(0, i), chain.get(i), now)) {
                    why = "the chain does not validate to the TLSA trust anchor";
                    continue;
                }
                if (!hasName(server, referenceNames)) {
                    why = "the certificate names none of " + referenceNames;
                    continue;
                }
                return Result.ok("dane-ta");
            }
        }
        return Result.fail(why);
    }

    private static boolean validates(List<X509Certificate> path, X509Certificate anchor, Instant now) {
        try {
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** RFC 6125 matching of DNS names: case-insensitive, "*" only as the entire leftmost label of a presented name. */
    static boolean hasName(X509Certificate certificate, Collection<String> referenceNames) {
        List<String> presented = new ArrayList<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        presented.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        if (presented.isEmpty()) {
            String dn = certificate.getSubjectX500Principal().getName();
            for (String part : dn.split(",")) {
                if (part.startsWith("CN=")) {
                    presented.add(part.substring(3));
                }
            }
        }
        for (String ref : referenceNames) {
            String r = strip(ref);
            for (String p : presented) {
                String n = strip(p);
                if (n.equals(r)) {
                    return true;
                }
                if (n.startsWith("*.") && r.indexOf('.') > 0 && r.substring(r.indexOf('.') + 1).equals(n.substring(2))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String strip(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
