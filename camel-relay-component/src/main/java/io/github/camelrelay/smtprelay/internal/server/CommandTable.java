package io.github.camelrelay.smtprelay.internal.server;

import java.util.HashMap;
import java.util.Map;

/** The commands the listener knows, by verb; a verb not here is answered 500 by the session. */
final class CommandTable {

    private final Map<String, SmtpCommand> commands = new HashMap<>();

    CommandTable() {
        GreetingCommand greeting = new GreetingCommand();
        commands.put("EHLO", greeting);
        commands.put("HELO", greeting);
        commands.put("STARTTLS", new StartTlsCommand());
        commands.put("AUTH", new AuthCommand());
        commands.put("MAIL", new MailCommand());
        commands.put("RCPT", new RcptCommand());
        commands.put("DATA", new DataCommand());
        BasicCommands basic = new BasicCommands();
        for (String verb : BasicCommands.VERBS) {
            commands.put(verb, basic);
        }
    }

    /** The command for an upper-case verb, or null. */
    SmtpCommand get(String verb) {
        return commands.get(verb);
    }
}
