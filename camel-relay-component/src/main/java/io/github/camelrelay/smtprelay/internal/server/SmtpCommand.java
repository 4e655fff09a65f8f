package io.github.camelrelay.smtprelay.internal.server;

/** One SMTP command (or a family of them): what the session runs for a line whose verb it was registered under. */
interface SmtpCommand {

    /**
     * Handles the line; replies through the session, or throws the refusal, which the session sends as the reply.
     *
     * @param verb the command's verb in upper case
     * @param line the whole command line without CRLF
     */
    void execute(String verb, String line, SmtpSession session) throws RejectException;

    /** The text after the verb, without the separating space; empty when there is none. */
    static String argument(String line, String verb) {
        return line.length() > verb.length() ? line.substring(verb.length() + 1) : "";
    }
}
