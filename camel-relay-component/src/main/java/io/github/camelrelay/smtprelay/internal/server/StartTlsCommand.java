package io.github.camelrelay.smtprelay.internal.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STARTTLS (RFC 3207). Plaintext pipelined after STARTTLS is discarded (CVE-2011-0411), and everything learnt before
 * TLS (greeting, transaction, AUTH) is forgotten.
 */
final class StartTlsCommand implements SmtpCommand {

    private static final Logger LOG = LoggerFactory.getLogger(StartTlsCommand.class);

    @Override
    public void execute(String verb, String line, SmtpSession session) throws RejectException {
        if (!line.strip().equalsIgnoreCase("STARTTLS")) {
            throw new RejectException(501, "5.5.4 Syntax: STARTTLS, expected no parameters");
        }
        if (session.state().tls()) {
            throw new RejectException(503, "5.5.1 TLS already active");
        }
        if (!session.settings().startTlsOffered()) {
            throw new RejectException(454, "4.7.0 TLS not available");
        }
        session.reply("220 2.0.0 Ready to start TLS");
        session.state().forgetForTls();
        int discarded = session.io().startTls();
        if (discarded > 0) {
            LOG.info("Discarded {} octets that {} sent in plaintext after STARTTLS (command injection, CVE-2011-0411)",
                    discarded, session.clientAddress().getHostAddress());
        }
    }
}
