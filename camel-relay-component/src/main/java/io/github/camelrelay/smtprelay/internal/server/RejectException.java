package io.github.camelrelay.smtprelay.internal.server;

/**
 * A command is refused: carries the reply the client gets, such as {@code 501 5.5.4 Syntax: ...}. Thrown by the
 * commands and the policy checks and turned into the reply by the session, which goes on.
 */
public class RejectException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * @param code the SMTP reply code
     * @param text the reply text after the code, usually starting with an enhanced status code
     */
    public RejectException(int code, String text) {
        super(text, null, false, false);
        this.code = code;
    }

    public int getCode() {
        return code;
    }

    /** The whole reply line, code and text. */
    public String getErrorResponse() {
        return code + " " + getMessage();
    }
}
