package io.github.camelrelay.smtprelay.internal.server;

import java.util.List;
import java.util.Locale;


/**
 * The argument of {@code MAIL FROM:} or {@code RCPT TO:}, split into the path between the angle brackets and the
 * ESMTP parameters after it. The closing bracket is found with quoted strings respected, so a {@code >} inside a
 * quoted local part does not end the path early.
 *
 * @param path       the text between the angle brackets, as sent
 * @param parameters the ESMTP parameters, such as {@code SIZE=1000}, as sent
 */
record PathArgument(String path, List<String> parameters) {

    PathArgument {
        parameters = List.copyOf(parameters);
    }

    /**
     * @param commandLine the whole command line, such as {@code MAIL FROM:<a@example.com> SIZE=10}
     * @param keyword     {@code FROM:} or {@code TO:}
     * @param syntax      the expected form, quoted in the 501 reply
     */
    static PathArgument parse(String commandLine, String keyword, String syntax) throws RejectException {
        String rest = commandLine.length() > 5 ? commandLine.substring(5) : "";
        if (commandLine.length() < 5 || commandLine.charAt(4) != ' '
            || !rest.toUpperCase(Locale.ROOT).startsWith(keyword)) {
            throw new RejectException(501, "5.5.4 Syntax: " + syntax + ", expected " + keyword + " but found '"
                                           + Replies.printable(commandLine) + "'");
        }
        rest = rest.substring(keyword.length()).stripLeading();
        if (!rest.startsWith("<")) {
            throw new RejectException(501, "5.5.4 Syntax: " + syntax + ", expected an address in angle brackets but found '"
                                           + Replies.printable(rest) + "'");
        }
        int close = closingBracket(rest);
        if (close < 0) {
            throw new RejectException(501, "5.5.4 Syntax: " + syntax + ", expected a closing '>' but found '"
                                           + Replies.printable(rest) + "'");
        }
        String path = rest.substring(1, close);
        String after = rest.substring(close + 1);
        if (after.isEmpty()) {
            return new PathArgument(path, List.of());
        }
        if (after.charAt(0) != ' ') {
            throw new RejectException(501, "5.5.4 Syntax: " + syntax + ", expected a space before parameters but found '"
                                           + Replies.printable(after) + "'");
        }
        String params = after.strip();
        return new PathArgument(path, params.isEmpty() ? List.of() : List.of(params.split(" +")));
    }

    /** The index of the '>' that ends the path, or -1; '<' inside the path outside quotes is malformed. */
    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '>') {
                return i;
            } else if (c == '<') {
                return -1;
            }
        }
        return -1;
    }
}
