package io.github.camelrelay.smtprelay.shaping;

import java.time.Duration;
import java.util.Locale;

/**
 * A message rate: at most {@code messages} in any window of {@code per}.
 *
 * @param messages the most messages in one window, 1 or more
 * @param per      the window: one second, minute or hour
 */
public record Rate(int messages, Duration per) {

    public Rate {
        if (messages < 1) {
            throw new IllegalArgumentException("Expected a rate of 1 or more messages but found " + messages);
        }
        if (!per.equals(Duration.ofSeconds(1)) && !per.equals(Duration.ofMinutes(1)) && !per.equals(Duration.ofHours(1))) {
            throw new IllegalArgumentException("Expected a rate per second, minute or hour but found one per " + per);
        }
    }

    /** Parses {@code 100/s}, {@code 30/min} or {@code 3600/h} (also {@code sec}, {@code m}, {@code hour}). */
    public static Rate of(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        int slash = t.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("Expected a rate such as 100/s, 30/min or 3600/h but found '" + text + "'");
        }
        int messages;
        try {
            messages = Integer.parseInt(t.substring(0, slash).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Expected a rate such as 100/s, 30/min or 3600/h but found '" + text + "'");
        }
        Duration per = switch (t.substring(slash + 1).strip()) {
            case "s", "sec", "second" -> Duration.ofSeconds(1);
            case "m", "min", "minute" -> Duration.ofMinutes(1);
            case "h", "hour" -> Duration.ofHours(1);
            default -> throw new IllegalArgumentException("Expected a rate per s, min or h but found '" + text + "'");
        };
        return new Rate(messages, per);
    }

    @Override
    public String toString() {
        String unit = per.equals(Duration.ofSeconds(1)) ? "s" : per.equals(Duration.ofMinutes(1)) ? "min" : "h";
        return messages + "/" + unit;
    }
}
