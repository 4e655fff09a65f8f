package io.github.camelrelay.smtprelay.tlspolicy;

import java.util.List;
import java.util.Objects;

/**
 * How TLS went for one session to a recipient domain's MX host, or why none was tried, in the terms of SMTP TLS
 * Reporting (RFC 8460 section 4): the policy domain, the policy that applied and its strings, the MX host and its
 * address, and the failure type when it failed. Delivered to
 * {@link io.github.camelrelay.smtprelay.SmtpRelayListener#tlsResult}, where a TLS-RPT reporter counts them.
 *
 * @param policyDomain  the recipient domain
 * @param policyType    the policy that applied
 * @param policyStrings the policy as RFC 8460 4.4 reports it: the MTA-STS policy lines, or the TLSA records in
 *                      presentation format; empty without a policy
 * @param mxHost        the MX host name, or null for a failure before any host (a policy fetch)
 * @param receivingIp   the address connected to, or null when no connection was made
 * @param failure       why it failed, or null for a successful TLS session
 * @param detail        what happened, in words, for the report's additional information
 */
public record TlsResult(String policyDomain, PolicyType policyType, List<String> policyStrings, String mxHost,
                        String receivingIp, Failure failure, String detail) {

    public TlsResult {
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(policyType, "policyType");
        policyStrings = List.copyOf(policyStrings);
        detail = detail == null ? "" : detail;
    }

    public boolean success() {
        return failure == null;
    }

    /** The policy-type values of RFC 8460 section 4.4. */
    public enum PolicyType {
        STS("sts"),
        TLSA("tlsa"),
        NO_POLICY_FOUND("no-policy-found");

        private final String value;

        PolicyType(String value) {
            this.value = value;
        }

        /** As the report's JSON writes it. */
        public String value() {
            return value;
        }
    }

    /** The result types of RFC 8460 section 4.3. */
    public enum Failure {
        STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
        CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
        CERTIFICATE_EXPIRED("certificate-expired"),
        CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
        VALIDATION_FAILURE("validation-failure"),
        TLSA_INVALID("tlsa-invalid"),
        DNSSEC_INVALID("dnssec-invalid"),
        DANE_REQUIRED("dane-required"),
        STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
        STS_POLICY_INVALID("sts-policy-invalid"),
        STS_WEBPKI_INVALID("sts-webpki-invalid");

        private final String value;

        Failure(String value) {
            this.value = value;
        }

        /** As the report's JSON writes it. */
        public String value() {
            return value;
        }
    }
}
