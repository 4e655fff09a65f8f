package io.github.camelrelay.smtprelay.internal.server;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/** RCPT TO: each recipient goes through the {@link RelayPolicy} and the recipient limit. */
final class RcptCommand implements SmtpCommand {

    @Override
    public void execute(String verb, String line, SmtpSession session) throws RejectException {
        Transaction transaction = session.state().transaction();
        if (transaction == null) {
            throw new RejectException(503, "5.5.1 Error: need MAIL command");
        }
        ServerSettings settings = session.settings();
        if (transaction.recipientCount() >= settings.maxRecipients) {
            throw new RejectException(452, "4.5.3 Error: too many recipients, at most " + settings.maxRecipients
                                           + " per message");
        }
        PathArgument argument = PathArgument.parse(line, "TO:", "RCPT TO:<address>");
        if (!argument.parameters().isEmpty()) {
            throw new RejectException(555, "5.5.4 Unsupported RCPT parameter '"
                                           + Replies.printable(argument.parameters().get(0)) + "', expected none");
        }
        boolean mayRelay = settings.relayPolicy.mayRelay(session.clientAddress(),
                session.state().authenticatedUser() != null);
        MailAddress recipient = settings.relayPolicy.recipient(argument.path(), mayRelay);
        transaction.addRecipient(recipient);
        session.reply("250 2.1.5 Ok");
    }
}
