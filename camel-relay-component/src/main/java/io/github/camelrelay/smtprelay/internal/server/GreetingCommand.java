package io.github.camelrelay.smtprelay.internal.server;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * EHLO and HELO. EHLO offers STARTTLS before TLS and AUTH only where it may be used (after TLS unless
 * allowAuthWithoutTls); DSN (RFC 3461), SMTPUTF8 (RFC 6531) and, on a TLS session, REQUIRETLS (RFC 8689), whose
 * parameters travel with the message; CHUNKING is not advertised, as this listener does not take BDAT.
 */
final class GreetingCommand implements SmtpCommand {

    // written into the Received header, so one printable token and nothing that could break the line
    private static final Pattern NAME = Pattern.compile("[\\x21-\\x7e]{1,255}");

    @Override
    public void execute(String verb, String line, SmtpSession session) throws RejectException {
        String name = SmtpCommand.argument(line, verb).strip();
        if (!NAME.matcher(name).matches()) {
            throw new RejectException(501, "5.5.4 Syntax: " + verb
                                           + " hostname, expected one domain name or address literal but found '"
                                           + Replies.printable(name) + "'");
        }
        boolean esmtp = verb.equals("EHLO");
        SessionState state = session.state();
        state.greeted(name, esmtp);
        ServerSettings settings = session.settings();
        if (!esmtp) {
            session.reply("250 " + settings.hostName);
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(settings.hostName + " Hello " + name + " [" + session.clientAddress().getHostAddress() + "]");
        lines.add("PIPELINING");
        lines.add("SIZE " + settings.maxMessageSize);
        lines.add("8BITMIME");
        lines.add("DSN");
        lines.add("SMTPUTF8");
        if (state.tls()) {
            // RFC 8689 2: a message can ask for TLS all the way only when its first hop had it
            lines.add("REQUIRETLS");
        }
        if (settings.startTlsOffered() && !state.tls()) {
            lines.add("STARTTLS");
        }
        if (settings.authOffered(state.tls())) {
            lines.add("AUTH PLAIN LOGIN");
        }
        lines.add("HELP");
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            boolean last = i == lines.size() - 1;
            reply.append(last ? "250 " : "250-").append(lines.get(i));
            if (!last) {
                reply.append("\r\n");
            }
        }
        session.reply(reply.toString());
    }
}
