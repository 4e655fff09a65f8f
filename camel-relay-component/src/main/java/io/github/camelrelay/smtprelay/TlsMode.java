package io.github.camelrelay.smtprelay;

/** How the producer uses STARTTLS (or, with implicitTls, how it treats the certificate). */
public enum TlsMode {
    /** Never STARTTLS. */
    NONE,
    /** STARTTLS when the server offers it, certificate not checked: the normal case between MX hosts (RFC 7435). */
    OPPORTUNISTIC,
    /** STARTTLS must succeed, else the recipients are deferred; certificate not checked. */
    REQUIRED,
    /** STARTTLS must succeed and the certificate chain and host name are verified. */
    VERIFY
}
