package io.github.camelrelay.smtprelay.internal.server;

/** Helpers for reply text that echoes what a client sent. */
public final class Replies {

    private static final int MAX_ECHO = 300;

    private Replies() {
    }

    /**
     * A token the client chose (a HELO name, a user name) made safe to write into a Received header or a log line:
     * printable ASCII other than space, {@code ( ) ; " \\}, so it can neither end a comment or a clause of the header
     * nor fake one; anything else becomes '?', and it is cut to 255 characters.
     */
    public static String token(String text) {
        if (text == null || text.isEmpty()) {
            return "?";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 255));
        for (int i = 0; i < text.length() && i < 255; i++) {
            char c = text.charAt(i);
            boolean safe = c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != ';' && c != '"' && c != '\\';
            sb.append(safe ? c : '?');
        }
        return sb.toString();
    }

    /**
     * Client text made safe to put in a reply or a log line: printable ASCII only (anything else becomes '?'), cut to
     * a few hundred characters.
     */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_ECHO + 3));
        for (int i = 0; i < text.length() && i < MAX_ECHO; i++) {
            char c = text.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (text.length() > MAX_ECHO) {
            sb.append("...");
        }
        return sb.toString();
    }
}
