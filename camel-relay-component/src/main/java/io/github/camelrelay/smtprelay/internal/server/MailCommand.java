package io.github.camelrelay.smtprelay.internal.server;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import io.github.camelrelay.smtprelay.dsn.DsnRequest;
import io.github.camelrelay.smtprelay.dsn.Ret;
import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * MAIL FROM: only after EHLO or HELO, one transaction at a time; the sender is a plain address or {@code <>}, SIZE
 * is checked against the limit (RFC 1870), RET and ENVID (RFC 3461) are validated (501 5.5.4) and kept for the
 * transaction, REQUIRETLS (RFC 8689) only on a TLS session (530 5.7.10), and any parameter not advertised is refused (555), one given twice too (501); an authenticated user
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
        Transaction transaction = new Transaction(sender);
        Set<String> seen = new HashSet<>();
        for (String parameter : argument.parameters()) {
            checkParameter(parameter, session.settings().maxMessageSize, transaction, seen, state.tls());
        }
        if (!sender.isAscii() && !transaction.smtpUtf8()) {
            throw new RejectException(553, "5.6.7 <" + Replies.printable(sender.address())
                                           + ">: a UTF-8 address needs the SMTPUTF8 parameter (RFC 6531)");
        }
        session.settings().senderLoginCheck.envelope(state.authenticatedUser(), sender);
        state.startTransaction(transaction);
        session.reply("250 2.1.0 Ok");
    }

    private static void checkParameter(String parameter, long max, Transaction transaction, Set<String> seen, boolean tls)
            throws RejectException {
        int eq = parameter.indexOf('=');
        String key = (eq < 0 ? parameter : parameter.substring(0, eq)).toUpperCase(Locale.ROOT);
        String value = eq < 0 ? null : parameter.substring(eq + 1);
        if (!seen.add(key)) {
            throw new RejectException(501, "5.5.4 Syntax: each MAIL parameter once, found " + Replies.printable(key) + " again");
        }
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
                transaction.body(value.toUpperCase(Locale.ROOT));
            }
            case "RET" -> {
                try {
                    transaction.ret(Ret.parse(value == null ? "" : value));
                } catch (IllegalArgumentException e) {
                    throw new RejectException(501, "5.5.4 Syntax: " + Replies.printable(e.getMessage()));
                }
            }
            case "ENVID" -> {
                try {
                    transaction.envid(DsnRequest.parseEnvid(value == null ? "" : value));
                } catch (IllegalArgumentException e) {
                    throw new RejectException(501, "5.5.4 Syntax: ENVID=xtext: " + Replies.printable(e.getMessage()));
                }
            }
            case "SMTPUTF8" -> {
                if (value != null) {
                    throw new RejectException(501, "5.5.4 Syntax: SMTPUTF8 takes no value, found '"
                                                   + Replies.printable(parameter) + "'");
                }
                transaction.smtpUtf8(true);
            }
            case "REQUIRETLS" -> {
                if (value != null) {
                    throw new RejectException(501, "5.5.4 Syntax: REQUIRETLS takes no value, found '"
                                                   + Replies.printable(parameter) + "'");
                }
                if (!tls) {
                    // RFC 8689 2: offered only on a TLS session, since the message's first hop must be one too
                    throw new RejectException(530, "5.7.10 REQUIRETLS needs a TLS session: STARTTLS first");
                }
                transaction.requireTls(true);
            }
            case "AUTH" -> {
                // RFC 4954 5: the sender's identity asserted by a trusted relay; accepted and not used
            }
            default -> throw new RejectException(555, "5.5.4 Unsupported MAIL parameter '" + Replies.printable(parameter)
                                                      + "', expected SIZE, BODY, SMTPUTF8, REQUIRETLS, RET, ENVID or AUTH");
        }
    }
}
