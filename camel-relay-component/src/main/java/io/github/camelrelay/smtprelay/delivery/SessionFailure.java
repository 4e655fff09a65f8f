package io.github.camelrelay.smtprelay.delivery;

/**
 * A session could not be opened or broke: connection refused, timeout, a 4xx/5xx greeting, EHLO, STARTTLS or AUTH
 * failure. Carries the server's reply when there was one (code 0 when there was none), and the destination.
 */
public class SessionFailure extends Exception {

    private final Destination destination;
    private final int replyCode;
    private final String replyText;

    public SessionFailure(Destination destination, int replyCode, String replyText, Throwable cause) {
        super(destination + ": " + (replyCode > 0 ? replyCode + " " : "") + replyText, cause);
        this.destination = destination;
        this.replyCode = replyCode;
        this.replyText = replyText;
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
}
