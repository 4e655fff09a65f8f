package io.github.camelrelay.springboot.mailqueue;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.camelrelay.springboot.mailqueue.QueueEntry.State;

/**
 * The queue in Postfix's {@code mailq} format: per message its queue id (with {@code *} when active, {@code !} when
 * held, {@code #} when a dead letter), size, arrival and sender, then each pending recipient under the reason of its
 * last attempt; and the total. What the command line and the dev console print.
 */
public final class MailqListing {

    /** A recipient's status line of a delivery report, after the recipient and outcome: relay and reply text. */
    private static final Pattern STATUS = Pattern.compile("dsn=\\S+ relay=(\\S+)(?: tls=\\S+)? \\((.*)\\)");

    private static final DateTimeFormatter ARRIVAL = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss", Locale.ENGLISH);

    private static final int INDENT = 41;

    private MailqListing() {
    }

    /** The listing of the entries, arrival times in the zone; "Mail queue is empty" for none. */
    public static String format(List<QueueEntry> entries, ZoneId zone) {
        String nl = System.lineSeparator();
        if (entries.isEmpty()) {
            return "Mail queue is empty" + nl;
        }
        // the routes keep one entry per destination; Postfix shows one message with all its recipients
        Map<String, List<QueueEntry>> messages = new LinkedHashMap<>();
        for (QueueEntry e : entries) {
            messages.computeIfAbsent(MailQueueOperations.queueId(e), k -> new ArrayList<>()).add(e);
        }
        StringBuilder sb = new StringBuilder("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------").append(nl);
        long octets = 0;
        for (Map.Entry<String, List<QueueEntry>> m : messages.entrySet()) {
            QueueEntry first = m.getValue().get(0);
            long size = Math.max(first.size(), 0);
            octets += size;
            String arrival = first.arrival() == null ? "" : ARRIVAL.format(first.arrival().atZone(zone));
            String sender = first.sender().isEmpty() ? "MAILER-DAEMON" : first.sender();
            sb.append(String.format(Locale.ROOT, "%-11s %8d %20s  %s", m.getKey() + mark(m.getValue()), size, arrival, sender)).append(nl);
            for (QueueEntry e : m.getValue()) {
                for (String r : e.recipients()) {
                    String reason = reason(e.lastReply(), r);
                    if (reason != null) {
                        sb.append(" ".repeat(INDENT)).append('(').append(reason).append(')').append(nl);
                    }
                    sb.append(" ".repeat(INDENT)).append(r).append(nl);
                }
            }
            sb.append(nl);
        }
        int count = messages.size();
        sb.append("-- ").append((octets + 1023) / 1024).append(" Kbytes in ").append(count)
                .append(count == 1 ? " Request." : " Requests.").append(nl);
        return sb.toString();
    }

    /** Postfix's marks: * active, ! held; and # for a dead letter, which Postfix does not have. */
    private static String mark(List<QueueEntry> entries) {
        for (State state : List.of(State.ACTIVE, State.HELD, State.DEAD)) {
            if (entries.stream().anyMatch(e -> e.state() == state)) {
                return switch (state) {
                    case ACTIVE -> "*";
                    case HELD -> "!";
                    default -> "#";
                };
            }
        }
        return "";
    }

    /**
     * The reason the last attempt gave for the recipient: its line of the delivery report, without the outcome
     * word; else the report's first line; null before the first attempt.
     */
    static String reason(String lastReply, String recipient) {
        if (lastReply == null || lastReply.isBlank()) {
            return null;
        }
        String[] lines = lastReply.split("\\R");
        String tag = "<" + recipient + ">";
        for (String line : lines) {
            String l = line.strip();
            if (l.regionMatches(true, 0, tag, 0, tag.length())) {
                String rest = l.substring(tag.length()).strip().replaceFirst("^(DEFERRED|FAILED|DELIVERED) ", "");
                Matcher status = STATUS.matcher(rest);
                if (!status.matches()) {
                    return rest;
                }
                // as Postfix words it: (host mx.example.net[192.0.2.1] said: 451 4.2.1 ...)
                return status.group(1).equals("none") ? status.group(2) : "host " + status.group(1) + " said: " + status.group(2);
            }
        }
        return lines[0].strip();
    }
}
