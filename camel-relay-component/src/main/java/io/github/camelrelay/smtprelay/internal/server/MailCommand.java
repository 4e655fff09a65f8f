package io.github.camelrelay.smtprelay.internal.server;

import java.util.Locale;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * MAIL FROM: only after EHLO or HELO, one transaction at a time; the sender is a plain address or {@code <>}, SIZE
 * is checked against the limit (RFC 1870) and any parameter not advertised is refused (555); an authenticated user
 * may use only the senders the {@link SenderLoginCheck} allows it (553 5.7.1).
 */
final class MailCommand implements SmtpCommand {

    @Override
    public void execute(String verb, String line, SmtpSession session) throws RejectException {
        SessionState state = session.state();
        if (state.helo() == null) {
            throw new RejectException(503, "5.5.1 Error: send EHLO or HELO first");
        }
        if (state.transaction() != null) {
            throw new RejectException(503, "5.5.1 Error: nested MAIL command");
        }
        PathArgument argument = PathArgument.parse(line, "FROM:", "MAIL FROM:<address>");
        MailAddress sender = RelayPolicy.sender(argument.path());
        if (!argument.parameters().isEmpty() && !state.esmtp()) {
            throw new RejectException(555, "5.5.4 Parameters need EHLO, not HELO");
        }
        for (String parameter : argument.parameters()) {
            checkParameter(parameter, session.settings().maxMessageSize);
        }
        session.settings().senderLoginCheck.envelope(state.authenticatedUser(), sender);
        state.startTransaction(new Transaction(sender));
        session.reply("250 2.1.0 Ok");
    }

    private static void checkParameter(String parameter, long max) throws RejectException {
        int eq = parameter.indexOf('=');
        String key = (eq < 0 ? parameter : parameter.substring(0, eq)).toUpperCase(Locale.ROOT);
        String value = eq < 0 ? null : parameter.substring(eq + 1);
        switch (key) {
            case "SIZE" -> {
                if (value == null || !value.matches("\\d{1,20}")) {
                    throw new RejectException(501, "5.5.4 Syntax: SIZE=octets, expected a number but found '"
                                                   + Replies.printable(parameter) + "'");
                }
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
