package io.github.camelrelay.smtprelay.delivery;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import javax.net.ssl.X509TrustManager;

import io.github.camelrelay.smtprelay.TlsMode;
import io.github.camelrelay.smtprelay.tlspolicy.DaneVerifier;
import io.github.camelrelay.smtprelay.tlspolicy.MtaStsPolicy;
import io.github.camelrelay.smtprelay.tlspolicy.PkixVerifier;
import io.github.camelrelay.smtprelay.tlspolicy.TlsPolicy;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import io.github.camelrelay.smtprelay.tlspolicy.TlsaRecord;

/**
 * What TLS one connection must achieve, decided per MX host (or relay host) by {@link TlsPlanner}: the STARTTLS mode
 * of the Angus session, and the check of the server's certificate chain done right after the handshake, before EHLO,
 * AUTH or any mail (DANE, WebPKI with the host name, pins). Carries what the delivery log and TLS-RPT say of it.
 * Immutable.
 */
final class TlsRequirement {

    /** The check after the handshake. */
    enum Check {
        /** None: the mode says it all (VERIFY checks in the handshake). */
        NONE,
        /** The chain matches a TLSA record (RFC 7672 section 3). */
        DANE,
        /** The chain validates to the trust store and names the host (MTA-STS, a VERIFY policy). */
        PKIX
    }

    /** The outcome of the check: the word for the log, and for a failure its TLS-RPT type and why. */
    record Verdict(boolean ok, String label, TlsResult.Failure failure, String detail) {
    }

    /** What sessions to the same address may be shared by: the mode, the check and what it checks against. */
    private record Key(TlsMode mode, Check check, String host, List<TlsaRecord> tlsa, List<String> pins, String testing) {
    }

    private final Key key;
    /** The policy's word in the log: opportunistic, required, verify, dane, mta-sts. */
    private final String name;
    /** Not the endpoint's plain tls mode: its failures are TLS policy failures (4.7.5). */
    private final boolean dedicated;
    /** An MTA-STS policy in testing mode: checked and reported, never enforced. */
    private final MtaStsPolicy testing;
    private final String policyDomain;
    private final TlsResult.PolicyType policyType;
    private final List<String> policyStrings;

    private TlsRequirement(Key key, String name, boolean dedicated, MtaStsPolicy testing, String policyDomain,
                           TlsResult.PolicyType policyType, List<String> policyStrings) {
        this.key = key;
        this.name = name;
        this.dedicated = dedicated;
        this.testing = testing;
        this.policyDomain = policyDomain;
        this.policyType = policyType;
        this.policyStrings = List.copyOf(policyStrings);
    }

    /** The endpoint's tls option, as it always was; {@code host} only matters to VERIFY, which is bound to the name. */
    static TlsRequirement standard(TlsMode mode, String host, String policyDomain) {
        return new TlsRequirement(new Key(mode, Check.NONE, mode == TlsMode.VERIFY ? lower(host) : null, List.of(), List.of(),
                null), mode.name().toLowerCase(Locale.ROOT), false, null, policyDomain, TlsResult.PolicyType.NO_POLICY_FOUND,
                List.of());
    }

    /** An entry of the tlsPolicies table other than DANE. */
    static TlsRequirement fixed(TlsPolicy policy, String host, String policyDomain) {
        TlsMode mode = switch (policy.level()) {
            case NONE -> TlsMode.NONE;
            case OPPORTUNISTIC -> TlsMode.OPPORTUNISTIC;
            default -> TlsMode.REQUIRED;
        };
        boolean verify = policy.level() == TlsPolicy.Level.VERIFY;
        boolean pinned = !policy.pins().isEmpty();
        Check check = verify ? Check.PKIX : Check.NONE;
        String name = verify ? (pinned ? "verify+pin" : "verify") : pinned ? "pin" : mode.name().toLowerCase(Locale.ROOT);
        return new TlsRequirement(new Key(mode, check, verify || pinned ? lower(host) : null, List.of(), policy.pins(), null), name,
                true, null, policyDomain, TlsResult.PolicyType.NO_POLICY_FOUND, List.of());
    }

    /** DANE: TLS mandatory, the chain must match one of the usable TLSA records. */
    static TlsRequirement dane(String host, List<TlsaRecord> records, String policyDomain) {
        return new TlsRequirement(new Key(TlsMode.REQUIRED, Check.DANE, lower(host), List.copyOf(records), List.of(), null), "dane",
                true, null, policyDomain, TlsResult.PolicyType.TLSA, records.stream().map(TlsaRecord::toString).toList());
    }

    /** TLSA records, none usable: TLS mandatory, not authenticated (RFC 7672 section 3.1.3, Postfix's "encrypt"). */
    static TlsRequirement daneEncrypt(String host, List<TlsaRecord> records, String policyDomain) {
        return new TlsRequirement(new Key(TlsMode.REQUIRED, Check.NONE, null, List.of(), List.of(), null), "dane-encrypt", true,
                null, policyDomain, TlsResult.PolicyType.TLSA, records.stream().map(TlsaRecord::toString).toList());
    }

    /** MTA-STS enforce: TLS mandatory, the certificate verified and naming the MX host (RFC 8461 section 4.2). */
    static TlsRequirement mtaSts(String host, MtaStsPolicy policy, String policyDomain) {
        return new TlsRequirement(new Key(TlsMode.REQUIRED, Check.PKIX, lower(host), List.of(), List.of(), null), "mta-sts", true,
                null, policyDomain, TlsResult.PolicyType.STS, policyStrings(policy));
    }

