package io.github.camelrelay.smtprelay.internal.server;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.recipient.RecipientList;
import io.github.camelrelay.smtprelay.recipient.RecipientValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RCPT TO: each recipient goes through the {@link RelayPolicy} and the recipient limit, and a recipient at a local
 * domain through the {@link RecipientValidator}, if there is one, so unknown users are refused now (550 5.1.1) rather
 * than bounced later to a sender that may be forged. A validator other than the built-in list may block (a directory
 * look-up), so it runs on the listener's executor while the connection reads nothing.
 */
final class RcptCommand implements SmtpCommand {

    private static final Logger LOG = LoggerFactory.getLogger(RcptCommand.class);

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
        RecipientValidator validator = settings.recipientValidator;
        if (validator == null || !settings.localDomains.contains(recipient.domain())) {
            accept(session, transaction, recipient);
        } else if (validator instanceof RecipientList list) {
            if (!list.isValid(recipient)) {
                throw unknown(recipient);
            }
            accept(session, transaction, recipient);
        } else {
            session.offload(() -> validator.isValid(recipient), (valid, failure) -> {
                if (failure != null) {
                    LOG.warn("The recipient validator failed for <{}>: {}", Replies.printable(recipient.address()),
                            failure.toString());
                    session.reply("451 4.3.0 <" + Replies.printable(recipient.address())
                                  + ">: Temporary failure checking the recipient, try again later");
                } else if (Boolean.TRUE.equals(valid)) {
                    accept(session, transaction, recipient);
                } else {
                    session.reply(unknown(recipient).getErrorResponse());
                }
            });
        }
    }

    private static void accept(SmtpSession session, Transaction transaction, MailAddress recipient) {
        transaction.addRecipient(recipient);
        session.reply("250 2.1.5 Ok");
    }

    private static RejectException unknown(MailAddress recipient) {
        return new RejectException(550, "5.1.1 <" + Replies.printable(recipient.address())
                                        + ">: Recipient address rejected: User unknown in local recipient table");
    }
}
