package io.github.camelrelay.smtprelay.delivery;

import io.github.camelrelay.smtprelay.SmtpRelayConfiguration;

/**
 * The bound on each step of an SMTP conversation, in milliseconds, as Postfix's smtp client has them: connect,
 * greeting, EHLO, STARTTLS, MAIL, RCPT, DATA, the data transfer (progress, not the whole message), the final dot, and
 * one for the commands without their own (AUTH, RSET, QUIT). Immutable.
 */
public record Timeouts(int connect, int greeting, int ehlo, int starttls, int mail, int rcpt, int dataInit, int dataXfer,
        int dataDone, int command) {

    public Timeouts {
        for (int t : new int[] { connect, greeting, ehlo, starttls, mail, rcpt, dataInit, dataXfer, dataDone, command }) {
            if (t < 1) {
                throw new IllegalArgumentException("Expected every timeout to be 1 ms or more but found " + t);
            }
        }
    }

    /** The timeouts an endpoint's options give: commandTimeout caps the command ones, dataTimeout the data ones. */
    public static Timeouts of(SmtpRelayConfiguration c) {
        return new Timeouts(c.getConnectTimeout(), c.effectiveCommandTimeout(c.getGreetingTimeout()),
                c.effectiveCommandTimeout(c.getEhloTimeout()), c.effectiveCommandTimeout(c.getStarttlsTimeout()),
                c.effectiveCommandTimeout(c.getMailTimeout()), c.effectiveCommandTimeout(c.getRcptTimeout()),
                c.effectiveCommandTimeout(c.getDataInitTimeout()), c.effectiveDataTimeout(c.getDataXferTimeout()),
                c.effectiveDataTimeout(c.getDataDoneTimeout()), c.getCommandTimeout());
    }

    /** The smallest of them, which the watchdog's tick must not exceed by much. */
    int shortest() {
        int min = Integer.MAX_VALUE;
        for (int t : new int[] { connect, greeting, ehlo, starttls, mail, rcpt, dataInit, dataXfer, dataDone, command }) {
            min = Math.min(min, t);
        }
        return min;
    }

    /** The timeout for the reply to a command line sent while the session is opened (EHLO, STARTTLS, AUTH). */
    int forCommand(String line) {
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
        return switch (verb) {
            case "EHLO", "HELO" -> ehlo;
            case "STAR" -> starttls;
            case "MAIL" -> mail;
            case "RCPT" -> rcpt;
            case "DATA" -> dataInit;
            default -> command;
        };
    }
}
