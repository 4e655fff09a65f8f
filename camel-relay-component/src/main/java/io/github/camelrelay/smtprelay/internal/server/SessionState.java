package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetSocketAddress;

/**
 * What the listener knows about one connection: the greeting, the open transaction, TLS, the authenticated user,
 * error and AUTH failure counts. Used only on the connection's event loop.
 */
final class SessionState {

    private final InetSocketAddress client;
    private final int maxErrors;
    private String helo;
    private boolean esmtp;
    private Transaction transaction;
    private boolean tls;
    private String tlsDescription;
    private String authenticatedUser;
    private int authFailures;
    private int errors;

    SessionState(InetSocketAddress client, int maxErrors) {
        this.client = client;
        this.maxErrors = maxErrors;
    }

    InetSocketAddress client() {
        return client;
    }

    /** The name given with EHLO or HELO; null before either. */
    String helo() {
        return helo;
    }

    boolean esmtp() {
        return esmtp;
    }

    /** EHLO or HELO: a new greeting also ends any open transaction (RFC 5321 4.1.4). */
    void greeted(String name, boolean esmtp) {
        this.helo = name;
        this.esmtp = esmtp;
        this.transaction = null;
    }

    /** The open transaction, or null between MAIL transactions. */
    Transaction transaction() {
        return transaction;
    }

    void startTransaction(Transaction t) {
        this.transaction = t;
    }

    void endTransaction() {
        this.transaction = null;
    }

    boolean tls() {
        return tls;
    }

    /** For the Received header, such as {@code TLSv1.3 with cipher TLS_AES_256_GCM_SHA384}. */
    String tlsDescription() {
        return tlsDescription;
    }

    /** STARTTLS accepted: RFC 3207 4.2 says to forget everything learnt before it, so identity and greeting go too. */
    void forgetForTls() {
        helo = null;
        esmtp = false;
        transaction = null;
        authenticatedUser = null;
    }

    /** The TLS handshake completed. */
    void tlsStarted(String protocol, String cipher) {
        tls = true;
        tlsDescription = protocol + " with cipher " + cipher;
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

    /** A message was accepted: the client is doing useful work, so its earlier mistakes are forgiven. */
    void messageAccepted() {
        errors = 0;
    }

    boolean tooManyErrors() {
        return errors >= maxErrors;
    }
}
