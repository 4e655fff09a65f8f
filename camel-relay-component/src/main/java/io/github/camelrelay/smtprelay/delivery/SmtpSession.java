package io.github.camelrelay.smtprelay.delivery;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.github.camelrelay.smtprelay.AuthMechanism;
import io.github.camelrelay.smtprelay.TlsMode;
import io.github.camelrelay.smtprelay.auth.SmtpRelayToken;
import io.github.camelrelay.smtprelay.dsn.DsnRequest;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.timeout.Deadline;
import io.github.camelrelay.smtprelay.timeout.Watchdog;
import jakarta.mail.MessagingException;

/** One open SMTP connection, greeted, with EHLO, STARTTLS and AUTH done. Not thread-safe: one user at a time. */
final class SmtpSession {

    private static final int DATA_BUFFER = 16 * 1024;

    /** The destination it was opened for: the MX name TLS checked, if it did. */
    private final Destination opened;
    /** The TLS it was opened under, and what the log says of it. */
    private final TlsRequirement requirement;
    private final String tlsLabel;
    /** The destination of its current use: another MX name at the same address after reuse. */
    private Destination destination;
    private final SessionSettings settings;
    private final Socket socket;
    private final RelayTransport transport;
    private final boolean tls;
    private final boolean plainText;
    private final boolean pipelining;
    private int messages;
    /** A transaction was begun and not completed: RSET before the next MAIL FROM or reuse. */
    private boolean dirty;
    /** The data stream when a pipelined DATA was answered 354, else null. */
    private OutputStream openData;
    /** The reply to a pipelined DATA that was refused, else null. */
    private SmtpReply dataRefusal;
    /** Commands and message data straight into the socket on a plain-text connection; created on first use. */
    private BufferedOutputStream wire;
    private DotStuffingOutputStream plainData;
    private final Watchdog watchdog;
    private final Deadline deadline;
    /** Replies read when the current transaction began. */
    private int transactionStart;
    /** The final dot of the current transaction was (or may have been) sent. */
    private boolean finalDotSent;
    /** The current transaction sends its message with BDAT (RFC 3030). */
    private boolean bdat;
    /** The OAuth2 token this connection authenticated with, or null. */
    private final SmtpRelayToken token;

    private SmtpSession(Destination destination, SessionSettings settings, TlsRequirement requirement, String tlsLabel,
                        Socket socket, RelayTransport transport, Watchdog watchdog, Deadline deadline, SmtpRelayToken token) {
        this.opened = destination;
        this.token = token;
        this.destination = destination;
        this.requirement = requirement;
        this.tlsLabel = tlsLabel;
        this.watchdog = watchdog;
        this.deadline = deadline;
        this.settings = settings;
        this.socket = socket;
        this.transport = transport;
        this.tls = transport.isSSL();
        // only then is the socket's own stream the one the server reads commands from
        this.plainText = !tls && !settings.implicitTls;
        this.pipelining = settings.pipelining && transport.supportsExtension("PIPELINING");
    }

    /**
     * Connects, reads the greeting, says EHLO, and does STARTTLS and AUTH as the TLS requirement says; its check of
     * the server's chain runs right after the handshake, before anything else is sent.
     */
    static SmtpSession open(Destination destination, SessionSettings settings, TlsRequirement tls, Watchdog watchdog)
            throws SessionFailure {
        try {
            return authenticated(destination, settings, tls, false, watchdog);
        } catch (SessionFailure f) {
            // as Postfix does: a failed opportunistic handshake is retried in plain text rather than deferred
            if (tls.mode() == TlsMode.OPPORTUNISTIC && !settings.implicitTls && causedBy(f, SSLException.class)) {
                String refusal = settings.authenticates ? settings.authRefusal(false, false, true, tls.mode()) : null;
                if (refusal != null) {
                    // the plain-text retry would have to send the password unencrypted
                    throw new SessionFailure(destination, 0, SessionSettings.AUTH_NEEDS_TLS,
                            refusal + " (" + f.getReplyText() + ")", f);
                }
                return authenticated(destination, settings, tls, true, watchdog);
            }
            throw f;
        }
    }

