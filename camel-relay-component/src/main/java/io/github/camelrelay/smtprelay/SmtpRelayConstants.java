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

    @Metadata(label = "common",
              description = "DSN (RFC 3461) NOTIFY for every recipient without its own: NEVER, or a comma separated list "
                            + "of SUCCESS, FAILURE and DELAY. Producer: passed on as RCPT TO's NOTIFY to servers that "
                            + "offer DSN. Relay routes: NEVER sends the sender no notification, one without FAILURE no "
                            + "bounce, one without DELAY no delay warning, SUCCESS a relayed notice when the next hop "
                            + "does not offer DSN. Absent: failures and delays are reported (RFC 3461 4.1).",
              javaType = "String")
    public static final String DSN_NOTIFY = "CamelSmtpRelayDsnNotify";

    @Metadata(label = "common",
              description = "DSN (RFC 3461) RET: FULL or HDRS, whether a failure notification returns the whole message "
                            + "or its header section. Consumer: the client's MAIL FROM RET. Producer: passed on to servers "
                            + "that offer DSN. Relay routes: FULL returns the whole message in the bounce; HDRS or "
                            + "absent, the headers only.",
              javaType = "String")
    public static final String DSN_RET = "CamelSmtpRelayDsnRet";

    @Metadata(label = "common",
              description = "DSN (RFC 3461) ENVID, decoded from xtext: the sender's own identifier for the message, "
                            + "printable ASCII. Consumer: the client's MAIL FROM ENVID. Producer: passed on to servers "
                            + "that offer DSN. Relay routes: the Original-Envelope-Id of every notification.",
              javaType = "String")
    public static final String DSN_ENVID = "CamelSmtpRelayDsnEnvid";

    @Metadata(label = "common",
              description = "DSN (RFC 3461) per recipient, as the listener received it: a JSON object from address to "
                            + "{\"notify\": \"SUCCESS,FAILURE\", \"orcpt\": \"rfc822;bob@example.net\"} (ORCPT decoded "
                            + "from xtext), for the recipients that gave NOTIFY or ORCPT. A recipient's own NOTIFY wins "
                            + "over CamelSmtpRelayDsnNotify; its ORCPT is passed on and is the Original-Recipient of "
                            + "notifications.",
              javaType = "String")
    public static final String DSN_RECIPIENTS = "CamelSmtpRelayDsnRecipients";

    @Metadata(label = "common",
              description = "BODY of MAIL FROM (RFC 6152): 7BIT or 8BITMIME, as the client declared it. Producer: "
                            + "8BITMIME makes it send BODY=8BITMIME to a server offering 8BITMIME even when the message "
                            + "holds no 8-bit octet; a message with 8-bit octets is sent so anyway, and converted to 7-bit "
                            + "for a server without 8BITMIME.",
              javaType = "String")
    public static final String BODY = "CamelSmtpRelayBody";

    @Metadata(label = "common",
              description = "True when the client declared SMTPUTF8 on MAIL FROM (RFC 6531): the message may have UTF-8 "
                            + "addresses and header fields. Producer: sent as SMTPUTF8 to servers that offer it; to one "
                            + "that does not, a message with UTF-8 in its header section fails with 5.6.7 (no downgrade). "
                            + "A UTF-8 address needs SMTPUTF8 whatever this header says.",
              javaType = "Boolean")
    public static final String SMTPUTF8 = "CamelSmtpRelaySmtpUtf8";

    @Metadata(label = "common",
              description = "True when the client declared REQUIRETLS on MAIL FROM (RFC 8689), which the listener accepts "
                            + "only on a TLS session: the message may be relayed only over TLS verified by DANE, MTA-STS "
                            + "or VERIFY, to servers that offer REQUIRETLS, else its recipients fail with 5.7.30.",
              javaType = "Boolean")
    public static final String REQUIRE_TLS = "CamelSmtpRelayRequireTls";

    private SmtpRelayConstants() {
    }
}
