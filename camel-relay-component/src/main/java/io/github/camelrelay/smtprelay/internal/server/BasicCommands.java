package io.github.camelrelay.smtprelay.internal.server;

import java.util.List;

/**
 * The commands without state of their own: RSET, NOOP, QUIT, HELP, and the refused VRFY, EXPN and BDAT. BDAT is
 * refused because CHUNKING is not advertised; DATA is the one way in, with its line, size and line-ending checks.
 */
final class BasicCommands implements SmtpCommand {

    static final List<String> VERBS = List.of("RSET", "NOOP", "QUIT", "HELP", "VRFY", "EXPN", "BDAT");

    @Override
    public void execute(String verb, String line, SmtpSession session) throws RejectException {
        switch (verb) {
            case "RSET" -> {
                session.state().endTransaction();
                session.reply("250 Ok");
            }
            case "NOOP" -> session.reply("250 Ok");
            case "QUIT" -> session.replyAndClose("221 Bye");
            case "HELP" -> session.reply("214-Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP"
                                         + (session.settings().startTlsOffered() ? " STARTTLS" : "")
                                         + (session.settings().authenticator != null ? " AUTH" : "")
                                         + "\r\n214 End of HELP info");
            case "VRFY" -> throw new RejectException(502, "5.5.1 VRFY command is disabled");
            case "EXPN" -> throw new RejectException(502, "5.5.1 EXPN command is disabled");
            case "BDAT" -> throw new RejectException(502, "5.5.1 BDAT is not supported, use DATA");
            default -> throw new IllegalStateException("not a basic command: " + verb);
        }
    }
}