    /** What the check after the handshake found, for the session being opened. */
    private static final class TlsState {
        TlsRequirement.Verdict verdict;

        void check(SSLSocket ssl, TlsRequirement tls, Destination destination, SessionSettings settings)
                throws MessagingException {
            List<java.security.cert.X509Certificate> chain = new ArrayList<>();
            try {
                for (java.security.cert.Certificate c : ssl.getSession().getPeerCertificates()) {
                    if (c instanceof java.security.cert.X509Certificate x) {
                        chain.add(x);
                    }
                }
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                // no chain: every check fails on it
            }
            verdict = tls.check(chain, destination.host(), settings.verifyingTrust, java.time.Instant.now());
            if (!verdict.ok()) {
                throw new MessagingException("TLS policy " + tls.name() + " not satisfied by " + destination.host() + ": "
                                             + verdict.detail());
            }
        }

        boolean verified(boolean tlsActive, TlsRequirement tls) {
            return tlsActive && (tls.mode() == TlsMode.VERIFY
                                 || tls.verifiesIdentity() && verdict != null && verdict.ok());
        }
    }

    /**
     * A session; with a token provider, authenticated with the endpoint's token, and when the server refuses it, once
     * more on a new connection with a fresh token from the provider.
     */
    private static SmtpSession authenticated(Destination destination, SessionSettings settings, TlsRequirement tls,
                                             boolean plain, Watchdog watchdog) throws SessionFailure {
        try {
            return open(destination, settings, tls, plain, watchdog, null);
        } catch (TokenRefused refused) {
            SmtpRelayToken fresh = settings.tokens.refused(destination, refused.token,
                    refused.getReplyCode() + " " + refused.getReplyText());
            return open(destination, settings, tls, plain, watchdog, fresh);
        }
    }

    /** The server refused the token the connection authenticated with. */
    private static final class TokenRefused extends SessionFailure {
        private final transient SmtpRelayToken token;

        TokenRefused(Destination destination, int code, String text, SmtpRelayToken token) {
            super(destination, code, text, null);
            this.token = token;
        }
    }

