package io.github.camelrelay.smtprelay.delivery;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.TlsMode;
import io.github.camelrelay.smtprelay.dns.MxHost;
import io.github.camelrelay.smtprelay.dns.MxResolution;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.tlspolicy.MtaStsPolicies;
import io.github.camelrelay.smtprelay.tlspolicy.MtaStsPolicy;
import io.github.camelrelay.smtprelay.tlspolicy.TlsPolicy;
import io.github.camelrelay.smtprelay.tlspolicy.TlsPolicyTable;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import io.github.camelrelay.smtprelay.tlspolicy.TlsaLookup;

/**
 * Decides the TLS each MX host (or the relay host) of a delivery gets, in this order:
 * <ol>
 * <li>the domain's (or relay host's) {@code tlsPolicies} entry, when it has one other than DANE or DANE_ONLY: it
 * applies as it is, neither DANE nor MTA-STS is looked at;</li>
 * <li>DANE, for an MX host with a secure MX RRset, secure addresses and a secure TLSA RRset (with DNSSEC on): TLS
 * mandatory and the certificate matching a usable record; a bogus TLSA look-up keeps the host out, never falling
 * back; DANE_ONLY keeps out a host without usable records;</li>
 * <li>the domain's MTA-STS policy: enforce delivers only to the MX hosts it names, over TLS with a certificate
 * verified for the host; testing delivers as before and reports what enforce would have refused;</li>
 * <li>the endpoint's {@code tls} option.</li>
 * </ol>
 * The endpoint's tls=NONE turns DANE and MTA-STS off for the destinations without an entry, and so does the sender's
 * {@code TLS-Required: No} for its message (RFC 8689 section 5). A REQUIRETLS message (RFC 8689 4.2.1) goes only
 * where the server's identity is verified: a host whose requirement does not verify it is held to a verified
 * certificate for its name when that name is trustworthy (a DNSSEC-validated MX RRset and addresses, or the configured
 * relay host), and kept out with 5.7.30 otherwise. Thread-safe.
 */
final class TlsPlanner {

    /** One address to try and how; a host kept out by its policy is a refusal, tried as a failure in its place. */
    record Candidate(Destination destination, TlsRequirement tls, SessionFailure refusal) {
    }

    private final TlsMode defaultMode;
    private final TlsPolicyTable table;
    private final TlsaLookup tlsa;
    private final MtaStsPolicies mtaSts;
    private final SmtpRelayListener listener;

    /**
     * @param tlsa   DNSSEC-validated TLSA look-ups, or null when DANE is off
     * @param mtaSts MTA-STS policies, or null when MTA-STS is off
     */
    TlsPlanner(TlsMode defaultMode, TlsPolicyTable table, TlsaLookup tlsa, MtaStsPolicies mtaSts, SmtpRelayListener listener) {
        this.defaultMode = defaultMode;
        this.table = table == null ? TlsPolicyTable.EMPTY : table;
        this.tlsa = tlsa;
        this.mtaSts = mtaSts;
        this.listener = listener;
    }

    /** The relay host's addresses, each under the relay host's table entry or the endpoint's tls option. */
    List<Candidate> relay(String relayHost, int port, List<Destination> destinations, TlsDemand demand) {
        TlsPolicy explicit = table.forRelayHost(relayHost, port).orElse(null);
        List<Candidate> out = new ArrayList<>(destinations.size());
        for (Destination d : destinations) {
            TlsRequirement tls = explicit == null ? TlsRequirement.standard(defaultMode, d.host(), null)
                    : TlsRequirement.fixed(explicit, d.host(), null);
            if (demand == TlsDemand.REQUIRETLS && !tls.verified()) {
                tls = TlsRequirement.requireTls(d.host(), null);
            }
            out.add(new Candidate(d, tls, null));
        }
        return out;
    }

    /** The enhanced status of REQUIRETLS recipients no server could take under its terms (RFC 8689 section 6). */
    static final String REQUIRETLS_UNMET = "5.7.30";

