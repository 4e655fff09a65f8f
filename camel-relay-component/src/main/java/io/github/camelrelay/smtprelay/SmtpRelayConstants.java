package io.github.camelrelay.smtprelay;

import org.apache.camel.spi.Metadata;

/** Exchange headers read and written by the smtprelay component. */
public final class SmtpRelayConstants {

    @Metadata(label = "common",
              description = "The envelope sender (MAIL FROM). An empty value, or the null reverse-path written as two angle "
                            + "brackets, is the null sender that bounces use. "
                            + "Producer: when absent, taken from the message's Sender or From header.",
              javaType = "String")
    public static final String ENVELOPE_FROM = "CamelSmtpRelayEnvelopeFrom";

    @Metadata(label = "common",
              description = "The envelope recipients (RCPT TO): a collection or a comma separated list. Producer: when "
                            + "absent, taken from To, Cc and Bcc; after a delivery with deferred recipients it holds "
                            + "only those, so a redelivery retries just them.",
              javaType = "java.util.Collection<String>")
    public static final String RECIPIENTS = "CamelSmtpRelayRecipients";

    @Metadata(label = "common",
              description = "The message's queue id, which names it for good (across retries, redeliveries and "
                            + "restarts): the one the listener gave the client in its queued-as reply, or, for a message "
                            + "submitted to the relay routes' queue without one, its JMS message id. It starts every log "
                            + "line about the message and is in its Received header and bounces; with the "
                            + "settledRepository option, the recipients recorded under it are not sent again and each one "
                            + "accepted is recorded under it. On the queue it is SmtpRelayQueueId. Producer: when absent, "
                            + "the exchange id names the message in the log, and nothing is recorded.",
              javaType = "String")
    public static final String QUEUE_ID = "CamelSmtpRelayQueueId";

    @Metadata(label = "common",
              description = "True when this relay's listener wrote the Received trace header already, so the producer "
                            + "adds none: one Received header per hop.",
              javaType = "Boolean")
    public static final String TRACED = "CamelSmtpRelayTraced";

    @Metadata(label = "producer",
              description = "The outcome per recipient of the last delivery attempt.",
              javaType = "io.github.camelrelay.smtprelay.report.DeliveryReport")
    public static final String REPORT = "CamelSmtpRelayReport";

    @Metadata(label = "consumer", description = "The address and port of the SMTP client.", javaType = "String")
    public static final String CLIENT_ADDRESS = "CamelSmtpRelayClientAddress";

    @Metadata(label = "consumer", description = "The name the client gave in EHLO or HELO: the canonical domain (lower case, A-labels) when it is one, else the name with every character that is not safe in a header or log line (space, control characters, parentheses, semicolons, quotes, backslashes) replaced by ?.", javaType = "String")
    public static final String HELO_NAME = "CamelSmtpRelayHeloName";

    @Metadata(label = "consumer", description = "The user the client authenticated as, absent when it did not. Set "
                                                + "or removed by the listener from the session alone. The relay routes "
                                                + "carry it on the queue as SmtpRelayAuthenticatedUser.",
              javaType = "String")
    public static final String AUTHENTICATED_USER = "CamelSmtpRelayAuthenticatedUser";

    @Metadata(label = "consumer",
              description = "Whether the message is a submission this relay vouches for: true when the client "
                            + "authenticated or its address is in relayNetworks, false when it only sent to a local domain. Always "
                            + "set by the listener from the session alone, never from anything the client sent. The "
                            + "relay routes carry it on the queue as SmtpRelaySubmission and enrich and DKIM-sign only "
                            + "submissions; an entry without it (queued by an application's own route) counts as one.",
              javaType = "Boolean")
    public static final String SUBMISSION = "CamelSmtpRelaySubmission";

    @Metadata(label = "consumer", description = "Whether the session was encrypted (STARTTLS or implicit TLS).",
              javaType = "Boolean")
    public static final String TLS = "CamelSmtpRelayTls";

    @Metadata(label = "advanced",
              description = "Relay routes: delivery attempts made so far; carried on the broker queue.",
              javaType = "Integer")
    public static final String ATTEMPTS = "CamelSmtpRelayAttempts";

    @Metadata(label = "advanced",
              description = "Relay routes: when the message was accepted, in epoch milliseconds; the retry schedule's "
                            + "lifetime and the bounce's Arrival-Date count from it.",
              javaType = "Long")
    public static final String ARRIVAL = "CamelSmtpRelayArrival";

    @Metadata(label = "advanced", description = "Relay routes: the wait before the next attempt, in milliseconds.",
              javaType = "Long")
    public static final String RETRY_DELAY = "CamelSmtpRelayRetryDelay";

    @Metadata(label = "advanced", description = "Relay routes: true once a delay warning was sent to the sender.",
              javaType = "Boolean")
    public static final String WARNED = "CamelSmtpRelayWarned";

    @Metadata(label = "advanced", description = "Relay routes: true once enrichment (Message-ID, Date, DKIM) was done.",
              javaType = "Boolean")
    public static final String ENRICHED = "CamelSmtpRelayEnriched";

    @Metadata(label = "advanced",
              description = "Relay routes: the last delivery report as text, on messages in the dead-letter queue.",
              javaType = "String")
    public static final String REPORT_TEXT = "CamelSmtpRelayReportText";

    private SmtpRelayConstants() {
    }
}
