package io.github.camelrelay.smtprelay.internal.server;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import io.github.camelrelay.smtprelay.dsn.DsnRecipient;
import io.github.camelrelay.smtprelay.dsn.Notify;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.recipient.RecipientList;
import io.github.camelrelay.smtprelay.recipient.RecipientValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RCPT TO: each recipient goes through the {@link RelayPolicy} and the recipient limit, and a recipient at a local
 * domain through the {@link RecipientValidator}, if there is one, so unknown users are refused now (550 5.1.1) rather
 * than bounced later to a sender that may be forged. A validator other than the built-in list may block (a directory
 * look-up), so it runs on the listener's executor while the connection reads nothing. NOTIFY and ORCPT (RFC 3461)
 * are validated (501 5.5.4) and kept with the recipient; any other parameter is refused (555).
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
        if (!argument.parameters().isEmpty() && !session.state().esmtp()) {
            throw new RejectException(555, "5.5.4 Parameters need EHLO, not HELO");
        }
        DsnRecipient dsn = dsn(argument);
        boolean mayRelay = settings.relayPolicy.mayRelay(session.clientAddress(),
                session.state().authenticatedUser() != null);
        MailAddress recipient = settings.relayPolicy.recipient(argument.path(), mayRelay);
        if (!recipient.isAscii() && !transaction.smtpUtf8()) {
            throw new RejectException(553, "5.6.7 <" + Replies.printable(recipient.address())
                                           + ">: a UTF-8 address needs SMTPUTF8 on MAIL FROM (RFC 6531)");
        }
        RecipientValidator validator = settings.recipientValidator;
        if (validator == null || !settings.localDomains.contains(recipient.domain())) {
            accept(session, transaction, recipient, dsn);
        } else if (validator instanceof RecipientList list) {
            if (!list.isValid(recipient)) {
                throw unknown(recipient);
            }
            accept(session, transaction, recipient, dsn);
        } else {
            session.offload(() -> validator.isValid(recipient), (valid, failure) -> {
                if (failure != null) {
                    LOG.warn("The recipient validator failed for <{}>: {}", Replies.printable(recipient.address()),
                            failure.toString());
                    session.reply("451 4.3.0 <" + Replies.printable(recipient.address())
                                  + ">: Temporary failure checking the recipient, try again later");
                } else if (Boolean.TRUE.equals(valid)) {
                    accept(session, transaction, recipient, dsn);
                } else {
                    session.reply(unknown(recipient).getErrorResponse());
                }
            });
        }
    }

    /** The NOTIFY and ORCPT parameters, validated. */
    private static DsnRecipient dsn(PathArgument argument) throws RejectException {
        Set<Notify> notify = EnumSet.noneOf(Notify.class);
        String orcpt = null;
        Set<String> seen = new HashSet<>();
        for (String parameter : argument.parameters()) {
            int eq = parameter.indexOf('=');
            String key = (eq < 0 ? parameter : parameter.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? "" : parameter.substring(eq + 1);
            if (!seen.add(key)) {
                throw new RejectException(501, "5.5.4 Syntax: each RCPT parameter once, found " + Replies.printable(key)
                                               + " again");
            }
            try {
                switch (key) {
                    case "NOTIFY" -> notify = Notify.parse(value);
                    case "ORCPT" -> orcpt = DsnRecipient.parseOrcpt(value);
                    default -> throw new RejectException(555, "5.5.4 Unsupported RCPT parameter '"
                                                              + Replies.printable(parameter) + "', expected NOTIFY or ORCPT");
                }
            } catch (IllegalArgumentException e) {
                throw new RejectException(501, "5.5.4 Syntax: " + Replies.printable(e.getMessage()));
            }
        }
        return notify.isEmpty() && orcpt == null ? DsnRecipient.NONE : new DsnRecipient(notify, orcpt);
    }

    private static void accept(SmtpSession session, Transaction transaction, MailAddress recipient, DsnRecipient dsn) {
        transaction.addRecipient(recipient, dsn);
        session.reply("250 2.1.5 Ok");
    }

    private static RejectException unknown(MailAddress recipient) {
        return new RejectException(550, "5.1.1 <" + Replies.printable(recipient.address())
                                        + ">: Recipient address rejected: User unknown in local recipient table");
    }
}