    /**
     * The addresses of a domain's MX hosts, in order, each with its TLS requirement or the refusal of its policy.
     * Worked out host by host as the delivery gets to them, so the TLSA and MTA-STS look-ups of backup hosts are
     * made only when the better ones failed.
     */
    Iterable<Candidate> mx(Domain domain, MxResolution resolution, List<MxHost> hosts, int port, TlsDemand demand) {
        String policyDomain = domain.name();
        TlsPolicy explicit = table.forDomain(domain).orElse(null);
        TlsPolicy.Level level = explicit == null ? null : explicit.level();
        Supplier<MtaStsPolicies.Resolution> sts = lazily(() -> sts(domain));
        return new Lazy(hosts, host -> {
            List<Candidate> out = new ArrayList<>();
            if (level != null && level != TlsPolicy.Level.DANE && level != TlsPolicy.Level.DANE_ONLY) {
                addAll(out, host, port, TlsRequirement.fixed(explicit, host.name(), policyDomain));
            } else if (level == null && defaultMode == TlsMode.NONE) {
                addAll(out, host, port, TlsRequirement.standard(defaultMode, host.name(), policyDomain));
            } else if (demand == TlsDemand.NOT_REQUIRED) {
                // the sender waived the recipient's policies: TLS where offered, as without DANE a DANE entry is
                addAll(out, host, port, TlsRequirement.standard(level == null ? defaultMode : TlsMode.OPPORTUNISTIC,
                        host.name(), policyDomain));
            } else {
                automatic(out, resolution, host, port, level, sts, policyDomain);
            }
            return demand == TlsDemand.REQUIRETLS ? requireTls(out, resolution, host, policyDomain) : out;
        });
    }

    /** The candidates of a host for a REQUIRETLS message: each verifying the server, or kept out with 5.7.30. */
    private static List<Candidate> requireTls(List<Candidate> planned, MxResolution resolution, MxHost host, String policyDomain) {
        List<Candidate> out = new ArrayList<>(planned.size());
        for (Candidate c : planned) {
            if (c.refusal() != null || c.tls().verified()) {
                out.add(c);
            } else if (resolution.secure() && host.secure()) {
                out.add(new Candidate(c.destination(), TlsRequirement.requireTls(host.name(), policyDomain), null));
            } else {
                String why = "REQUIRETLS: " + host.name() + " has no DANE or MTA-STS policy and "
                             + (!resolution.secure() ? "the MX records of " + policyDomain : "its address records")
                             + " are not DNSSEC-validated, so its name cannot be trusted (RFC 8689 4.2.1)";
                out.add(new Candidate(c.destination(), null, new SessionFailure(c.destination(), 0, REQUIRETLS_UNMET, why, null,
                        "requiretls-fail (no verifiable policy)")));
            }
        }
        return out;
    }

    /** DANE for the host if it has it, else MTA-STS, else the fallback. */
    private void automatic(List<Candidate> out, MxResolution resolution, MxHost host, int port, TlsPolicy.Level level,
                           Supplier<MtaStsPolicies.Resolution> sts, String policyDomain) {
        // without DANE a DANE entry is opportunistic, as Postfix's dane level
        TlsMode fallback = level == null ? defaultMode : TlsMode.OPPORTUNISTIC;
        TlsaLookup.Result t = tlsa != null && resolution.secure() && host.secure() ? tlsa.lookup(host.name(), port) : null;
        TlsaLookup.Status status = t == null ? TlsaLookup.Status.NONE : t.status();
        switch (status) {
            case USABLE -> addAll(out, host, port, TlsRequirement.dane(host.name(), t.records(), policyDomain));
            case BOGUS -> refuse(out, host, port, policyDomain, TlsResult.PolicyType.TLSA, List.of(),
                    TlsResult.Failure.DNSSEC_INVALID, "dane-fail (TLSA look-up not validated)", t.detail());
            case UNUSABLE -> {
                if (level == TlsPolicy.Level.DANE_ONLY) {
                    refuse(out, host, port, policyDomain, TlsResult.PolicyType.TLSA, t.strings(),
                            TlsResult.Failure.TLSA_INVALID, "dane-fail (no usable TLSA record)", t.detail());
                } else {
                    addAll(out, host, port, TlsRequirement.daneEncrypt(host.name(), t.records(), policyDomain));
                }
            }
            default -> {
                if (level == TlsPolicy.Level.DANE_ONLY) {
                    String why = tlsa == null ? "DNSSEC is off" : !resolution.secure() ? "the MX records are not signed"
                            : !host.secure() ? "the address records of " + host.name() + " are not signed"
                            : t.detail();
                    refuse(out, host, port, policyDomain, TlsResult.PolicyType.NO_POLICY_FOUND, List.of(),
                            TlsResult.Failure.DANE_REQUIRED, "dane-fail (no TLSA records: " + why + ")",
                            "DANE_ONLY for " + policyDomain + " but " + why);
                } else {
                    addAll(out, host, port, withoutDane(sts.get(), host, port, fallback, policyDomain, out));
                }
            }
        }
    }

