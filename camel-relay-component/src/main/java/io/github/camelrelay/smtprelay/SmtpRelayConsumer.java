package io.github.camelrelay.smtprelay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

import javax.net.ssl.SSLContext;

import io.github.camelrelay.smtprelay.auth.SenderLogins;
import io.github.camelrelay.smtprelay.auth.SmtpRelayAuthenticator;
import io.github.camelrelay.smtprelay.auth.UserList;
import io.github.camelrelay.smtprelay.internal.server.Envelope;
import io.github.camelrelay.smtprelay.internal.server.LocalDomains;
import io.github.camelrelay.smtprelay.internal.server.MessageSink;
import io.github.camelrelay.smtprelay.internal.server.RejectException;
import io.github.camelrelay.smtprelay.internal.server.RelayNetworks;
import io.github.camelrelay.smtprelay.internal.server.Replies;
import io.github.camelrelay.smtprelay.internal.server.ServerSettings;
import io.github.camelrelay.smtprelay.internal.server.SmtpListener;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.recipient.RecipientList;
import io.github.camelrelay.smtprelay.recipient.RecipientValidator;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.StreamCache;
import org.apache.camel.converter.stream.CachedOutputStream;
import org.apache.camel.spi.StreamCachingStrategy;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.UnitOfWorkHelper;
import org.apache.camel.util.IOHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP listener: one exchange per accepted message, its body the raw message as a stream cache, its envelope in
 * the {@code CamelSmtpRelay...} headers. The client's end of data is answered 250 only after the route has completed
 * the exchange without an exception; otherwise it gets 451 4.3.0 and keeps the message.
 */
