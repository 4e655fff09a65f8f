package io.github.camelrelay.smtprelay;

/** Which SASL mechanism the producer authenticates to the relay host with (SMTP AUTH, RFC 4954). */
public enum AuthMechanism {
    /**
     * With a password, PLAIN, else LOGIN, whichever the server offers; with a token provider, OAUTHBEARER, else
     * XOAUTH2, whichever the server offers.
     */
    AUTO,
    /** PLAIN (RFC 4616), with the password. */
    PLAIN,
    /** LOGIN, with the password, for servers that offer nothing else. */
    LOGIN,
    /** XOAUTH2, with a token from the token provider: Google's and Microsoft's mechanism, offered by both. */
    XOAUTH2,
    /** OAUTHBEARER (RFC 7628), with a token from the token provider. */
    OAUTHBEARER;

    /** Whether this mechanism sends an OAuth 2.0 token rather than a password. */
    public boolean bearer() {
        return this == XOAUTH2 || this == OAUTHBEARER;
    }
}
