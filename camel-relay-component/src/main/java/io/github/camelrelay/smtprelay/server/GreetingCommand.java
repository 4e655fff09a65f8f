package io.github.camelrelay.smtprelay.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * EHLO and HELO. Replaces SubEthaSMTP's because its EHLO offers AUTH before STARTTLS unless TLS is required for every
 * command, and advertises CHUNKING (BDAT, which would bypass the DATA checks) and SMTPUTF8, which this listener does
 * not support.
 */
final class GreetingCommand extends RelayCommand {

    // written into the Received header, so one printable token and nothing that could break the line
    private static final Pattern NAME = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final boolean esmtp;

    GreetingCommand(boolean esmtp, CommandContext context) {
        super(esmtp ? "EHLO" : "HELO", "Introduce yourself.", context);
        this.esmtp = esmtp;
    }

    @Override
    void handle(String line, Session session, SmtpConnection connection) throws IOException, RejectException {
        String name = argument(line, getName()).strip();
        if (!NAME.matcher(name).matches()) {
            throw new RejectException(501, "5.5.4 Syntax: " + getName()
                                           + " hostname, expected one domain name or address literal but found '"
                                           + Replies.printable(name) + "'");
        }
        session.resetMailTransaction();
        session.setHelo(name);
        SessionState state = connection.state();
        state.greeted(esmtp);
        ServerSettings settings = context.settings();
        if (!esmtp) {
            session.sendResponse("250 " + settings.hostName);
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(settings.hostName + " Hello " + name + " [" + connection.getInetAddress().getHostAddress() + "]");
        lines.add("PIPELINING");
        lines.add("SIZE " + settings.maxMessageSize);
        lines.add("8BITMIME");
        if (settings.startTlsOffered() && !state.tls()) {
            lines.add("STARTTLS");
        }
        if (settings.authOffered(state.tls())) {
            lines.add("AUTH PLAIN LOGIN");
        }
        lines.add("HELP");
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            reply.append(i < lines.size() - 1 ? "250-" : "250 ").append(lines.get(i));
            if (i < lines.size() - 1) {
                reply.append("\r\n");
            }
        }
        session.sendResponse(reply.toString());
    }
}
