package io.github.camelrelay.smtprelay.internal.server;

/** A refusal after which the session ends: the reply (a 421) is sent and the connection closed. */
final class CloseConnectionException extends RejectException {

    private static final long serialVersionUID = 1L;

    CloseConnectionException(int code, String text) {
        super(code, text);
    }
}
