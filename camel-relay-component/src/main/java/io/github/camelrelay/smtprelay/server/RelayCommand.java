package io.github.camelrelay.smtprelay.server;

import java.io.IOException;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.server.Session;

/**
 * The base of the commands that replace SubEthaSMTP's. SubEthaSMTP picks a command by the first four letters of the
 * line, so the whole verb is checked here ({@code MAILX} is not MAIL); a {@link RejectException} becomes the reply,
 * and an unexpected exception is answered 451 instead of ending the session.
 */
abstract class RelayCommand extends BaseCommand {

    private static final Logger LOG = LoggerFactory.getLogger(RelayCommand.class);

    protected final CommandContext context;

    RelayCommand(String name, String help, CommandContext context) {
        super(name, help);
        this.context = context;
    }

    @Override
    public final void execute(String line, Session session) throws IOException, DropConnectionException {
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        if (!verb.equals(getName())) {
            session.sendResponse("500 5.5.2 Error: command not recognized");
            return;
        }
        try {
            handle(line, session, SmtpConnection.of(session));
        } catch (DropConnectionException e) {
            throw e;
        } catch (RejectException e) {
            session.sendResponse(e.getErrorResponse());
        } catch (RuntimeException e) {
            LOG.warn("{} from {} failed unexpectedly", getName(), session.getRemoteAddress(), e);
            session.sendResponse("451 4.3.0 Internal error, try again later");
        }
    }

    /** Handles a line whose verb is this command's; throws the reply for anything but success. */
    abstract void handle(String line, Session session, SmtpConnection connection) throws IOException, RejectException;

    /** The text after the verb, without the separating space; empty when there is none. */
    static String argument(String line, String verb) {
        return line.length() > verb.length() ? line.substring(verb.length() + 1) : "";
    }
}
