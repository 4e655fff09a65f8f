package io.github.camelrelay.smtprelay;

import io.github.camelrelay.smtprelay.auth.SenderLogins;
import io.github.camelrelay.smtprelay.auth.SmtpRelayAuthenticator;
import io.github.camelrelay.smtprelay.auth.UserList;
import io.github.camelrelay.smtprelay.internal.server.LocalDomains;
import io.github.camelrelay.smtprelay.internal.server.RelayNetworks;
import io.github.camelrelay.smtprelay.recipient.RecipientList;
import io.github.camelrelay.smtprelay.recipient.RecipientValidator;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/** The options of the SMTP listener (the consumer). */
@UriParams
public class SmtpRelayServerConfiguration implements Cloneable {

    @UriParam(label = "consumer", defaultValue = "2525")
    private int port = 2525;
    @UriParam(label = "consumer", defaultValue = "127.0.0.1")
    private String bindAddress = "127.0.0.1";
    @UriParam(label = "consumer,security", defaultValue = "127.0.0.0/8,::1/128")
    private String relayNetworks = "127.0.0.0/8,::1/128";
    @UriParam(label = "consumer")
    private String localDomains;
    @UriParam(label = "consumer,security")
    @Metadata(autowired = true)
    private SmtpRelayAuthenticator authenticator;
    @UriParam(label = "consumer,security", secret = true)
    private String users;
    @UriParam(label = "consumer,security", defaultValue = "false")
    private boolean allowAuthWithoutTls;
    @UriParam(label = "consumer", defaultValue = "26214400")
    private long maxMessageSize = 26_214_400L;
    @UriParam(label = "consumer", defaultValue = "100")
    private int maxRecipients = 100;
    @UriParam(label = "consumer", defaultValue = "100")
    private int maxConnections = 100;
    @UriParam(label = "consumer", defaultValue = "20")
    private int maxConnectionsPerClient = 20;
    @UriParam(label = "consumer,security")
    private RecipientValidator recipientValidator;
    @UriParam(label = "consumer,security")
    private String validRecipients;
    @UriParam(label = "consumer,security")
    private String validRecipientsFile;
    @UriParam(label = "consumer,security")
    private String senderLogins;
    @UriParam(label = "consumer,security")
    private String senderLoginsFile;
    @UriParam(label = "consumer,security")
    private String clientLimitExceptions;
    @UriParam(label = "consumer,security", defaultValue = "32")
    private int clientIpv4PrefixLength = 32;
    @UriParam(label = "consumer,security", defaultValue = "64")
    private int clientIpv6PrefixLength = 64;
    @UriParam(label = "consumer,timeout", defaultValue = "300000", javaType = "java.time.Duration")
    private int idleTimeout = 300_000;
    @UriParam(label = "consumer,timeout", defaultValue = "3600000", javaType = "java.time.Duration")
    private int maxSessionTime = 3_600_000;
    @UriParam(label = "consumer,timeout", defaultValue = "500")
    private int minDataRate = 500;
    @UriParam(label = "consumer,advanced", defaultValue = "20")
    private int processingThreads = 20;
    @UriParam(label = "consumer,advanced", defaultValue = "20")
    private int maxErrors = 20;
    @UriParam(label = "consumer,security", defaultValue = "3")
    private int maxAuthFailures = 3;
    @UriParam(label = "consumer,security", defaultValue = "10")
    private int maxAuthFailuresPerClient = 10;
    @UriParam(label = "consumer,security", defaultValue = "1000", javaType = "java.time.Duration")
    private int authFailureDelay = 1000;
    @UriParam(label = "consumer,security", defaultValue = "900000", javaType = "java.time.Duration")
    private int authLockoutTime = 900_000;

