package io.github.camelrelay.smtprelay.delivery;

/**
 * A session could not be opened or broke: connection refused, timeout, a 4xx/5xx greeting, EHLO, STARTTLS or AUTH
 * failure, or a destination's TLS policy not met. Carries the server's reply when there was one (code 0 when there was none), and the destination.
 */
public class SessionFailure extends Exception {

    private final Destination destination;
    private final int replyCode;
    private final String replyText;
    private final String enhancedStatus;
    private final String tlsPolicy;

    public SessionFailure(Destination destination, int replyCode, String replyText, Throwable cause) {
        this(destination, replyCode, null, replyText, cause);
    }

    /** A failure this client decided on without a reply (code 0), with the enhanced status to report it with. */
    public SessionFailure(Destination destination, int replyCode, String enhancedStatus, String replyText, Throwable cause) {
        this(destination, replyCode, enhancedStatus, replyText, cause, null);
    }

    /** A failure with what the delivery log says of its TLS: {@code dane-fail (no TLSA match)}; null when none. */
    public SessionFailure(Destination destination, int replyCode, String enhancedStatus, String replyText, Throwable cause,
                          String tlsPolicy) {
        super(destination + ": " + (replyCode > 0 ? replyCode + " " : "") + replyText, cause);
        this.destination = destination;
        this.replyCode = replyCode;
        this.replyText = replyText;
        this.enhancedStatus = enhancedStatus;
        this.tlsPolicy = tlsPolicy;
    }

    /** What the delivery log says of the session's TLS, or null when it did not get that far. */
    public String getTlsPolicy() {
        return tlsPolicy;
    }

    public Destination getDestination() {
        return destination;
    }

    public int getReplyCode() {
        return replyCode;
    }

    public String getReplyText() {
        return replyText;
    }

    /** The enhanced status this client chose for a failure without a reply, or null for the usual 4.4.1. */
    public String getEnhancedStatus() {
        return enhancedStatus;
    }
}
