package io.github.camelrelay.smtprelay.relay;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.camelrelay.smtprelay.delivery.MessageContent;
import org.apache.camel.Exchange;
import org.apache.camel.spi.BrowsableEndpoint;

/**
 * Recognises a client's resend of a message the relay had already queued when it crashed. A SIGKILL keeps what the
 * broker's journal had written, so a message can be on the queue although its client never read the 250 (RFC 1047's
 * window, as wide as the journal's sync): the client sends it again after the restart. Each queued message's digest
 * of its envelope and content travels on the queue and, where a resend record is configured, is appended to it once
 * the broker's send returned, before the 250 (a clean stop appends a marker: its clients all had their 250). On
 * start, before the listener or the deliveries run, the digests the record has from just before a crash (after its
 * last marker, within {@link #IN_FLIGHT} of its newest line), and those of the entries on the queue (a bounded
 * browse, oldest first), are taken; for the window after the start a submission with one of them is answered 250 without being
 * queued a second time, once per digest taken. The record finds the newest messages however long the queue is,
 * which the browse does not. A digest missed only lets the duplicate through, as before. It never drops a message
 * that was not queued, provided the enqueue returns only once the broker has the message on disk (a persistent,
 * blocking send to a journal that syncs: the relay routes' and the starter's default).
 */
final class ResendGuard {

    private static final byte[] RECEIVED = "received:".getBytes(StandardCharsets.US_ASCII);

    /**
     * How long before a crash a message may have been queued with its 250 still unread: the journal's sync and one
     * reply, milliseconds, with room for a stalled JVM. Older lines are not taken, so a later message identical to
     * one of them is queued as the new message it is.
     */
    static final Duration IN_FLIGHT = Duration.ofSeconds(10);
    private static final String STOP = "stop";

    private final Duration window;
    private final Clock clock;
    /** Digest to the queue id of the entry recovered with it. */
    private final Map<String, String> recovered = new ConcurrentHashMap<>();
    private volatile Instant until = Instant.MIN;

    ResendGuard(Duration window, Clock clock) {
        this.window = window;
        this.clock = clock;
    }

    boolean enabled() {
        return !window.isZero() && !window.isNegative();
    }

    /** The guard watches submissions for the window from now: called on start, before the listener runs. */
    void started() {
        until = clock.instant().plus(window);
    }

    /**
     * Writes the digest of a message the broker now has into the record: {@code <epoch second> <digest> <queue id>}.
     * Only what this instance queued before its next start is ever read back ({@link #load}).
     */
    void remember(SettledFileRepository record, String digest, String queueId) {
        record.add(clock.instant().getEpochSecond() + " " + digest + " " + queueId);
    }

    /**
     * A clean stop: every client of a message in the record got its 250, so the next start takes nothing written
     * before this line ({@code <epoch second> stop <nanos>}, unique so the record keeps each one).
     */
    void stopped(SettledFileRepository record) {
        record.add(clock.instant().getEpochSecond() + " " + STOP + " " + System.nanoTime());
    }

    /**
     * On start, before the listener runs: the digests written after the record's last clean stop, in the last
     * {@link #IN_FLIGHT} before its newest line (a crash leaves unanswered only what was queued just before it) and
     * in the window before now, each to be matched by one resend at most. Returns how many were taken.
     */
    int load(SettledFileRepository record) {
        long now = clock.instant().getEpochSecond();
        List<String[]> sinceStop = new ArrayList<>();
        long newest = Long.MIN_VALUE;
        for (String line : record.keys()) {
            String[] parts = line.split(" ", 3);
            if (parts.length != 3 || !isEpochSecond(parts[0])) {
                continue;
            }
            if (STOP.equals(parts[1])) {
                sinceStop.clear();
                newest = Long.MIN_VALUE;
            } else {
                sinceStop.add(parts);
                newest = Math.max(newest, Long.parseLong(parts[0]));
            }
        }
        long from = Math.max(now - window.toSeconds(), newest - IN_FLIGHT.toSeconds());
        int taken = 0;
        for (String[] parts : sinceStop) {
            long at = Long.parseLong(parts[0]);
            if (at >= from && at <= now) {
                recovered.put(parts[1], parts[2]);
                taken++;
            }
        }
        return taken;
    }

    private static boolean isEpochSecond(String s) {
        return !s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * Reads the digests of the entries waiting on the queue (up to the limit, oldest first; those due now: a fresh submission is; a retry waiting
     * for its time is not browsed, and no client resends it). Returns how many were found.
     */
    int recover(BrowsableEndpoint queue, String digestProperty, String queueIdProperty, int limit) {
        java.util.function.Predicate<Exchange> withDigest = e -> e.getMessage().getHeader(digestProperty) != null;
        @SuppressWarnings({ "unchecked", "rawtypes" })
        List<Exchange> entries = queue.getExchanges(limit, (java.util.function.Predicate) withDigest);
        for (Exchange e : entries) {
            String digest = e.getMessage().getHeader(digestProperty, String.class);
            if (digest != null) {
                String id = e.getMessage().getHeader(queueIdProperty, String.class);
                recovered.put(digest, id != null ? id : String.valueOf(e.getMessage().getHeader("JMSMessageID")));
            }
        }
        return recovered.size();
    }

    /** The queue id of the recovered entry this submission repeats, or null. */
    String originalOf(String digest) {
        if (recovered.isEmpty()) {
            return null;
        }
        if (clock.instant().isAfter(until)) {
            recovered.clear();
            return null;
        }
        return recovered.remove(digest);
    }

    /**
     * SHA-256 over the envelope (sender, the recipients sorted) and the content, without a leading Received field,
     * which the listener writes anew, with its own id and time, for each copy it receives.
     */
    static String digest(Exchange exchange, String sender, Collection<String> recipients) throws Exception {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Expected SHA-256 in every JVM but found none", e);
        }
        sha.update((sender == null ? "" : sender).getBytes(StandardCharsets.UTF_8));
        List<String> sorted = new ArrayList<>(recipients);
        sorted.sort(null);
        for (String r : sorted) {
            sha.update((byte) 0);
            sha.update(r.getBytes(StandardCharsets.UTF_8));
        }
        sha.update((byte) 0);
        try (InputStream in = new BufferedInputStream(MessageContent.of(exchange).open())) {
            skipReceived(in);
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0;) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Skips the first header field when it is a Received field, with its folded lines. */
    private static void skipReceived(InputStream in) throws IOException {
        in.mark(RECEIVED.length);
        for (byte b : RECEIVED) {
            int c = in.read();
            if (c < 0 || Character.toLowerCase((char) c) != b) {
                in.reset();
                return;
            }
        }
        while (true) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            if (c == '\n') {
                in.mark(1);
                int next = in.read();
                if (next != ' ' && next != '\t') {
                    in.reset();
                    return;
                }
            }
        }
    }
}