    /**
     * For a REQUIRETLS message to a host whose own requirement does not verify the server (RFC 8689 4.2.1): TLS
     * mandatory, the certificate verified and naming the host; used where the host's name is trustworthy (a secure MX
     * RRset, or the configured relay host).
     */
    static TlsRequirement requireTls(String host, String policyDomain) {
        return new TlsRequirement(new Key(TlsMode.REQUIRED, Check.PKIX, lower(host), List.of(), List.of(), null), "requiretls",
                true, null, policyDomain, TlsResult.PolicyType.NO_POLICY_FOUND, List.of());
    }

    /** MTA-STS testing: delivered as under the mode, the certificate judged as enforce would and the verdict reported. */
    static TlsRequirement testing(TlsMode mode, String host, MtaStsPolicy policy, String policyDomain) {
        // a session judged for one domain's policy says so in its log lines: it carries no other domain's mail
        return new TlsRequirement(new Key(mode, Check.NONE, lower(host), List.of(), List.of(), policyDomain),
                mode.name().toLowerCase(Locale.ROOT), false, policy, policyDomain, TlsResult.PolicyType.STS,
                policyStrings(policy));
    }

    static List<String> policyStrings(MtaStsPolicy policy) {
        return List.of(policy.toPolicyText().split("\r\n"));
    }

    private static String lower(String host) {
        return host == null ? null : host.toLowerCase(Locale.ROOT);
    }

    TlsMode mode() {
        return key.mode();
    }

    /** Whether the session must be encrypted. */
    boolean mandatory() {
        return key.mode() == TlsMode.REQUIRED || key.mode() == TlsMode.VERIFY;
    }

    /** Whether a session opened under {@code other} may carry mail that needs this. */
    boolean sharedWith(TlsRequirement other) {
        return key.equals(other.key);
    }

    boolean dedicated() {
        return dedicated;
    }

    /** Whether a chain must be looked at after the handshake. */
    boolean checksChain() {
        return key.check() != Check.NONE || !key.pins().isEmpty() || testing != null;
    }

    /** Whether a passed check proves the server's identity, so AUTH may follow (VERIFY does so in the handshake). */
    boolean verifiesIdentity() {
        return key.check() != Check.NONE || !key.pins().isEmpty();
    }

    /** Whether the server's identity is verified: by a check after the handshake, or in it (VERIFY). */
    boolean verified() {
        return verifiesIdentity() || key.mode() == TlsMode.VERIFY;
    }

    String name() {
        return name;
    }

    String policyDomain() {
        return policyDomain;
    }

    TlsResult.PolicyType policyType() {
        return policyType;
    }

    List<String> policyStrings() {
        return policyStrings;
    }

    /** The word for a failure of this requirement: {@code dane-fail (no TLSA match)}. */
    String failLabel(String why) {
        return name + "-fail (" + why + ")";
    }

    /**
     * Judges the chain the server presented. A policy in testing mode always passes, its verdict in the label.
     *
     * @param host the MX host connected to (the name the certificate must carry)
     */
    Verdict check(List<X509Certificate> chain, String host, X509TrustManager trust, Instant now) {
        if (testing != null) {
            Verdict would = pkix(chain, host, trust, now);
            String note;
            if (!testing.matches(host)) {
                would = new Verdict(false, null, TlsResult.Failure.VALIDATION_FAILURE, host + " is not an MX host of the policy");
            }
            note = would.ok() ? "mta-sts testing: would pass" : "mta-sts testing: " + would.detail();
            return new Verdict(true, name + " (" + note + ")", would.failure(), would.detail());
        }
        Verdict v = switch (key.check()) {
            case DANE -> {
                DaneVerifier.Result r = DaneVerifier.verify(chain, key.tlsa(), List.of(host), now);
                yield r.matched() ? new Verdict(true, r.detail(), null, r.detail())
                        : new Verdict(false, failLabel(r.detail()), TlsResult.Failure.VALIDATION_FAILURE, r.detail());
            }
            case PKIX -> pkix(chain, host, trust, now);
            case NONE -> new Verdict(true, name, null, "encrypted");
        };
        if (v.ok() && !key.pins().isEmpty()) {
            TlsPolicy pins = TlsPolicy.of(TlsPolicy.Level.REQUIRED, key.pins().stream().map(p -> "sha256:" + p).toList());
            if (chain.isEmpty() || !pins.pinned(chain.get(0))) {
                String why = "no pinned fingerprint matches the certificate";
                return new Verdict(false, failLabel(why), TlsResult.Failure.VALIDATION_FAILURE, why);
            }
        }
        return v;
    }

    private Verdict pkix(List<X509Certificate> chain, String host, X509TrustManager trust, Instant now) {
        PkixVerifier.Result r = PkixVerifier.verify(chain, Objects.requireNonNull(trust, "trust"), List.of(host), now);
        return r.verified() ? new Verdict(true, name, null, r.detail())
                : new Verdict(false, failLabel(r.detail()), r.failure(), r.detail());
    }

    @Override
    public String toString() {
        return name + (key.host() == null ? "" : " for " + key.host());
    }
}