    /** Opens a connection; with a token provider, AUTH with {@code fresh}, or the endpoint's token when null. */
    private static SmtpSession open(Destination destination, SessionSettings settings, TlsRequirement tls, boolean plain,
                                    Watchdog watchdog, SmtpRelayToken fresh) throws SessionFailure {
        Socket socket = new Socket();
        Deadline deadline = new Deadline(socket::close);
        TlsState state = new TlsState();
        RelayTransport transport = new RelayTransport(plain ? settings.plainSession : settings.session(tls.mode()),
                settings.listener, destination.host());
        // every reply read is progress: a server answering a long pipelined group steadily is not timed out
        transport.onReply(deadline::renew);
        // while the session is opened, each command's reply gets its own timeout (EHLO, STARTTLS, AUTH)
        transport.onCommand(command -> deadline.arm(settings.timeouts.forCommand(command)));
        transport.authOnlyIf(() -> settings.authRefusal(transport.isSSL(), state.verified(transport.isSSL(), tls), plain,
                tls.mode()));
        if (tls.checksChain()) {
            transport.afterStartTls(ssl -> state.check(ssl, tls, destination, settings));
        }
        watchdog.watch(deadline);
        try {
            socket.setTcpNoDelay(true);
            bounded(deadline, settings.connectTimeout, () -> {
                socket.connect(destination.socketAddress());
                return null;
            });
            // the greeting (and an implicit TLS handshake) within greetingTimeout, then each command its own
            bounded(deadline, settings.timeouts.greeting(), () -> {
                transport.connect(settings.implicitTls ? implicitTls(socket, destination, settings, tls, state) : socket);
                return null;
            });
            SmtpRelayToken token = null;
            if (settings.tokens != null) {
                try {
                    token = bearerAuth(destination, settings, tls, state, plain, transport, deadline, fresh);
                } catch (SessionFailure f) {
                    watchdog.forget(deadline);
                    closeQuietly(socket);
                    throw f;
                }
            }
            transport.onCommand(command -> { });
            String label = !transport.isSSL() ? "no" : state.verdict != null ? state.verdict.label() : tls.name();
            SmtpSession session = new SmtpSession(destination, settings, tls, label, socket, transport, watchdog, deadline,
                    token);
            if (!plain) {
                report(settings, tls, destination, transport.isSSL() ? state.verdict : new TlsRequirement.Verdict(false, "no",
                        io.github.camelrelay.smtprelay.tlspolicy.TlsResult.Failure.STARTTLS_NOT_SUPPORTED, "STARTTLS not offered"));
            }
            if (settings.listener != null) {
                settings.listener.connected(destination.host(), destination.socketAddress(), session.tls);
            }
            return session;
        } catch (MessagingException | IOException | RuntimeException e) {
            int code = 0;
            String text = e.getMessage();
            if (transport.getLastReturnCode() >= 400) {
                SmtpReply reply = transport.lastReply();
                code = reply.code();
                text = reply.text();
            } else if (e instanceof MessagingException me && me.getNextException() != null) {
                text = e.getMessage() + ": " + me.getNextException();
            }
            TlsRequirement.Verdict failed = tlsFailure(settings, tls, transport, state, e, plain);
            watchdog.forget(deadline);
            closeQuietly(socket);
            if (failed != null) {
                report(settings, tls, destination, failed);
            }
            if (transport.authRefused() != null) {
                throw new SessionFailure(destination, 0, SessionSettings.AUTH_NEEDS_TLS, transport.authRefused(), e);
            }
            text = text == null ? e.getClass().getSimpleName() : text;
            if (failed != null && tls.dedicated()) {
                // the destination's TLS policy was not met: the same on every attempt until its operator fixes it
                String why = failed.failure() == io.github.camelrelay.smtprelay.tlspolicy.TlsResult.Failure.STARTTLS_NOT_SUPPORTED
                        ? "TLS is required (" + tls.name() + "), but was not offered by host " + destination.host() : text;
                throw new SessionFailure(destination, 0, TLS_POLICY_FAILED, why, e, failed.label());
            }
            throw new SessionFailure(destination, code, null, text, e, failed == null ? null : failed.label());
        }
    }

    /**
     * The enhanced status of recipients deferred because a destination's TLS policy (DANE, MTA-STS, a tlsPolicies
     * entry) was not met: 4.7.5, cryptographic failure, as Postfix reports it.
     */
    static final String TLS_POLICY_FAILED = "4.7.5";