    public SmtpRelayServerConfiguration copy() {
        try {
            return (SmtpRelayServerConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    /**
     * Checks the listener options together, before the listener is started.
     *
     * @throws IllegalArgumentException naming the option, what it expects and what it found
     */
    public void validate() {
        range("port", port, 0, 65535);
        range("maxRecipients", maxRecipients, 1, 100_000);
        range("maxConnections", maxConnections, 1, 100_000);
        range("maxConnectionsPerClient", maxConnectionsPerClient, 1, 100_000);
        range("clientIpv4PrefixLength", clientIpv4PrefixLength, 0, 32);
        range("clientIpv6PrefixLength", clientIpv6PrefixLength, 0, 128);
        range("idleTimeout", idleTimeout, 1, Integer.MAX_VALUE);
        range("maxSessionTime", maxSessionTime, 0, Integer.MAX_VALUE);
        range("minDataRate", minDataRate, 0, Integer.MAX_VALUE);
        range("processingThreads", processingThreads, 1, 10_000);
        range("maxErrors", maxErrors, 1, Integer.MAX_VALUE);
        range("maxAuthFailures", maxAuthFailures, 1, Integer.MAX_VALUE);
        range("maxAuthFailuresPerClient", maxAuthFailuresPerClient, 1, Integer.MAX_VALUE);
        range("authFailureDelay", authFailureDelay, 0, 60_000);
        range("authLockoutTime", authLockoutTime, 0, Integer.MAX_VALUE);
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("Option maxMessageSize: expected a positive number of octets but found "
                                               + maxMessageSize);
        }
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("Option bindAddress: expected an address such as 127.0.0.1 or 0.0.0.0 but found none");
        }
        parsed("relayNetworks", () -> RelayNetworks.parse(relayNetworks));
        parsed("localDomains", () -> LocalDomains.parse(localDomains));
        parsed("validRecipients", () -> RecipientList.parse(validRecipients));
        parsed("clientLimitExceptions", () -> RelayNetworks.parse(clientLimitExceptions));
        parsed("users", () -> UserList.parse(users));
        parsed("senderLogins", () -> SenderLogins.parse(senderLogins));
    }

    private static void parsed(String option, Runnable parse) {
        try {
            parse.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Option " + option + ": " + e.getMessage(), e);
        }
    }

    private static void range(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("Option " + option + ": expected a value from " + min + " to " + max
                                               + " but found " + value);
        }
    }

    public int getPort() {
        return port;
    }

    /** TCP port the SMTP listener accepts connections on; 0 picks a free port (see SmtpRelayConsumer.getLocalPort()). */
    public void setPort(int port) {
        this.port = port;
    }

    public String getBindAddress() {
        return bindAddress;
    }

    /**
     * Local address the listener binds to. The default 127.0.0.1 accepts only local clients; use 0.0.0.0 or :: to
     * listen on every interface.
     */
    public void setBindAddress(String bindAddress) {
        this.bindAddress = bindAddress;
    }

    public String getRelayNetworks() {
        return relayNetworks;
    }

    /**
     * Comma separated CIDR networks (IPv4 and IPv6) whose clients may relay to any domain without authenticating.
     * The default is the loopback addresses 127.0.0.0/8,::1/128; an empty value trusts no network.
     */
    public void setRelayNetworks(String relayNetworks) {
        this.relayNetworks = relayNetworks;
    }

    public String getLocalDomains() {
        return localDomains;
    }

    /**
     * Comma separated domains this server is the final destination for: any client may send to them. Mail for
     * other domains is accepted only from relayNetworks and authenticated users. Empty by default.
     */
    public void setLocalDomains(String localDomains) {
        this.localDomains = localDomains;
    }

    public SmtpRelayAuthenticator getAuthenticator() {
        return authenticator;
    }

