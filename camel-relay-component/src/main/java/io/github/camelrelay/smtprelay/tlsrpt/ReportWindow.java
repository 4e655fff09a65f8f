package io.github.camelrelay.smtprelay.tlsrpt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;

/**
 * The counts of one report window (a UTC day by default): per policy (domain, type, strings, MX hosts) the successful
 * and failed sessions, and the failures by result type, MX host, address and reason; and which reports of the window
 * went out. Bounded: at most {@code maxPolicies} policies and {@code maxDetails} failure rows per policy, beyond which
 * failures still count in the summary under one row per result type. Not thread-safe: {@link TlsRptStore} guards it.
 */
final class ReportWindow {

    /** The reason given to failures counted beyond the failure rows a policy keeps. */
    static final String MORE_FAILURES = "further failures of this type, not itemised";
    /** Longer reasons are cut: they are the producer's words, and a report is not a log. */
    static final int MAX_REASON = 256;

    /** A policy as RFC 8460 section 4.4 reports it. */
    record PolicyKey(String domain, TlsResult.PolicyType type, List<String> strings, List<String> mxHosts) {

        PolicyKey {
            strings = List.copyOf(strings);
            mxHosts = List.copyOf(mxHosts);
        }

        static PolicyKey of(TlsResult r) {
            String domain = r.policyDomain().toLowerCase(Locale.ROOT);
            List<String> mx = switch (r.policyType()) {
                // the policy's own patterns for MTA-STS, the host the TLSA records are at for DANE (RFC 8460 4.4)
                case STS -> r.policyStrings().stream().filter(s -> s.regionMatches(true, 0, "mx:", 0, 3))
                        .map(s -> s.substring(3).strip().toLowerCase(Locale.ROOT)).toList();
                case TLSA -> r.mxHost() == null ? List.of() : List.of(r.mxHost().toLowerCase(Locale.ROOT));
                case NO_POLICY_FOUND -> List.of();
            };
            return new PolicyKey(domain, r.policyType(), r.policyType() == TlsResult.PolicyType.NO_POLICY_FOUND
                    ? List.of() : r.policyStrings(), mx);
        }
    }

    /** One row of failure-details: a result type with where and why. */
    record FailureKey(TlsResult.Failure type, String mxHost, String ip, String reason) {

        static FailureKey of(TlsResult r) {
            String reason = r.detail().isBlank() ? null : r.detail().strip();
            if (reason != null && reason.length() > MAX_REASON) {
                reason = reason.substring(0, MAX_REASON);
            }
            return new FailureKey(r.failure(), r.mxHost() == null ? null : r.mxHost().toLowerCase(Locale.ROOT), r.receivingIp(), reason);
        }
    }

    /** The counts of one policy. */
    static final class PolicyCounts {
        long successes;
        long failures;
        final Map<FailureKey, Long> details = new LinkedHashMap<>();
    }

    final Instant start;
    final Instant end;
    final Map<PolicyKey, PolicyCounts> policies = new LinkedHashMap<>();
    /** Policy domains whose report is done with: sent everywhere, or dropped for want of a record. */
    final Set<String> done = new LinkedHashSet<>();
    /** "domain destination" pairs a report went to, so a retry sends only where it failed. */
    final Set<String> sent = new LinkedHashSet<>();
    private final int maxPolicies;
    private final int maxDetails;
    /** Results dropped because the window holds maxPolicies policies already. */
    long dropped;

    ReportWindow(Instant start, Instant end, int maxPolicies, int maxDetails) {
        this.start = start;
        this.end = end;
        this.maxPolicies = maxPolicies;
        this.maxDetails = maxDetails;
    }

    /** Counts a result; false when it was dropped because the window is full. */
    boolean add(TlsResult r) {
        PolicyKey key = PolicyKey.of(r);
        PolicyCounts counts = policies.get(key);
        if (counts == null) {
            if (policies.size() >= maxPolicies) {
                dropped++;
                return false;
            }
            counts = new PolicyCounts();
            policies.put(key, counts);
        }
        if (r.success()) {
            counts.successes++;
            return true;
        }
        counts.failures++;
        FailureKey row = FailureKey.of(r);
        if (!counts.details.containsKey(row) && counts.details.size() >= maxDetails) {
            row = new FailureKey(r.failure(), null, null, MORE_FAILURES);
        }
        counts.details.merge(row, 1L, Long::sum);
        return true;
    }

    /** The policy domains with counts, in the order they were first seen. */
    List<String> domains() {
        Set<String> all = new LinkedHashSet<>();
        policies.keySet().forEach(k -> all.add(k.domain()));
        return new ArrayList<>(all);
    }

    boolean isDone() {
        return done.containsAll(domains());
    }

    static String sentKey(String domain, String destination) {
        return domain + " " + destination;
    }
}
