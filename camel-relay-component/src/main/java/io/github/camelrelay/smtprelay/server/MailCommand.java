package io.github.camelrelay.smtprelay.server;

import java.io.IOException;
import java.util.Locale;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * MAIL FROM. Replaces SubEthaSMTP's, which accepts MAIL before EHLO, ignores unknown parameters and parses the
 * address with JavaMail's lenient rules; here the sender is a plain address or {@code <>}, SIZE is checked against
 * the limit (RFC 1870) and any parameter not advertised is refused (555).
 */
final class MailCommand extends RelayCommand {

    MailCommand(CommandContext context) {
        super("MAIL", "Specifies the sender: MAIL FROM:<address> [SIZE=n] [BODY=7BIT|8BITMIME]", context);
    }

    @Override
    void handle(String line, Session session, SmtpConnection connection) throws IOException, RejectException {
        if (session.getHelo().isEmpty()) {
            throw new RejectException(503, "5.5.1 Error: send EHLO or HELO first");
        }
        if (session.isMailTransactionInProgress()) {
            throw new RejectException(503, "5.5.1 Error: nested MAIL command");
        }
        PathArgument argument = PathArgument.parse(line, "FROM:", "MAIL FROM:<address>");
        MailAddress sender = RelayPolicy.sender(argument.path());
        if (!argument.parameters().isEmpty() && !connection.state().esmtp()) {
            throw new RejectException(555, "5.5.4 Parameters need EHLO, not HELO");
        }
        for (String parameter : argument.parameters()) {
            checkParameter(parameter);
        }
        session.startMailTransaction();
        ((Transaction) session.getMessageHandler()).sender(sender);
        session.sendResponse("250 2.1.0 Ok");
    }

    private void checkParameter(String parameter) throws RejectException {
        int eq = parameter.indexOf('=');
        String key = (eq < 0 ? parameter : parameter.substring(0, eq)).toUpperCase(Locale.ROOT);
        String value = eq < 0 ? null : parameter.substring(eq + 1);
        switch (key) {
            case "SIZE" -> {
                if (value == null || !value.matches("\\d{1,20}")) {
                    throw new RejectException(501, "5.5.4 Syntax: SIZE=octets, expected a number but found '"
                                                   + Replies.printable(parameter) + "'");
                }
                long max = context.settings().maxMessageSize;
                if (value.length() > 18 || Long.parseLong(value) > max) {
                    throw new RejectException(552, "5.3.4 Message size exceeds fixed maximum message size of " + max
                                                   + " octets");
                }
            }
            case "BODY" -> {
                if (value == null || !(value.equalsIgnoreCase("7BIT") || value.equalsIgnoreCase("8BITMIME"))) {
                    throw new RejectException(501, "5.5.4 Syntax: BODY=7BIT or BODY=8BITMIME, found '"
                                                   + Replies.printable(parameter) + "'");
                }
            }
            case "AUTH" -> {
                // RFC 4954 5: the sender's identity asserted by a trusted relay; accepted and not used
            }
            default -> throw new RejectException(555, "5.5.4 Unsupported MAIL parameter '" + Replies.printable(parameter)
                                                      + "', expected SIZE, BODY or AUTH");
        }
    }
}
