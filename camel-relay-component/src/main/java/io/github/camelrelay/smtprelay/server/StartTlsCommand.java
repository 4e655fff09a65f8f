package io.github.camelrelay.smtprelay.server;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * STARTTLS (RFC 3207). Replaces SubEthaSMTP's, which looks up the client's host name in DNS for every handshake and
 * leaves the session half-open when the handshake fails. Plaintext pipelined after STARTTLS is discarded with the
 * plaintext input (CVE-2011-0411), and everything learnt before TLS (greeting, AUTH) is forgotten.
 */
final class StartTlsCommand extends RelayCommand {

    private static final Logger LOG = LoggerFactory.getLogger(StartTlsCommand.class);

    StartTlsCommand(CommandContext context) {
        super("STARTTLS", "Start TLS.", context);
    }

    @Override
    void handle(String line, Session session, SmtpConnection connection) throws IOException, RejectException {
        if (!line.strip().equalsIgnoreCase("STARTTLS")) {
            throw new RejectException(501, "5.5.4 Syntax: STARTTLS, expected no parameters");
        }
        if (connection.state().tls()) {
            throw new RejectException(503, "5.5.1 TLS already active");
        }
        if (!context.settings().startTlsOffered()) {
            throw new RejectException(454, "4.7.0 TLS not available");
        }
        session.sendResponse("220 2.0.0 Ready to start TLS");
        int discarded;
        try {
            discarded = connection.startTls(context.settings().sslContext);
        } catch (IOException e) {
            LOG.debug("STARTTLS with {} failed: {}", session.getRemoteAddress(), e.toString());
            session.quit();
            return;
        }
        if (discarded > 0) {
            LOG.info("Discarded {} octets that {} sent in plaintext after STARTTLS (command injection, CVE-2011-0411)",
                    discarded, session.getRemoteAddress());
        }
        // SubEthaSMTP makes its reader and writer anew from the connection's TLS streams
        session.setSocket(connection);
        session.resetSmtpProtocol();
    }
}