    /**
     * Checks AUTH PLAIN and LOGIN credentials. A single bean of this type in the registry is used automatically.
     * Unset (and no users) means AUTH is not offered.
     */
    public void setAuthenticator(SmtpRelayAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    public String getUsers() {
        return users;
    }

    /**
     * A built-in user list for small set-ups: comma separated user:{pbkdf2}hash entries, each hash made with the
     * PasswordHash tool (java -cp camel-relay-component.jar io.github.camelrelay.smtprelay.auth.PasswordHash). Plain
     * text passwords are refused. Used together with the authenticator, if both are set.
     */
    public void setUsers(String users) {
        this.users = users;
    }

    public boolean isAllowAuthWithoutTls() {
        return allowAuthWithoutTls;
    }

    /**
     * Offer AUTH on connections that are not encrypted. Off by default: AUTH is offered only after STARTTLS (or with
     * implicitTls), so passwords never cross the network in clear text.
     */
    public void setAllowAuthWithoutTls(boolean allowAuthWithoutTls) {
        this.allowAuthWithoutTls = allowAuthWithoutTls;
    }

    public long getMaxMessageSize() {
        return maxMessageSize;
    }

    /** Largest message accepted, in octets; advertised with SIZE and enforced (552). Default 25 MiB. */
    public void setMaxMessageSize(long maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    public int getMaxRecipients() {
        return maxRecipients;
    }

    /** Most recipients in one transaction; further RCPT commands get 452 and the client sends them later. Default 100. */
    public void setMaxRecipients(int maxRecipients) {
        this.maxRecipients = maxRecipients;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    /** Most concurrent client connections; further clients get 421. Default 100. */
    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public int getMaxConnectionsPerClient() {
        return maxConnectionsPerClient;
    }

    /**
     * Most concurrent connections from one client network (see clientIpv4PrefixLength and clientIpv6PrefixLength);
     * further ones get 421. Clients in clientLimitExceptions (by default the relayNetworks) are not limited. Default 20.
     */
    public void setMaxConnectionsPerClient(int maxConnectionsPerClient) {
        this.maxConnectionsPerClient = maxConnectionsPerClient;
    }

    public RecipientValidator getRecipientValidator() {
        return recipientValidator;
    }

    /**
     * Checks each recipient at a localDomains domain at RCPT time; an unknown one is refused with 550 5.1.1, so the
     * relay never accepts mail it would have to bounce (backscatter). Used together with validRecipients and
     * validRecipientsFile, if set: a recipient any of them knows is accepted. Unset (and no list), every recipient at
     * a local domain is accepted.
     */
    public void setRecipientValidator(RecipientValidator recipientValidator) {
        this.recipientValidator = recipientValidator;
    }

    public String getValidRecipients() {
        return validRecipients;
    }

    /**
     * The recipients at the localDomains that exist, comma separated: user@domain entries, and @domain to accept every
     * recipient at that domain. A local domain with neither has every recipient refused with 550 5.1.1.
     */
    public void setValidRecipients(String validRecipients) {
        this.validRecipients = validRecipients;
    }

    public String getValidRecipientsFile() {
        return validRecipientsFile;
    }

    /**
     * A file (UTF-8) of valid recipients at the localDomains, as for validRecipients, one or more a line; lines
     * starting with # are comments. Read when the consumer starts.
     */
    public void setValidRecipientsFile(String validRecipientsFile) {
        this.validRecipientsFile = validRecipientsFile;
    }

    public String getSenderLogins() {
        return senderLogins;
    }

    /**
     * The senders each authenticated user may use, as Postfix's smtpd_sender_login_maps with
     * reject_sender_login_mismatch: entries separated by semicolons or line breaks, each user: address, @domain, ...
     * (@domain allows every address at that domain). When set (or senderLoginsFile is), an authenticated client is
     * refused with 553 5.7.1 at MAIL FROM for a sender its user may not use, and at the end of data for such an
     * address in the From header; a user without an entry may use none. The null sender passes MAIL FROM. Clients
     * that did not authenticate are not checked: relayNetworks clients are trusted, and anyone else may send only to
     * the localDomains, unsigned. Unset, no check.
     */
    public void setSenderLogins(String senderLogins) {
        this.senderLogins = senderLogins;
    }

    public String getSenderLoginsFile() {
        return senderLoginsFile;
    }

    /**
     * A file (UTF-8) of sender login entries, as for senderLogins, one a line; lines starting with # are comments.
     * Read when the consumer starts; used together with senderLogins, if both are set.
     */
    public void setSenderLoginsFile(String senderLoginsFile) {
        this.senderLoginsFile = senderLoginsFile;
    }

    public String getClientLimitExceptions() {
        return clientLimitExceptions;
    }

    /**
     * Comma separated CIDR networks whose clients maxConnectionsPerClient does not limit (they still count towards
     * maxConnections), like Postfix's smtpd_client_event_limit_exceptions. Unset, the relayNetworks; an empty value
     * exempts no network.
     */
    public void setClientLimitExceptions(String clientLimitExceptions) {
        this.clientLimitExceptions = clientLimitExceptions;
    }

    public int getClientIpv4PrefixLength() {
        return clientIpv4PrefixLength;
    }

    /**
     * The per-client limits (maxConnectionsPerClient, maxAuthFailuresPerClient) count IPv4 clients by their network of
     * this prefix length. Default 32: each address on its own.
     */
    public void setClientIpv4PrefixLength(int clientIpv4PrefixLength) {
        this.clientIpv4PrefixLength = clientIpv4PrefixLength;
    }

    public int getClientIpv6PrefixLength() {
        return clientIpv6PrefixLength;
    }

    /**
     * The per-client limits (maxConnectionsPerClient, maxAuthFailuresPerClient) count IPv6 clients by their network of
     * this prefix length. Default 64, the network one host usually holds, so rotating addresses within it does not get
     * around the limits.
     */
    public void setClientIpv6PrefixLength(int clientIpv6PrefixLength) {
        this.clientIpv6PrefixLength = clientIpv6PrefixLength;
    }

    public int getIdleTimeout() {
        return idleTimeout;
    }

    /**
     * How long the listener waits for the next command or the next chunk of message data before it answers 421
     * and closes the connection. Default 5 minutes (RFC 5321 4.5.3.2).
     */
    public void setIdleTimeout(int idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public int getMaxSessionTime() {
        return maxSessionTime;
    }

    /**
     * How long one connection may last in all; then it is answered 421 and closed (after the reply to a message
     * being handed on). 0 means no limit. Default 1 hour.
     */
    public void setMaxSessionTime(int maxSessionTime) {
        this.maxSessionTime = maxSessionTime;
    }

    public int getMinDataRate() {
        return minDataRate;
    }

    /**
     * Octets per second a client must at least send while a command line or a message is under way: each must be
     * complete within idleTimeout plus one second per minDataRate octets received of it, so a client trickling bytes
     * cannot hold a connection (Postfix's smtpd_min_data_rate). 0 turns the check off. Default 500.
     */
    public void setMinDataRate(int minDataRate) {
        this.minDataRate = minDataRate;
    }

    public int getProcessingThreads() {
        return processingThreads;
    }

    /**
     * Threads that run the route for received messages (and the authenticator), off the network threads. A connection
     * reads nothing while its message is in the route, so a slow route slows its clients instead of filling memory.
     * Default 20.
     */
    public void setProcessingThreads(int processingThreads) {
        this.processingThreads = processingThreads;
    }

    public int getMaxErrors() {
        return maxErrors;
    }

    /**
     * Most 5xx replies one session may earn before it is closed with 421; the count restarts after each accepted
     * message. Default 20.
     */
    public void setMaxErrors(int maxErrors) {
        this.maxErrors = maxErrors;
    }

    public int getMaxAuthFailures() {
        return maxAuthFailures;
    }

    /** Failed AUTH attempts allowed on one connection; the last one is answered 421 and the connection closed. Default 3. */
    public void setMaxAuthFailures(int maxAuthFailures) {
        this.maxAuthFailures = maxAuthFailures;
    }

    public int getMaxAuthFailuresPerClient() {
        return maxAuthFailuresPerClient;
    }

    /**
     * Failed AUTH attempts allowed from one client address, over all its connections, before AUTH from it is refused
     * for authLockoutTime. Default 10.
     */
    public void setMaxAuthFailuresPerClient(int maxAuthFailuresPerClient) {
        this.maxAuthFailuresPerClient = maxAuthFailuresPerClient;
    }

    public int getAuthFailureDelay() {
        return authFailureDelay;
    }

    /**
     * How long the answer to a failed AUTH is held back; the delay doubles with each further failure from the same
     * address (at most 30 seconds), so guessing passwords is slow. Default 1000.
     */
    public void setAuthFailureDelay(int authFailureDelay) {
        this.authFailureDelay = authFailureDelay;
    }

    public int getAuthLockoutTime() {
        return authLockoutTime;
    }

    /**
     * How long after its last failure a client address which reached maxAuthFailuresPerClient stays refused;
     * its failures are forgotten after the same time. Default 15 minutes.
     */
    public void setAuthLockoutTime(int authLockoutTime) {
        this.authLockoutTime = authLockoutTime;
    }
}
