package io.github.camelrelay.smtprelay.delivery;

/** A complete server reply: the code and the text of all its lines, without the codes, joined by spaces. */
public record SmtpReply(int code, String text) {

    /** Parses Angus Mail's raw multi-line response ("250-a\n250 b\n"). A missing or garbled reply has code -1. */
    static SmtpReply parse(int code, String raw) {
        if (raw == null) {
            return new SmtpReply(code, "");
        }
        int nl = raw.indexOf('\n');
        if (nl < 0 || nl >= raw.length() - 1) {
            // the usual single-line reply, without the split below
            String t = raw.length() >= 4 && Character.isDigit(raw.charAt(0)) ? raw.substring(4) : raw;
            return new SmtpReply(code, t.strip());
        }
        StringBuilder sb = new StringBuilder();
        for (String line : raw.split("\r?\n")) {
            String t = line.length() >= 4 && Character.isDigit(line.charAt(0)) ? line.substring(4) : line;
            t = t.strip();
            if (!t.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(t);
            }
        }
        return new SmtpReply(code, sb.toString());
    }

    public boolean positive() {
        return code >= 200 && code < 300;
    }

    public boolean transientFailure() {
        return code >= 400 && code < 500;
    }

    @Override
    public String toString() {
        return code + " " + text;
    }
}
