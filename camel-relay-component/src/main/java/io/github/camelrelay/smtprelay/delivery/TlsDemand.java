package io.github.camelrelay.smtprelay.delivery;

/** What the message's sender asked of the TLS of its relaying (RFC 8689). */
public enum TlsDemand {
    /** Nothing: the destinations' policies and the tls option decide. */
    DEFAULT,
    /**
     * REQUIRETLS on MAIL FROM: only over TLS whose server identity was verified (DANE, MTA-STS enforce, VERIFY, or a
     * verified certificate for an MX host from DNSSEC-validated records), to servers that offer REQUIRETLS.
     */
    REQUIRETLS,
    /**
     * The header field {@code TLS-Required: No} (RFC 8689 section 5): the recipient's DANE and MTA-STS policies are
     * not applied, so delivery goes on where they would have refused it; TLS is still used where offered.
     */
    NOT_REQUIRED
}
