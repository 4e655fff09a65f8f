package io.github.camelrelay.smtprelay.server;

import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * BDAT is refused: SubEthaSMTP's would take a chunk around the line, size and bare CR/LF checks of DATA, and
 * CHUNKING is not advertised.
 */
final class BdatCommand extends RelayCommand {

    BdatCommand(CommandContext context) {
        super("BDAT", "Not supported; use DATA.", context);
    }

    @Override
    void handle(String line, Session session, SmtpConnection connection) throws RejectException {
        throw new RejectException(502, "5.5.1 BDAT is not supported, use DATA");
    }
}
