package io.github.camelrelay.smtprelay.server;

import java.net.InetSocketAddress;

/**
 * What the listener knows about one connection beyond SubEthaSMTP's own session: TLS, the authenticated user,
 * error and AUTH failure counts. Used only on the connection's own thread.
 */
final class SessionState {

    private final InetSocketAddress client;
    private final int maxErrors;
    private boolean tls;
    private String tlsDescription;
    private boolean esmtp;
    private String authenticatedUser;
    private int authFailures;
    private int errors;
    private String authInitialResponse;

    SessionState(InetSocketAddress client, int maxErrors) {
        this.client = client;
        this.maxErrors = maxErrors;
    }

    InetSocketAddress client() {
        return client;
    }

    boolean tls() {
        return tls;
    }

    /** For the Received header, such as {@code TLSv1.3 with cipher TLS_AES_256_GCM_SHA384}. */
    String tlsDescription() {
        return tlsDescription;
    }

    /** TLS is up: RFC 3207 4.2 says to forget everything learnt before it, so identity and greeting go too. */
    void tlsStarted(String protocol, String cipher) {
        tls = true;
        tlsDescription = protocol + " with cipher " + cipher;
        esmtp = false;
        authenticatedUser = null;
        authInitialResponse = null;
    }

    boolean esmtp() {
        return esmtp;
    }

    void greeted(boolean esmtp) {
        this.esmtp = esmtp;
    }

    String authenticatedUser() {
        return authenticatedUser;
    }

    void authenticated(String user) {
        this.authenticatedUser = user;
    }

    /** Counts a failed AUTH on this connection and returns the count so far. */
    int authFailed() {
        return ++authFailures;
    }

    /** Counts one 5xx reply. */
    void error() {
        errors++;
    }

    int errors() {
        return errors;
    }

    /** A message was accepted: the client is doing useful work, so its earlier mistakes are forgiven. */
    void messageAccepted() {
        errors = 0;
    }

    boolean tooManyErrors() {
        return errors >= maxErrors;
    }

    /**
     * The initial response of the last AUTH command line, kept here so that SubEthaSMTP, which logs every command
     * line at DEBUG, only ever sees {@code AUTH <mechanism>}.
     */
    void stashAuthInitialResponse(String response) {
        this.authInitialResponse = response;
    }

    String takeAuthInitialResponse() {
        String r = authInitialResponse;
        authInitialResponse = null;
        return r;
    }
}