    /** The candidates of hosts worked out on first use and kept, so iterating twice asks DNS once. */
    private static final class Lazy implements Iterable<Candidate> {

        private final List<MxHost> hosts;
        private final java.util.function.Function<MxHost, List<Candidate>> plan;
        private final List<Candidate> planned = new ArrayList<>();
        private int next;

        Lazy(List<MxHost> hosts, java.util.function.Function<MxHost, List<Candidate>> plan) {
            this.hosts = hosts;
            this.plan = plan;
        }

        @Override
        public java.util.Iterator<Candidate> iterator() {
            return new java.util.Iterator<>() {
                private int i;

                @Override
                public boolean hasNext() {
                    while (i >= planned.size() && next < hosts.size()) {
                        planned.addAll(plan.apply(hosts.get(next++)));
                    }
                    return i < planned.size();
                }

                @Override
                public Candidate next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    return planned.get(i++);
                }
            };
        }
    }

    /** MTA-STS for a host without DANE; null when the policy keeps the host out (the refusal is added). */
    private TlsRequirement withoutDane(MtaStsPolicies.Resolution sts, MxHost host, int port, TlsMode fallback,
                                       String policyDomain, List<Candidate> out) {
        MtaStsPolicy policy = sts == null ? null : sts.policy();
        if (policy == null || policy.mode() == MtaStsPolicy.Mode.NONE) {
            return TlsRequirement.standard(fallback, host.name(), policyDomain);
        }
        if (policy.mode() == MtaStsPolicy.Mode.TESTING) {
            return TlsRequirement.testing(fallback, host.name(), policy, policyDomain);
        }
        if (!policy.matches(host.name())) {
            // RFC 8461 section 4.1: mail goes only to the MX hosts the policy names
            refuse(out, host, port, policyDomain, TlsResult.PolicyType.STS, TlsRequirement.policyStrings(policy),
                    TlsResult.Failure.VALIDATION_FAILURE, "mta-sts-fail (" + host.name() + " is not an MX host of the policy)",
                    "the MTA-STS policy of " + policyDomain + " (id " + policy.id() + ") names " + policy.mx() + ", not "
                    + host.name());
            return null;
        }
        return TlsRequirement.mtaSts(host.name(), policy, policyDomain);
    }

    private MtaStsPolicies.Resolution sts(Domain domain) {
        if (mtaSts == null) {
            return null;
        }
        MtaStsPolicies.Resolution r = mtaSts.resolve(domain);
        if (r.fetchFailure() != null && listener != null) {
            listener.tlsResult(new TlsResult(domain.name(), TlsResult.PolicyType.STS,
                    r.policy() == null ? List.of() : TlsRequirement.policyStrings(r.policy()), null, null, r.fetchFailure(),
                    r.detail()));
        }
        return r;
    }

    private static void addAll(List<Candidate> out, MxHost host, int port, TlsRequirement tls) {
        if (tls == null) {
            return;
        }
        for (InetAddress address : host.addresses()) {
            out.add(new Candidate(new Destination(host.name(), address, port), tls, null));
        }
    }

    /** Keeps a host out: one refusal in its place, its status 4.7.5, and the failure told to TLS-RPT. */
    private void refuse(List<Candidate> out, MxHost host, int port, String policyDomain, TlsResult.PolicyType type,
                        List<String> strings, TlsResult.Failure failure, String label, String detail) {
        Destination d = new Destination(host.name(), host.addresses().get(0), port);
        out.add(new Candidate(d, null, new SessionFailure(d, 0, SmtpSession.TLS_POLICY_FAILED,
                "TLS policy not satisfied by " + host.name() + ": " + detail, null, label)));
        if (listener != null) {
            listener.tlsResult(new TlsResult(policyDomain, type, strings, host.name(), null, failure, detail));
        }
    }

    private static <T> Supplier<T> lazily(Supplier<T> supplier) {
        return new Supplier<>() {
            private boolean done;
            private T value;

            @Override
            public T get() {
                if (!done) {
                    value = supplier.get();
                    done = true;
                }
                return value;
            }
        };
    }
}