public class SmtpRelayConsumer extends DefaultConsumer implements MessageSink {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelayConsumer.class);

    private volatile ServerSettings settings;
    private volatile SmtpListener server;
    private volatile ExecutorService processing;
    private volatile InetSocketAddress listening;

    public SmtpRelayConsumer(SmtpRelayEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        // fails the route at creation, naming the option, rather than when it starts
        endpoint.getServer().validate();
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        settings = settings(getEndpoint());
    }

    @Override
    public SmtpRelayEndpoint getEndpoint() {
        return (SmtpRelayEndpoint) super.getEndpoint();
    }

    private static ServerSettings settings(SmtpRelayEndpoint endpoint) throws Exception {
        SmtpRelayServerConfiguration s = endpoint.getServer();
        SmtpRelayConfiguration c = endpoint.getConfiguration();
        SSLContext ssl = c.getSslContextParameters() == null ? null
                : c.getSslContextParameters().createSSLContext(endpoint.getCamelContext());
        InetAddress bind;
        try {
            bind = InetAddress.getByName(s.getBindAddress().strip());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Option bindAddress: expected a local address but found '" + s.getBindAddress()
                                               + "'", e);
        }
        return ServerSettings.builder()
                .hostName(endpoint.getHeloName())
                .bindAddress(bind)
                .port(s.getPort())
                .relayNetworks(RelayNetworks.parse(s.getRelayNetworks()))
                .localDomains(LocalDomains.parse(s.getLocalDomains()))
                .authenticator(authenticator(s))
                .allowAuthWithoutTls(s.isAllowAuthWithoutTls())
                .sslContext(ssl)
                .implicitTls(c.isImplicitTls())
                .maxMessageSize(s.getMaxMessageSize())
                .maxRecipients(s.getMaxRecipients())
                .maxConnections(s.getMaxConnections())
                .maxConnectionsPerClient(s.getMaxConnectionsPerClient())
                .recipientValidator(recipientValidator(s))
                .senderLogins(senderLogins(s))
                .clientLimitExceptions(s.getClientLimitExceptions() == null ? null : RelayNetworks.parse(s.getClientLimitExceptions()))
                .clientIpv4PrefixLength(s.getClientIpv4PrefixLength())
                .clientIpv6PrefixLength(s.getClientIpv6PrefixLength())
                .idleTimeout(s.getIdleTimeout())
                .maxSessionTime(s.getMaxSessionTime())
                .minDataRate(s.getMinDataRate())
                .maxErrors(s.getMaxErrors())
                .maxAuthFailures(s.getMaxAuthFailures())
                .maxAuthFailuresPerClient(s.getMaxAuthFailuresPerClient())
                .authFailureDelay(Duration.ofMillis(s.getAuthFailureDelay()))
                .authLockoutTime(Duration.ofMillis(s.getAuthLockoutTime()))
                .clock(endpoint.getComponent().getClock())
                .build();
    }

    /** The lists and the validator bean together: a recipient any of them knows is valid; null when there is none. */
    private static RecipientValidator recipientValidator(SmtpRelayServerConfiguration s) {
        List<RecipientValidator> all = new ArrayList<>();
        if (s.getValidRecipients() != null && !s.getValidRecipients().isBlank()) {
            all.add(RecipientList.parse(s.getValidRecipients()));
        }
        if (s.getValidRecipientsFile() != null && !s.getValidRecipientsFile().isBlank()) {
            all.add(RecipientList.load(Path.of(s.getValidRecipientsFile().strip())));
        }
        if (s.getRecipientValidator() != null) {
            all.add(s.getRecipientValidator());
        }
        if (all.size() <= 1) {
            return all.isEmpty() ? null : all.get(0);
        }
        return recipient -> {
            for (RecipientValidator v : all) {
                if (v.isValid(recipient)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** The inline entries and the file's together; null when neither is set. */
    private static SenderLogins senderLogins(SmtpRelayServerConfiguration s) {
        SenderLogins logins = null;
        if (s.getSenderLogins() != null && !s.getSenderLogins().isBlank()) {
            logins = SenderLogins.parse(s.getSenderLogins());
        }
        if (s.getSenderLoginsFile() != null && !s.getSenderLoginsFile().isBlank()) {
            SenderLogins file = SenderLogins.load(Path.of(s.getSenderLoginsFile().strip()));
            logins = logins == null ? file : logins.plus(file);
        }
        return logins;
    }

    /** The users list and the authenticator bean together: either may accept; null when there is neither. */
    private static SmtpRelayAuthenticator authenticator(SmtpRelayServerConfiguration s) {
        UserList users = UserList.parse(s.getUsers());
        SmtpRelayAuthenticator bean = s.getAuthenticator();
        if (users.isEmpty()) {
            return bean;
        }
        if (bean == null) {
            return users;
        }
        return (user, password) -> users.authenticate(user, password) || bean.authenticate(user, password);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        SmtpRelayServerConfiguration s = getEndpoint().getServer();
        if ((s.getAuthenticator() != null || s.getUsers() != null) && settingsOfferNoAuth()) {
            LOG.warn("smtprelay:{} has users but no sslContextParameters: AUTH will never be offered. Set sslContextParameters"
                     + " (or allowAuthWithoutTls=true on a trusted network)", getEndpoint().getName());
        }
        StreamCachingStrategy caching = getEndpoint().getCamelContext().getStreamCachingStrategy();
        if (!caching.isSpoolEnabled()) {
            LOG.info("smtprelay:{} keeps each incoming message in memory (up to maxMessageSize={} octets) because stream"
                     + " caching spooling is off; set camel.main.streamCachingSpoolEnabled=true to spool large messages"
                     + " to disk", getEndpoint().getName(), s.getMaxMessageSize());
        }
        String name = "SmtpRelayConsumer[" + getEndpoint().getName() + "]";
        // bounded: each connection has at most one message in the route and reads nothing meanwhile, so the queue
        // never holds more than one task per connection
        ThreadPoolProfile profile = new ThreadPoolProfile(name);
        profile.setPoolSize(s.getProcessingThreads());
        profile.setMaxPoolSize(s.getProcessingThreads());
        profile.setMaxQueueSize(s.getMaxConnections());
        profile.setAllowCoreThreadTimeOut(true);
        processing = getEndpoint().getCamelContext().getExecutorServiceManager().newThreadPool(this, name, profile);
        SmtpListener srv = new SmtpListener(settings, this, processing, name);
        try {
            srv.start();
        } catch (Exception e) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdown(processing);
            throw e;
        }
        server = srv;
        // the producers of this context never deliver here by MX: that would be a loop
        listening = new InetSocketAddress(InetAddress.getByName(s.getBindAddress().strip()), srv.localPort());
        getEndpoint().getComponent().listenerStarted(listening);
        LOG.info("smtprelay:{} listening on {}:{}", getEndpoint().getName(), s.getBindAddress(), srv.localPort());
    }

    private boolean settingsOfferNoAuth() {
        SmtpRelayConfiguration c = getEndpoint().getConfiguration();
        return c.getSslContextParameters() == null && !getEndpoint().getServer().isAllowAuthWithoutTls();
    }

    @Override
    protected void doStop() throws Exception {
        SmtpListener srv = server;
        server = null;
        if (listening != null) {
            getEndpoint().getComponent().listenerStopped(listening);
            listening = null;
        }
        if (srv != null) {
            srv.stop();
        }
        ExecutorService p = processing;
        processing = null;
        if (p != null) {
            // messages already in the route finish; their clients are gone, so they will send them again
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdown(p);
        }
        super.doStop();
    }

    /** The port the listener accepts on (the one picked, when the port option is 0); -1 when not started. */
    public int getLocalPort() {
        SmtpListener srv = server;
        return srv == null ? -1 : srv.localPort();
    }

    /** Client connections open now, for health checks and metrics. */
    public int getOpenConnections() {
        SmtpListener srv = server;
        return srv == null ? 0 : srv.openConnections();
    }

    @Override
    public Delivery begin(Envelope envelope) {
        Exchange exchange = createExchange(false);
        // spills to the stream caching spool directory past its threshold; the file goes when the exchange is done
        CachedOutputStream cache = new CachedOutputStream(exchange);
        return new ExchangeDelivery(exchange, cache, envelope);
    }

    /** One message being written into a stream cache, then routed as an exchange. */
    private final class ExchangeDelivery implements Delivery {
        private final Exchange exchange;
        private final CachedOutputStream cache;
        private final Envelope envelope;

        ExchangeDelivery(Exchange exchange, CachedOutputStream cache, Envelope envelope) {
            this.exchange = exchange;
            this.cache = cache;
            this.envelope = envelope;
        }

        @Override
        public String id() {
            return exchange.getExchangeId();
        }

        @Override
        public OutputStream body() {
            return cache;
        }

        @Override
        public void commit() throws RejectException {
            long size = -1;
            try {
                Message message = exchange.getMessage();
                StreamCache body = cache.newStreamCache();
                size = body.length();
                MessageBody content = new MessageBody(body);
                message.setBody(content);
                IOHelper.close(cache);
                if (envelope.authenticatedUser() != null && settings.senderLoginCheck().enabled()) {
                    checkFromHeader(content);
                }
                setHeaders(message, envelope);
                message.setHeader(SmtpRelayConstants.QUEUE_ID, id());
                message.setHeader(SmtpRelayConstants.TRACED, true);
                getProcessor().process(exchange);
            } catch (RejectException e) {
                // refused before the route: nothing was handed on, so the completions (the spool file) run here
                UnitOfWorkHelper.doneSynchronizations(exchange, exchange.getExchangeExtension().handoverCompletions());
                releaseExchange(exchange, false);
                throw e;
            } catch (Exception e) {
                exchange.setException(e);
            }
            try {
                Exception failure = exchange.getException();
                if (failure == null && exchange.isRollbackOnly()) {
                    failure = new IllegalStateException("The route marked the exchange rollback only");
                }
                InvalidMailException refused = null;
                // the outermost: a step that wraps another's refusal names itself in the reason
                for (Throwable t = failure; t != null && refused == null; t = t.getCause() == t ? null : t.getCause()) {
                    if (t instanceof InvalidMailException invalid) {
                        refused = invalid;
                    }
                }
                if (refused != null && refused.getEnhancedStatus() != null && refused.getEnhancedStatus().startsWith("5.")) {
                    // the route refused the message itself (an enricher, a policy): final, the client bounces it
                    LOG.info("{}: reject: end of data from {}: {} {}", id(), envelope.clientText(), refused.getEnhancedStatus(),
                            refused.getReason());
                    throw new RejectException(550, refused.getEnhancedStatus() + " Message refused: "
                                                   + Replies.printable(refused.getReason()));
                }
                if (failure != null) {
                    getExceptionHandler().handleException("Message from " + envelope.clientText()
                                                          + " not accepted: the route failed, the client was answered 451",
                            exchange, failure);
                    throw new RejectException(451, "4.3.0 Message not accepted, try again later");
                }
                logAccepted(size);
            } finally {
                releaseExchange(exchange, false);
            }
        }

        /** The sender-login check on the From header, from the first octet of the message and back to it. */
        private void checkFromHeader(MessageBody body) throws RejectException, IOException {
            try {
                settings.senderLoginCheck().fromHeader(envelope.authenticatedUser(), body);
            } catch (RejectException e) {
                LOG.info("{}: reject: end of data from {}: {}", id(), envelope.clientText(), e.getErrorResponse());
                throw e;
            } finally {
                body.reset();
            }
        }

        /** Postfix's smtpd and qmgr lines in one: {@code id: client=unknown[ip], sasl_username=u, from=<s>, size=n, nrcpt=n}. */
        private void logAccepted(long size) {
            if (LOG.isInfoEnabled()) {
                String ip = envelope.client().getAddress().getHostAddress();
                StringBuilder line = new StringBuilder(id()).append(": client=unknown[").append(ip).append(']');
                if (envelope.authenticatedUser() != null) {
                    line.append(", sasl_username=").append(Replies.printable(envelope.authenticatedUser()));
                }
                MailAddress sender = envelope.sender();
                line.append(", from=<").append(sender.isNullSender() ? "" : sender.address()).append(">, size=").append(size)
                        .append(", nrcpt=").append(envelope.recipients().size()).append(" (queued)");
                LOG.info("{}", line);
            }
        }

        @Override
        public void abort() {
            IOHelper.close(cache);
            // the exchange never reached a route, so run the completions (which delete any spool file) here
            UnitOfWorkHelper.doneSynchronizations(exchange, exchange.getExchangeExtension().handoverCompletions());
            releaseExchange(exchange, false);
        }
    }

    /**
     * The message body: Camel's stream cache with mark() disabled, so reset() always goes back to the first byte.
     * Wrapped because the producer reads the header section through a stream that passes mark() on to the cache, and a
     * ByteArrayInputStream-based cache then resets to that mark instead of the start: relayed as it came, a message
     * would lose its header section.
     */
    static final class MessageBody extends InputStream implements StreamCache {

        private final StreamCache cache;
        private final InputStream in;

        MessageBody(StreamCache cache) {
            this.cache = cache;
            this.in = (InputStream) cache;
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }

        @Override
        public long skip(long n) throws IOException {
            return in.skip(n);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void mark(int readlimit) {
            // not supported: reset() means "from the start"
        }

        @Override
        public void reset() {
            cache.reset();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        @Override
        public void writeTo(OutputStream os) throws IOException {
            cache.writeTo(os);
        }

        @Override
        public StreamCache copy(Exchange exchange) throws IOException {
            return new MessageBody(cache.copy(exchange));
        }

        @Override
        public boolean inMemory() {
            return cache.inMemory();
        }

        @Override
        public long length() {
            return cache.length();
        }

        @Override
        public long position() {
            return cache.position();
        }

        @Override
        public String toString() {
            return "MessageBody[" + cache.length() + " octets" + (cache.inMemory() ? "" : ", spooled") + "]";
        }
    }

    private static void setHeaders(Message message, Envelope envelope) {
        MailAddress sender = envelope.sender();
        message.setHeader(SmtpRelayConstants.ENVELOPE_FROM, sender.isNullSender() ? "" : sender.address());
        List<String> recipients = new ArrayList<>();
        envelope.recipients().forEach(r -> recipients.add(r.address()));
        message.setHeader(SmtpRelayConstants.RECIPIENTS, recipients);
        message.setHeader(SmtpRelayConstants.CLIENT_ADDRESS, envelope.clientText());
        message.setHeader(SmtpRelayConstants.HELO_NAME, envelope.heloText());
        // set or removed, and the submission flag always set, from the session alone: the relay routes sign by them
        if (envelope.authenticatedUser() != null) {
            message.setHeader(SmtpRelayConstants.AUTHENTICATED_USER, envelope.authenticatedUser());
        } else {
            message.removeHeader(SmtpRelayConstants.AUTHENTICATED_USER);
        }
        message.setHeader(SmtpRelayConstants.SUBMISSION, envelope.submission());
        message.setHeader(SmtpRelayConstants.TLS, envelope.tls());
        // from the session alone, like the envelope: each header set or removed
        envelope.dsn().writeTo(message);
        if (envelope.body() != null) {
            message.setHeader(SmtpRelayConstants.BODY, envelope.body());
        } else {
            message.removeHeader(SmtpRelayConstants.BODY);
        }
        if (envelope.smtpUtf8()) {
            message.setHeader(SmtpRelayConstants.SMTPUTF8, true);
        } else {
            message.removeHeader(SmtpRelayConstants.SMTPUTF8);
        }
        if (envelope.requireTls()) {
            message.setHeader(SmtpRelayConstants.REQUIRE_TLS, true);
        } else {
            message.removeHeader(SmtpRelayConstants.REQUIRE_TLS);
        }
    }
}
