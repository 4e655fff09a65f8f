package io.github.camelrelay.smtprelay.server;

import java.io.IOException;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * RCPT TO. Replaces SubEthaSMTP's, which has no notion of relaying; here each recipient goes through the
 * {@link RelayPolicy} and the recipient limit.
 */
final class RcptCommand extends RelayCommand {

    RcptCommand(CommandContext context) {
        super("RCPT", "Specifies a recipient: RCPT TO:<address>", context);
    }

    @Override
    void handle(String line, Session session, SmtpConnection connection) throws IOException, RejectException {
        if (!session.isMailTransactionInProgress()) {
            throw new RejectException(503, "5.5.1 Error: need MAIL command");
        }
        Transaction transaction = (Transaction) session.getMessageHandler();
        ServerSettings settings = context.settings();
        if (transaction.recipientCount() >= settings.maxRecipients) {
            throw new RejectException(452, "4.5.3 Error: too many recipients, at most " + settings.maxRecipients
                                           + " per message");
        }
        PathArgument argument = PathArgument.parse(line, "TO:", "RCPT TO:<address>");
        if (!argument.parameters().isEmpty()) {
            throw new RejectException(555, "5.5.4 Unsupported RCPT parameter '"
                                           + Replies.printable(argument.parameters().get(0)) + "', expected none");
        }
        SessionState state = connection.state();
        boolean mayRelay = settings.relayPolicy.mayRelay(connection.getInetAddress(), state.authenticatedUser() != null);
        MailAddress recipient = settings.relayPolicy.recipient(argument.path(), mayRelay);
        transaction.addRecipient(recipient);
        session.addRecipient(recipient.address());
        session.sendResponse("250 2.1.5 Ok");
    }
}
