package io.github.camelrelay.springboot.mailqueue;

import java.util.List;

/**
 * Told every queue.gauge-refresh what the broker holds: every entry of the delivery and dead-letter queues, one
 * {@link MailQueue#entries() snapshot} shared by all listeners (the queue gauges are one). Beans of this type are
 * called on the refresh thread; a listener that fails does not keep the others from their snapshot.
 */
@FunctionalInterface
public interface QueueSnapshotListener {

    void snapshot(List<QueueEntry> entries);
}