    /** Why the session failed as far as TLS is concerned, or null when it was not TLS (a refused connection, a reply). */
    private static TlsRequirement.Verdict tlsFailure(SessionSettings settings, TlsRequirement tls, RelayTransport transport,
                                                     TlsState state, Exception e, boolean plain) {
        if (state.verdict != null && !state.verdict.ok()) {
            return state.verdict;
        }
        if (plain || tls.mode() == TlsMode.NONE) {
            return null;
        }
        if (tls.mandatory() && !settings.implicitTls && !transport.isSSL() && e instanceof MessagingException
            && transport.validReplies() >= 2 && !transport.supportsExtension("STARTTLS")) {
            // greeted, EHLO answered, no STARTTLS among the extensions: Angus refused to go on in plain text
            return new TlsRequirement.Verdict(false, tls.failLabel("STARTTLS not offered"),
                    io.github.camelrelay.smtprelay.tlspolicy.TlsResult.Failure.STARTTLS_NOT_SUPPORTED, "STARTTLS not offered");
        }
        if (causedBy(e, SSLException.class)) {
            String why = "TLS handshake failed: " + rootMessage(e);
            return new TlsRequirement.Verdict(false, tls.failLabel(why), tls.mode() == TlsMode.VERIFY
                    ? io.github.camelrelay.smtprelay.tlspolicy.TlsResult.Failure.CERTIFICATE_NOT_TRUSTED
                    : io.github.camelrelay.smtprelay.tlspolicy.TlsResult.Failure.VALIDATION_FAILURE, why);
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Tells the listener how TLS went with a recipient domain's MX host, for TLS-RPT; nothing in relay mode. */
    private static void report(SessionSettings settings, TlsRequirement tls, Destination d, TlsRequirement.Verdict verdict) {
        if (settings.listener == null || tls.policyDomain() == null || tls.mode() == TlsMode.NONE) {
            return;
        }
        io.github.camelrelay.smtprelay.tlspolicy.TlsResult.Failure failure = verdict == null ? null : verdict.failure();
        settings.listener.tlsResult(new io.github.camelrelay.smtprelay.tlspolicy.TlsResult(tls.policyDomain(), tls.policyType(),
                tls.policyStrings(), d.host(), d.ip(), failure, verdict == null ? "encrypted" : verdict.detail()));
    }

    /**
     * AUTH XOAUTH2 or OAUTHBEARER after EHLO and STARTTLS with {@code fresh}, or the endpoint's token when null, under
     * the rule for passwords: only over TLS whose certificate was verified, unless allowAuthWithoutVerifiedTls; no
     * token is asked for before that is known. Returns the token it authenticated with.
     */
    private static SmtpRelayToken bearerAuth(Destination destination, SessionSettings settings, TlsRequirement tls,
                                             TlsState state, boolean plain, RelayTransport transport, Deadline deadline,
                                             SmtpRelayToken fresh) throws SessionFailure, MessagingException, IOException {
        String refusal = settings.authRefusal(transport.isSSL(), state.verified(transport.isSSL(), tls), plain, tls.mode());
        if (refusal != null) {
            throw new SessionFailure(destination, 0, SessionSettings.AUTH_NEEDS_TLS, refusal, null);
        }
        AuthMechanism mechanism = BearerAuth.choose(settings.mechanism, transport);
        if (mechanism == null) {
            String offered = transport.getExtensionParameter("AUTH");
            throw new SessionFailure(destination, 0, BearerAuth.NO_BEARER_AUTH, "AUTH not sent: the server offers no"
                    + " OAUTHBEARER or XOAUTH2 for the token provider's token but "
                    + (offered == null ? "no AUTH at all" : "AUTH " + offered), null);
        }
        SmtpRelayToken token = fresh != null ? fresh : settings.tokens.current(destination);
        String response = BearerAuth.response(mechanism, settings.username, destination, token);
        BearerAuth.Outcome outcome = bounded(deadline, settings.commandTimeout,
                () -> BearerAuth.authenticate(transport, mechanism, response));
        if (outcome.authenticated()) {
            return token;
        }
        String text = outcome.text(mechanism);
        throw outcome.tokenRefused() ? new TokenRefused(destination, outcome.reply().code(), text, token)
                : new SessionFailure(destination, outcome.reply().code(), text, null);
    }

    /** Whether this connection may carry more mail: not once the token it authenticated with has expired. */
    boolean authValid() {
        return settings.tokens == null || settings.tokens.usable(token);
    }

    private static SSLSocket implicitTls(Socket socket, Destination destination, SessionSettings settings, TlsRequirement tls,
                                         TlsState state) throws IOException, MessagingException {
        SSLSocket ssl = (SSLSocket) settings.implicitTlsFactory(tls.mode()).createSocket(socket, destination.host(),
                destination.port(), true);
        if (tls.mode() == TlsMode.VERIFY) {
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(params);
        }
        ssl.startHandshake();
        if (tls.checksChain()) {
            state.check(ssl, tls, destination, settings);
        }
        return ssl;
    }

    Destination destination() {
        return destination;
    }

    Destination opened() {
        return opened;
    }

    /** The connection pool's key: the remote address and port. */
    java.net.InetSocketAddress key() {
        return opened.socketAddress();
    }

    /** Carries mail for this destination from now on (same address and port, perhaps another MX name). */
    void use(Destination next) {
        this.destination = next;
    }

    boolean tls() {
        return tls;
    }

    TlsRequirement requirement() {
        return requirement;
    }

    /** The TLS this session has, as the delivery log says it: {@code dane-ee}, {@code mta-sts}, {@code no}... */
    String tlsLabel() {
        return tlsLabel;
    }

    int messages() {
        return messages;
    }

    /** The replies to MAIL FROM and to each RCPT TO of one transaction, in order. */
    record Envelope(SmtpReply mail, List<SmtpReply> recipients) {
    }

    /**
     * Begins a transaction: MAIL FROM (with SIZE when the server announced it and the size is known, RFC 1870) and
     * RCPT TO for each recipient. When the server offers PIPELINING (RFC 2920) the commands and DATA go in one
     * exchange, saving two round trips per message; otherwise each command waits for its reply, and DATA is sent
     * by {@link #data}. A RCPT TO after a refused MAIL FROM is not sent one by one; its reply is then MAIL's.
     */
    Envelope envelope(MailAddress sender, long size, List<MailAddress> recipients, DsnRequest dsn, String mailParameters)
            throws MessagingException, IOException {
        return bounded(deadline, settings.timeouts.mail(), () -> transaction(sender, size, recipients, dsn, mailParameters));
    }

    /**
     * Whether messages go with BDAT (RFC 3030): chunking is on, the server offers CHUNKING, and the connection's raw
     * output can be had (always in plain text, from Angus after TLS).
     */
    boolean chunking() {
        return settings.chunking && transport.supportsExtension("CHUNKING") && (plainText || transport.rawOutput() != null);
    }

    /** Whether the server announced this EHLO keyword. */
    boolean offers(String keyword) {
        return transport.supportsExtension(keyword);
    }

    /** Whether the server offers DSN (RFC 3461): the requests are passed on, and it reports on what it accepts. */
    boolean dsn() {
        return transport.supportsExtension("DSN");
    }

    private Envelope transaction(MailAddress sender, long size, List<MailAddress> recipients, DsnRequest request,
                                 String mailParameters) throws MessagingException, IOException {
        // to a server without DSN the parameters are left out; the relay then reports for it (RFC 3461 4.2 and 6.2)
        DsnRequest dsn = dsn() ? request : DsnRequest.NONE;
        bdat = chunking();
        if (dirty && !reset()) {
            throw new MessagingException("no 250 reply to RSET before a new transaction: " + transport.lastReply());
        }
        dirty = true;
        transactionStart = transport.validReplies();
        finalDotSent = false;
        String mail = "MAIL FROM:<" + sender.address() + ">"
                      + (size >= 0 && transport.supportsExtension("SIZE") ? " SIZE=" + size : "") + mailParameters
                      + dsn.mailParameters();
        if (!pipelining) {
            SmtpReply from = bounded(deadline, settings.timeouts.mail(), () -> transport.command(mail));
            List<SmtpReply> replies = new ArrayList<>(recipients.size());
            for (MailAddress r : recipients) {
                replies.add(from.positive() ? bounded(deadline, settings.timeouts.rcpt(), () -> transport.command(rcptTo(r, dsn))) : from);
            }
            return new Envelope(from, replies);
        }
        if (plainText) {
            List<String> group = new ArrayList<>(recipients.size() + 2);
            group.add(mail);
            for (MailAddress r : recipients) {
                group.add(rcptTo(r, dsn));
            }
            if (!bdat) {
                group.add("DATA");
            }
            transport.sendGroup(wire(), group);
            List<SmtpReply> replies = transport.readReplies(group.size());
            if (bdat) {
                openData = null;
                dataRefusal = null;
                return new Envelope(replies.get(0), replies.subList(1, recipients.size() + 1));
            }
            SmtpReply data = replies.get(group.size() - 1);
            // a refused DATA leaves the transaction open (dirty): RSET before the next one
            openData = data.code() == 354 ? plainData : null;
            dataRefusal = openData == null ? data : null;
            return new Envelope(replies.get(0), replies.subList(1, recipients.size() + 1));
        }
        transport.pipeline(mail);
        for (MailAddress r : recipients) {
            transport.pipeline(rcptTo(r, dsn));
        }
        if (bdat) {
            List<SmtpReply> replies = transport.readPipelined();
            if (replies.size() != recipients.size() + 1) {
                throw new MessagingException("expected " + (recipients.size() + 1) + " replies to the pipelined envelope but read "
                                             + replies.size());
            }
            return new Envelope(replies.get(0), replies.subList(1, replies.size()));
        }
        SmtpReply[] refused = new SmtpReply[1];
        openData = startData(refused);
        dataRefusal = refused[0];
        List<SmtpReply> replies = transport.pipelinedReplies();
        if (replies.size() != recipients.size() + 1) {
            throw new MessagingException("expected " + (recipients.size() + 1) + " replies to the pipelined envelope but read "
                                         + replies.size());
        }
        return new Envelope(replies.get(0), replies.subList(1, replies.size()));
    }

    /**
     * DATA (unless it went with the pipelined envelope), the content, and the end of data; the reply to DATA when it
     * was refused, else the reply to the final dot.
     */
    SmtpReply data(MessageContent content, byte[] prefix) throws MessagingException, IOException {
        return bounded(deadline, settings.timeouts.dataXfer(), () -> message(content, prefix));
    }

    private SmtpReply message(MessageContent content, byte[] prefix) throws MessagingException, IOException {
        if (bdat) {
            return chunks(content, prefix);
        }
        OutputStream out;
        if (pipelining) {
            out = openData;
            openData = null;
            if (out == null) {
                return dataRefusal;
            }
        } else if (plainText) {
            SmtpReply reply = bounded(deadline, settings.timeouts.dataInit(), () -> transport.command("DATA"));
            if (reply.code() != 354) {
                return reply;
            }
            wire();
            out = plainData;
        } else {
            SmtpReply[] refused = new SmtpReply[1];
            out = bounded(deadline, settings.timeouts.dataInit(), () -> startData(refused));
            if (out == null) {
                return refused[0];
            }
        }
        out = new Progress(out);
        if (prefix != null) {
            out.write(prefix);
        }
        content.writeTo(out);
        return endData();
    }

    /**
     * The message in BDAT chunks, streamed from the content (one chunk in memory), with no dot-stuffing; the reply to
     * the LAST chunk, or to the chunk the server refused, which ends the transaction.
     */
    private SmtpReply chunks(MessageContent content, byte[] prefix) throws MessagingException, IOException {
        OutputStream raw = plainText ? wire() : transport.rawOutput();
        BdatOutputStream chunks = new BdatOutputStream((command, data, length) -> {
            if (command.endsWith(" LAST")) {
                // from here on the server may have the message whatever happens to the connection
                finalDotSent = true;
                deadline.arm(settings.timeouts.dataDone());
            }
            try {
                return transport.bdatChunk(raw, command, data, length);
            } catch (MessagingException e) {
                throw new IOException(e.getMessage(), e);
            }
        }, settings.chunkSize);
        OutputStream out = new Progress(chunks);
        try {
            if (prefix != null) {
                out.write(prefix);
            }
            content.writeTo(out);
        } catch (BdatOutputStream.Refused refused) {
            // the transaction is left open (dirty): RSET before the next one
            return refused.reply;
        }
        SmtpReply reply = bounded(deadline, settings.timeouts.dataDone(), chunks::last);
        messages++;
        dirty = false;
        return reply;
    }

    /**
     * On a plain-text connection commands and message data go straight into the socket through one buffer, so a
     * pipelined group or a message with its final dot leaves in one write: Angus flushes after every command and
     * sends the final dot on its own. Its output stream is idle and empty between its commands, so the two never
     * interleave.
     */
    private OutputStream wire() throws IOException {
        if (wire == null) {
            wire = new BufferedOutputStream(socket.getOutputStream(), DATA_BUFFER);
            plainData = new DotStuffingOutputStream(wire);
        }
        return wire;
    }

    private static String rcptTo(MailAddress recipient, DsnRequest dsn) {
        return "RCPT TO:<" + recipient.address() + ">" + dsn.recipient(recipient).parameters();
    }

    /** DATA: the stream for the message, or null with the refusal in {@code refused}. */
    private OutputStream startData(SmtpReply[] refused) throws MessagingException {
        OutputStream out = transport.startData(refused);
        if (out == null) {
            // Angus answers a refused DATA with RSET itself, which ends the transaction
            dirty = false;
        }
        return out;
    }

    /**
     * Gives up the transaction begun by {@link #envelope} without a message (nothing was accepted): a pipelined DATA
     * the server answered 354 anyway gets its final dot at once, as RFC 2920 3.1 asks, and no message is delivered
     * as no recipient was accepted.
     */
    void abandon() throws MessagingException, IOException {
        if (openData != null) {
            openData = null;
            endData();
        }
    }

    private SmtpReply endData() throws MessagingException, IOException {
        // RFC 5321 4.5.3.2: the server may take much longer to answer the final dot than any other command
        return bounded(deadline, settings.timeouts.dataDone(), () -> {
            // from here on the server may have the message whatever happens to the connection
            finalDotSent = true;
            SmtpReply reply = plainText ? transport.endData(plainData) : transport.endData();
            messages++;
            // whatever the verdict, the reply to the final dot ends the transaction (RFC 5321 4.1.1.4)
            dirty = false;
            return reply;
        });
    }

    /** Whether the server answered MAIL FROM in the current (or last) transaction: it was alive then. */
    boolean mailReplied() {
        return transport.validReplies() > transactionStart;
    }

    /**
     * Whether the final dot of the current (or last) transaction was sent, or may have been: a failure after it leaves
     * the delivery uncertain, as the server may have accepted the message.
     */
    boolean finalDotSent() {
        return finalDotSent;
    }

    /** Whether the connection was closed under it, by a timeout for one. */
    boolean closed() {
        return socket.isClosed();
    }

    /** Whether a transaction was left open, so the connection needs a RSET before it carries another one. */
    boolean dirty() {
        return dirty;
    }

    /** RSET, so the connection can carry another transaction; false when the server did not answer 250. */
    boolean reset() {
        try {
            boolean ok = bounded(deadline, settings.commandTimeout, () -> transport.command("RSET")).code() == 250;
            dirty = !ok;
            return ok;
        } catch (MessagingException | IOException | RuntimeException e) {
            return false;
        }
    }

    void close() {
        try {
            // QUIT, not waited for; its write is bounded like any other
            bounded(deadline, settings.commandTimeout, () -> {
                transport.close();
                return null;
            });
        } catch (MessagingException | IOException | RuntimeException e) {
            // the connection is going away either way
        } finally {
            watchdog.forget(deadline);
            closeQuietly(socket);
            if (settings.listener != null) {
                settings.listener.disconnected(opened.host(), opened.socketAddress());
            }
        }
    }

    private interface Operation<T> {
        T run() throws MessagingException, IOException;
    }

    /**
     * Runs an operation that must finish within {@code timeoutMillis} (0: no bound), or the watchdog closes the
     * connection and the operation fails with a timeout. A nested operation bounds its own part; when it is done,
     * the outer one's timeout starts again, as a finished step is progress.
     */
    private static <T> T bounded(Deadline deadline, int timeoutMillis, Operation<T> operation)
            throws MessagingException, IOException {
        boolean outer = deadline.armed();
        int outerMillis = deadline.armedMillis();
        deadline.arm(timeoutMillis);
        T result;
        try {
            result = operation.run();
        } catch (MessagingException | IOException | RuntimeException e) {
            restore(deadline, outer, outerMillis);
            if (deadline.expiredAfter() > 0) {
                throw timeout(deadline);
            }
            throw e;
        }
        if (restore(deadline, outer, outerMillis)) {
            // it succeeded just as the watchdog took the connection, which is closed now: this session cannot go on
            throw timeout(deadline);
        }
        return result;
    }

    /** Re-arms the outer operation's timeout, or disarms; true when the deadline had expired meanwhile. */
    private static boolean restore(Deadline deadline, boolean outer, int outerMillis) {
        return outer ? deadline.arm(outerMillis) : deadline.disarm();
    }

    private static MessagingException timeout(Deadline deadline) {
        SocketTimeoutException timeout = deadline.timeout();
        return new MessagingException(timeout.getMessage(), timeout);
    }

    /** Message data: each write renews the data timeout, which bounds progress rather than the whole message. */
    private final class Progress extends FilterOutputStream {

        Progress(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            deadline.arm(settings.timeouts.dataXfer());
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            deadline.arm(settings.timeouts.dataXfer());
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // the connection's stream stays open for the final dot
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        // MessagingException.getCause() is its next exception, so this walks Angus's chains too
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
