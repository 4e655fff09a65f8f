package io.github.camelrelay.springboot.mailqueue;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.support.console.AbstractDevConsole;

/**
 * The mail queue as a Camel developer console ({@code mailqueue}, group {@code smtprelay}): the same view as
 * {@code /actuator/mailqueue}, as JSON (counts per destination and state, and every entry) or as text (Postfix's
 * mailq listing). Shown by camel-spring-boot's {@code /actuator/camel} endpoint and by Camel JBang's
 * {@code camel get}/{@code camel cmd} when the application has camel-console and the dev console is on.
 */
public final class MailQueueDevConsole extends AbstractDevConsole {

    private final MailQueue queue;
    private final ZoneId zone;

    public MailQueueDevConsole(MailQueue queue, ZoneId zone) {
        super("smtprelay", "mailqueue", "Mail queue", "The relay's delivery, hold and dead-letter queues, entry by entry");
        this.queue = queue;
        this.zone = zone;
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        return MailqListing.format(queue.entries(), zone);
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        List<QueueEntry> all = queue.entries();
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> destinations = new LinkedHashMap<>();
        MailQueue.countsByDestination(all).forEach((d, counts) -> {
            Map<String, Object> byState = new LinkedHashMap<>();
            counts.forEach((state, n) -> byState.put(state.name(), n));
            destinations.put(d, byState);
        });
        root.put("total", all.size());
        root.put("destinations", destinations);
        List<Object> entries = new ArrayList<>();
        for (QueueEntry e : all) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("queueId", MailQueueOperations.queueId(e));
            entry.put("state", e.state().name());
            entry.put("arrival", text(e.arrival()));
            entry.put("size", e.size());
            entry.put("sender", e.sender());
            entry.put("destination", e.destination());
            entry.put("recipients", new ArrayList<Object>(e.recipients()));
            entry.put("attempts", e.attempts());
            entry.put("nextAttempt", text(e.nextAttempt()));
            entry.put("lastReply", e.lastReply());
            entries.add(entry);
        }
        root.put("entries", entries);
        return root;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
