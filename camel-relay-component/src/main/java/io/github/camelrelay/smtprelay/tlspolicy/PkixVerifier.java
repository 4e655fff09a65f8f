package io.github.camelrelay.smtprelay.tlspolicy;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.net.ssl.X509TrustManager;

/**
 * Checks a server's chain as MTA-STS (RFC 8461 section 4.2) and a VERIFY policy want it, after the handshake: the
 * chain validates (signatures, dates) to a certificate the trust manager accepts, and the server certificate names
 * the host (RFC 6125, a wildcard only as the whole leftmost label). Done after the handshake rather than in it so
 * that a policy in testing mode can judge a certificate it still delivers over, and so that a failure says which
 * of the two it was. Stateless and thread-safe.
 */
public final class PkixVerifier {

    private PkixVerifier() {
    }

    /** The outcome: what failed, as TLS-RPT names it, and in words. */
    public record Result(boolean verified, TlsResult.Failure failure, String detail) {

        static Result ok() {
            return new Result(true, null, "verified");
        }

        static Result fail(TlsResult.Failure failure, String detail) {
            return new Result(false, failure, detail);
        }
    }

    /**
     * @param chain the certificates the server presented, its own first
     * @param trust whose accepted issuers are the trust anchors
     * @param names the names the server certificate must carry (the MX host name)
     * @param now   the instant the certificates must be valid at
     */
    public static Result verify(List<X509Certificate> chain, X509TrustManager trust, Collection<String> names, Instant now) {
        if (chain.isEmpty()) {
            return Result.fail(TlsResult.Failure.VALIDATION_FAILURE, "no certificate presented");
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        Set<X509Certificate> trusted = new HashSet<>();
        for (X509Certificate c : trust.getAcceptedIssuers()) {
            anchors.add(new TrustAnchor(c, null));
            trusted.add(c);
        }
        if (anchors.isEmpty()) {
            return Result.fail(TlsResult.Failure.CERTIFICATE_NOT_TRUSTED, "the trust store holds no certificate");
        }
        // the path ends before the first certificate that is itself trusted: PKIX takes the anchor apart from the path
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (trusted.contains(c)) {
                break;
            }
            path.add(c);
        }
        try {
            if (path.isEmpty()) {
                chain.get(0).checkValidity(Date.from(now));
            } else {
                PKIXParameters params = new PKIXParameters(anchors);
                params.setRevocationEnabled(false);
                params.setDate(Date.from(now));
                CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            }
        } catch (java.security.cert.CertificateExpiredException | java.security.cert.CertificateNotYetValidException e) {
            return Result.fail(TlsResult.Failure.CERTIFICATE_EXPIRED, "certificate not valid now: " + e.getMessage());
        } catch (CertPathValidatorException e) {
            boolean dates = e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                            || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID;
            return Result.fail(dates ? TlsResult.Failure.CERTIFICATE_EXPIRED : TlsResult.Failure.CERTIFICATE_NOT_TRUSTED,
                    (dates ? "certificate not valid now: " : "certificate not trusted: ") + e.getMessage());
        } catch (GeneralSecurityException e) {
            return Result.fail(TlsResult.Failure.CERTIFICATE_NOT_TRUSTED, "certificate not trusted: " + e.getMessage());
        }
        if (!DaneVerifier.hasName(chain.get(0), names)) {
            return Result.fail(TlsResult.Failure.CERTIFICATE_HOST_MISMATCH, "the certificate names none of " + names);
        }
        return Result.ok();
    }
}
