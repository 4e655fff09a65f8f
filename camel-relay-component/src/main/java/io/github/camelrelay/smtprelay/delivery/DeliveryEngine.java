package io.github.camelrelay.smtprelay.delivery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import io.github.camelrelay.smtprelay.IpVersion;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.dns.MxHost;
import io.github.camelrelay.smtprelay.dns.MxResolution;
import io.github.camelrelay.smtprelay.dns.MxResolver;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.shaping.ShapingRule;
import io.github.camelrelay.smtprelay.shaping.TrafficShaper;
import jakarta.mail.MessagingException;

/**
 * Delivers one message to all its recipients, RFC 5321 section 5.1 style: recipients grouped by domain (or all to
 * the relay host), the MX addresses tried in order until one takes the transaction, one transaction per group and
 * batch, and a status per recipient. Thread-safe; shared by all producers of an endpoint.
 */
public final class DeliveryEngine implements AutoCloseable {

    private final MxResolver resolver;
    private final String relayHost;
    private final int relayPort;
    private final int mxPort;
    private final IpVersion ipVersion;
    private final int maxAddresses;
    private final int batchSize;
    private final ConnectionPool pool;
    private final SmtpRelayListener listener;
    private final TrafficShaper shaper;
    private final java.time.Duration shapingWait;

    private final OwnAddresses own;
    private final TlsPlanner tls;
    private final io.github.camelrelay.smtprelay.tlspolicy.MtaStsPolicies mtaSts;

    private DeliveryEngine(Builder b) {
        SessionSettings settings = Objects.requireNonNull(b.settings, "settings");
        this.shaper = b.shaper == null || b.shaper.shaping().isEmpty() ? null : b.shaper;
        // waiting for a shaped destination's slot is bounded like waiting for its connection
        this.shapingWait = java.time.Duration.ofMillis(settings.timeouts.connect());
        this.resolver = b.resolver;
        this.relayHost = b.relayHost;
        this.relayPort = b.relayPort;
        this.mxPort = b.mxPort;
        this.ipVersion = b.ipVersion;
        this.maxAddresses = b.maxAddresses;
        this.batchSize = b.batchSize;
        this.listener = settings.listener;
        this.own = b.own;
        this.mtaSts = b.mtaSts;
        this.tls = new TlsPlanner(settings.tls, b.tlsPolicies, b.tlsa, b.mtaSts, settings.listener);
        this.pool = new ConnectionPool(settings, b.maxPerHost, b.maxTotal, b.idleTimeoutMillis, b.maxMessagesPerConnection,
                settings.commandTimeout);
    }

    /** An engine: the MX resolver for MX mode or the relay host for relay mode, and the session settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Delivers to every recipient of the message and says what happened to each. Never throws for delivery failures. */
    public DeliveryReport deliver(OutgoingMail mail) {
        return deliver(mail, null);
    }

    /**
     * Delivers as {@link #deliver(OutgoingMail)} and tells {@code decided} each recipient's status as soon as it is
     * known (for a delivered one: right after the server's reply to the final dot), so that it can be recorded before
     * anything else can fail.
     */
    public DeliveryReport deliver(OutgoingMail mail, Consumer<RecipientStatus> decided) {
        Map<MailAddress, RecipientStatus> result = new Decisions(decided);
        Forms forms = new Forms(mail);
        for (MailAddress r : mail.recipients()) {
            result.put(r, null);
        }
        if (relayHost != null) {
            ShapingRule rule = shaper == null ? null : relayRule();
            deliverToRoute(mail, forms, tls.relay(relayHost, relayPort, relayDestinations(mail, result), mail.tls()), mail.recipients(),
                    result, rule);
        } else {
            Map<Domain, List<MailAddress>> byDomain = new LinkedHashMap<>();
            for (MailAddress r : mail.recipients()) {
                byDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(r);
            }
            for (Map.Entry<Domain, List<MailAddress>> e : byDomain.entrySet()) {
                MxResolution resolution = resolver.resolve(e.getKey());
                if (resolution.status() != MxResolution.Status.OK) {
                    Outcome outcome = resolution.status().isTemporary() ? Outcome.DEFERRED : Outcome.FAILED;
                    for (MailAddress r : e.getValue()) {
                        decide(mail, result, RecipientStatus.local(r, outcome, resolution.status().enhancedStatus(), resolution.detail()));
                    }
                    continue;
                }
                List<MxHost> hosts = withoutMyself(resolution.hosts());
                if (hosts.isEmpty()) {
                    // Postfix's words and status: the best MX host is this relay, which would only hand it back
                    for (MailAddress r : e.getValue()) {
                        decide(mail, result, RecipientStatus.local(r, Outcome.FAILED, LOOPS_BACK,
                                "mail for " + e.getKey().name() + " loops back to myself"));
                    }
                    continue;
                }
                List<String> hostNames = hosts.stream().map(MxHost::name).toList();
                if (listener != null) {
                    listener.mxResolved(e.getKey(), hostNames);
                }
                Iterable<TlsPlanner.Candidate> candidates = tls.mx(e.getKey(), resolution, hosts, mxPort, mail.tls());
                ShapingRule rule = shaper == null ? null : shaper.ruleFor(e.getKey(), hostNames);
                deliverToRoute(mail, forms, candidates, e.getValue(), result, rule);
            }
        }
        return DeliveryReport.of(new ArrayList<>(result.values()));
    }

    /** The enhanced status of recipients whose domain's best MX host is this relay: 5.4.6, routing loop detected. */
    public static final String LOOPS_BACK = "5.4.6";

    /**
     * The MX hosts more preferred than the first one at an address of this relay, as Postfix has them: this relay
     * as a backup MX hands mail only to better ones, and as the best (or one of the best) it has nowhere to send it.
     */
    private List<MxHost> withoutMyself(List<MxHost> hosts) {
        for (MxHost h : hosts) {
            for (InetAddress a : h.addresses()) {
                if (own.contains(a, mxPort)) {
                    return hosts.stream().filter(x -> x.preference() < h.preference()).toList();
                }
            }
        }
        return hosts;
    }

    private List<Destination> relayDestinations(OutgoingMail mail, Map<MailAddress, RecipientStatus> result) {
        List<Destination> list = new ArrayList<>();
        try {
            // the system resolver (with the JVM's cache) knows relay hosts from /etc/hosts and internal DNS
            for (InetAddress a : InetAddress.getAllByName(relayHost)) {
                boolean v4 = a.getAddress().length == 4;
                if (ipVersion == IpVersion.ANY || (ipVersion == IpVersion.IPV4) == v4) {
                    list.add(new Destination(relayHost, InetAddress.getByAddress(relayHost, a.getAddress()), relayPort));
                }
            }
            if (ipVersion == IpVersion.ANY) {
                list.sort((x, y) -> Integer.compare(x.address().getAddress().length, y.address().getAddress().length));
            }
        } catch (UnknownHostException e) {
            for (MailAddress r : mail.recipients()) {
                decide(mail, result, RecipientStatus.local(r, Outcome.DEFERRED, "4.4.3",
                        "relay host " + relayHost + " not found: " + e.getMessage()));
            }
            return List.of();
        }
        return list.size() > maxAddresses ? list.subList(0, maxAddresses) : list;
    }

    /** The rule for the relay host, named as a domain and as its own MX host; null when it has none. */
    private ShapingRule relayRule() {
        try {
            return shaper.ruleFor(Domain.of(relayHost), List.of(relayHost));
        } catch (IllegalArgumentException e) {
            // an address literal matches no selector
            return null;
        }
    }

    private void deliverToRoute(OutgoingMail mail, Forms forms, Iterable<TlsPlanner.Candidate> candidates,
                                List<MailAddress> recipients, Map<MailAddress, RecipientStatus> result, ShapingRule rule) {
        Deque<MailAddress> pending = new ArrayDeque<>();
        for (MailAddress r : recipients) {
            if (result.get(r) == null) {
                pending.add(r);
            }
        }
        if (pending.isEmpty() || !candidates.iterator().hasNext()) {
            deliverToRoute(mail, forms, candidates, pending, result, rule, TrafficShaper.UNSHAPED);
            return;
        }
        TrafficShaper.Slot slot;
        try {
            slot = shaper == null ? TrafficShaper.UNSHAPED : shaper.acquire(rule, shapingWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            slot = null;
        }
        if (slot == null) {
            for (MailAddress r : pending) {
                decide(mail, result, RecipientStatus.local(r, Outcome.DEFERRED, SHAPED,
                        "traffic shaping (" + rule + "): no connection or message slot free within "
                        + shapingWait.toSeconds() + " s"));
            }
            return;
        }
        try {
            deliverToRoute(mail, forms, candidates, pending, result, rule, slot);
        } finally {
            slot.close();
        }
    }

    /**
     * The enhanced status of recipients deferred because their destination's traffic-shaping limits left no slot:
     * 4.4.5, congestion, as RFC 3463 has it; the queue manager does not take it for an unreachable destination.
     */
    public static final String SHAPED = "4.4.5";

    private void deliverToRoute(OutgoingMail mail, Forms forms, Iterable<TlsPlanner.Candidate> candidates,
                                Deque<MailAddress> pending, Map<MailAddress, RecipientStatus> result, ShapingRule rule,
                                TrafficShaper.Slot slot) {
        SessionFailure last = null;
        // a REQUIRETLS message no host could take under its terms fails; one a host was merely down for waits
        boolean requireTlsUnmet = mail.tls() == TlsDemand.REQUIRETLS;
        // pending first: the next host's policy is worked out (TLSA, MTA-STS) only when it is needed
        for (java.util.Iterator<TlsPlanner.Candidate> it = candidates.iterator(); !pending.isEmpty() && it.hasNext(); ) {
            if (last != null && !unmetRequireTls(last)) {
                requireTlsUnmet = false;
            }
            TlsPlanner.Candidate c = it.next();
            if (c.refusal() != null) {
                // kept out by its TLS policy: as a host that could not be reached, the next one is tried
                DeliveryLog.connectFailed(mail, c.refusal());
                last = c.refusal();
                continue;
            }
            Destination d = c.destination();
            SmtpSession session;
            try {
                session = pool.borrow(d, c.tls());
            } catch (SessionFailure f) {
                DeliveryLog.connectFailed(mail, f);
                last = f;
                continue;
            }
            SessionFailure broken = transactions(mail, forms, session, pending, result);
            if (broken != null && broken.getReplyCode() == 0 && session.messages() > 0 && !session.mailReplied()
                && !TlsPlanner.REQUIRETLS_UNMET.equals(broken.getEnhancedStatus())) {
                // a pooled connection the server had closed meanwhile, before it answered MAIL FROM (so nothing of
                // this transaction can have reached it): one fresh connection before moving on
                pool.release(session, false);
                try {
                    session = pool.borrow(d, c.tls());
                    broken = transactions(mail, forms, session, pending, result);
                } catch (SessionFailure f) {
                    broken = f;
                    DeliveryLog.connectFailed(mail, f);
                    last = f;
                    continue;
                }
            }
            // a shaped destination's connection ends after its rule's messages, whatever the endpoint allows
            boolean spent = rule != null && rule.maxMessagesPerConnection() > 0 && session.messages() >= rule.maxMessagesPerConnection();
            pool.release(session, broken == null && !spent);
            if (broken != null) {
                DeliveryLog.connectFailed(mail, broken);
                last = broken;
            }
        }
        if (last != null && !unmetRequireTls(last)) {
            requireTlsUnmet = false;
        }
        for (MailAddress r : pending) {
            decide(mail, result, requireTlsUnmet && last != null ? requireTlsFailed(r, last) : deferredAfter(r, last));
        }
    }

    /** Whether the failure is one of a REQUIRETLS message's terms: a TLS policy not met, or no REQUIRETLS offered. */
    private static boolean unmetRequireTls(SessionFailure f) {
        return TlsPlanner.REQUIRETLS_UNMET.equals(f.getEnhancedStatus()) || SmtpSession.TLS_POLICY_FAILED.equals(f.getEnhancedStatus());
    }

    /** RFC 8689 4.2.1: not relayed, returned to the sender with 5.7.30 and what the last host lacked. */
    private static RecipientStatus requireTlsFailed(MailAddress r, SessionFailure last) {
        Destination d = last.getDestination();
        String text = last.getReplyCode() > 0 ? last.getReplyCode() + " " + last.getReplyText() : last.getReplyText();
        return new RecipientStatus(r, Outcome.FAILED, 0, TlsPlanner.REQUIRETLS_UNMET, "REQUIRETLS support required: "
                + (text.startsWith("REQUIRETLS: ") ? text.substring("REQUIRETLS: ".length()) : text), d.host(), d.ip(), d.port(),
                false, false, last.getTlsPolicy());
    }

    private static RecipientStatus deferredAfter(MailAddress r, SessionFailure last) {
        if (last == null) {
            return RecipientStatus.local(r, Outcome.DEFERRED, "4.4.1", "no MX host or relay host could be reached");
        }
        Destination d = last.getDestination();
        int code = last.getReplyCode();
        String text = last.getReplyText();
        if (code >= 200 && code < 600) {
            // a refusal while opening the session (greeting, EHLO, TLS, AUTH) is never final for the recipient
            RecipientStatus s = RecipientStatus.fromReply(r, code, text, d.host(), d.ip(), d.port(), false);
            String dsn = s.outcome() == Outcome.DEFERRED ? s.enhancedStatus() : "4" + s.enhancedStatus().substring(1);
            return new RecipientStatus(r, Outcome.DEFERRED, code, dsn, text, d.host(), d.ip(), d.port(), false, false,
                    last.getTlsPolicy());
        }
        String dsn = last.getEnhancedStatus() == null ? "4.4.1" : last.getEnhancedStatus();
        return new RecipientStatus(r, Outcome.DEFERRED, 0, dsn, text, d.host(), d.ip(), d.port(), false, false,
                last.getTlsPolicy());
    }

    /**
     * Runs transactions on one session until every pending recipient has a reply. Returns null when the session is
     * still usable, or the failure that broke it; recipients not decided by then stay pending for the next host.
     */
    private SessionFailure transactions(OutgoingMail original, Forms forms, SmtpSession s, Deque<MailAddress> pending,
                                        Map<MailAddress, RecipientStatus> result) {
        Destination d = s.destination();
        StringBuilder parameters = new StringBuilder();
        if (original.tls() == TlsDemand.REQUIRETLS) {
            // RFC 8689 4.2.1: the next hop must promise to keep the requirement; the planner saw to the TLS itself
            if (!s.tls() || !s.offers("REQUIRETLS")) {
                return new SessionFailure(d, 0, TlsPlanner.REQUIRETLS_UNMET, "REQUIRETLS: host " + d.host()
                        + (s.tls() ? " does not offer REQUIRETLS" : " did not encrypt the session"), null, s.tlsLabel());
            }
            parameters.append(" REQUIRETLS");
        }
        OutgoingMail mail;
        try {
            mail = negotiate(original, forms, s, pending, result, parameters);
        } catch (MessagingException | IOException | RuntimeException e) {
            // the content cannot be read or converted: the same on every host, so a failure of the message
            for (MailAddress r : pending) {
                decide(original, result, RecipientStatus.local(r, Outcome.FAILED, "5.6.3",
                        "cannot convert the message to 7-bit for " + d.host() + ", which does not offer 8BITMIME: " + e.getMessage()));
            }
            pending.clear();
            return null;
        }
        if (mail == null) {
            return null;
        }
        while (!pending.isEmpty()) {
            List<MailAddress> batch = new ArrayList<>(Math.min(batchSize, pending.size()));
            while (batch.size() < batchSize && !pending.isEmpty()) {
                batch.add(pending.poll());
            }
            List<MailAddress> accepted = new ArrayList<>(batch.size());
            List<MailAddress> tooMany = new ArrayList<>(0);
            try {
                SmtpSession.Envelope envelope = s.envelope(mail.sender(), mail.size(), batch, mail.dsn(), parameters.toString());
                SmtpReply from = envelope.mail();
                if (from.code() < 200) {
                    throw new MessagingException("no valid reply to MAIL FROM: " + from);
                }
                if (!from.positive()) {
                    for (MailAddress r : batch) {
                        decide(mail, result, status(r, from, s));
                    }
                    s.abandon();
                    continue;
                }
                for (int i = 0; i < batch.size(); i++) {
                    MailAddress r = batch.get(i);
                    SmtpReply reply = envelope.recipients().get(i);
                    if (reply.code() < 200) {
                        throw new MessagingException("no valid reply to RCPT TO: " + reply);
                    }
                    if (reply.code() == 452 && !accepted.isEmpty()) {
                        // RFC 5321 4.5.3.1.10: too many recipients; this one goes in the next transaction
                        tooMany.add(r);
                        continue;
                    }
                    if (reply.positive()) {
                        accepted.add(r);
                    } else {
                        decide(mail, result, status(r, reply, s));
                    }
                }
                for (int j = tooMany.size() - 1; j >= 0; j--) {
                    pending.addFirst(tooMany.get(j));
                }
                if (accepted.isEmpty()) {
                    s.abandon();
                    continue;
                }
                SmtpReply data = s.data(mail.content(), mail.prefix());
                if (data.code() < 200) {
                    throw new MessagingException("no valid reply to end of data: " + data);
                }
                List<RecipientStatus> transaction = new ArrayList<>(accepted.size());
                for (MailAddress r : accepted) {
                    RecipientStatus st = status(r, data, s);
                    transaction.add(st);
                    decide(mail, result, st);
                }
                if (listener != null) {
                    listener.messageRelayed(d.host(), DeliveryReport.of(transaction));
                }
            } catch (MessagingException | IOException | RuntimeException e) {
                String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (e.getCause() != null && e.getCause() != e) {
                    text += ": " + e.getCause().getMessage();
                }
                if (s.finalDotSent()) {
                    // the server may have taken the message: trying again now, on this host or another, could make a
                    // second copy, so the recipients wait for the next attempt (RFC 5321 6.1 prefers a duplicate to a
                    // loss, Postfix defers them the same way)
                    for (MailAddress r : batch) {
                        if (result.get(r) == null) {
                            decide(mail, result, new RecipientStatus(r, Outcome.DEFERRED, 0, "4.4.2",
                                    "lost connection after end of data: " + text + " (delivery may be duplicated)",
                                    d.host(), d.ip(), d.port(), s.tls()).withTlsPolicy(s.tlsLabel()));
                        }
                    }
                } else {
                    // the connection broke before the final dot: whatever this transaction had not settled is tried on
                    // the next host
                    for (int j = batch.size() - 1; j >= 0; j--) {
                        if (result.get(batch.get(j)) == null && !pending.contains(batch.get(j))) {
                            pending.addFirst(batch.get(j));
                        }
                    }
                }
                return new SessionFailure(d, 0, "lost connection: " + text, e);
            }
        }
        return null;
    }

    /**
     * What this server can take of the message, before its first transaction: BODY=8BITMIME where the message has
     * 8-bit octets (or was declared so) and the server offers 8BITMIME (RFC 6152), else the message converted to 7-bit;
     * SMTPUTF8 where the message needs or declared it and the server offers it, else, when it needs it (a UTF-8 address,
     * or UTF-8 header fields in a message declared SMTPUTF8), the recipients concerned fail with 5.6.7, as RFC 6531
     * 3.2 has it (no downgrade). Returns the mail to send, or null when no recipient is left.
     */
    private OutgoingMail negotiate(OutgoingMail mail, Forms forms, SmtpSession s, Deque<MailAddress> pending,
                                   Map<MailAddress, RecipientStatus> result, StringBuilder parameters)
            throws IOException, MessagingException {
        Destination d = s.destination();
        boolean utf8 = s.offers("SMTPUTF8");
        boolean eight = s.offers("8BITMIME");
        EightBit.Scan scan = forms.scan();
        if (!utf8) {
            String needs = !mail.sender().isAscii() ? "the sender address is UTF-8"
                    : mail.smtpUtf8() && scan.header() ? "the message has UTF-8 header fields" : null;
            for (java.util.Iterator<MailAddress> it = pending.iterator(); it.hasNext(); ) {
                MailAddress r = it.next();
                if (needs != null || !r.isAscii()) {
                    it.remove();
                    decide(mail, result, new RecipientStatus(r, Outcome.FAILED, 0, "5.6.7", "SMTPUTF8 is required, but was not "
                            + "offered by host " + d.host() + " (" + (needs != null ? needs : "the recipient address is UTF-8")
                            + "; RFC 6531 allows no downgrade)", d.host(), d.ip(), d.port(), s.tls()).withTlsPolicy(s.tlsLabel()));
                }
            }
            if (pending.isEmpty()) {
                return null;
            }
        }
        OutgoingMail toSend = mail;
        if (scan.any() || "8BITMIME".equals(mail.body())) {
            if (s.chunking() && s.offers("BINARYMIME")) {
                // RFC 3030 3: with BDAT any octets may go, 8-bit text and binary alike
                parameters.append(" BODY=BINARYMIME");
            } else if (eight) {
                parameters.append(" BODY=8BITMIME");
            } else if (scan.header() && !utf8) {
                for (MailAddress r : pending) {
                    decide(mail, result, new RecipientStatus(r, Outcome.FAILED, 0, "5.6.3", "host " + d.host()
                            + " offers no 8BITMIME and the message has 8-bit header fields, which have no 7-bit form",
                            d.host(), d.ip(), d.port(), s.tls()).withTlsPolicy(s.tlsLabel()));
                }
                pending.clear();
                return null;
            } else if (scan.body()) {
                // RFC 6152 3: never 8-bit octets to a server that did not offer 8BITMIME
                toSend = mail.withContent(forms.sevenBit());
            }
        }
        if (utf8 && (mail.smtpUtf8() || !mail.sender().isAscii() || pending.stream().anyMatch(r -> !r.isAscii()))) {
            parameters.append(" SMTPUTF8");
        }
        return toSend;
    }

    /** The forms of one message's content, each made once per delivery: its 8-bit scan and its 7-bit conversion. */
    private static final class Forms {
        private final OutgoingMail mail;
        private EightBit.Scan scan;
        private MessageContent sevenBit;

        Forms(OutgoingMail mail) {
            this.mail = mail;
        }

        EightBit.Scan scan() throws IOException {
            if (scan == null) {
                scan = EightBit.scan(mail.content());
            }
            return scan;
        }

        MessageContent sevenBit() throws IOException, MessagingException {
            if (sevenBit == null) {
                sevenBit = EightBit.toSevenBit(mail.content());
            }
            return sevenBit;
        }
    }

    private static RecipientStatus status(MailAddress r, SmtpReply reply, SmtpSession s) {
        Destination d = s.destination();
        return RecipientStatus.fromReply(r, reply.code(), reply.text(), d.host(), d.ip(), d.port(), s.tls())
                .withRemoteDsn(s.dsn()).withTlsPolicy(s.tlsLabel());
    }

    private static void decide(OutgoingMail mail, Map<MailAddress, RecipientStatus> result, RecipientStatus status) {
        result.put(status.recipient(), status);
        DeliveryLog.recipient(mail, status);
    }

    /** The statuses so far, in recipient order; each decision is passed on at once. */
    private static final class Decisions extends LinkedHashMap<MailAddress, RecipientStatus> {

        private final transient Consumer<RecipientStatus> decided;

        Decisions(Consumer<RecipientStatus> decided) {
            this.decided = decided;
        }

        @Override
        public RecipientStatus put(MailAddress recipient, RecipientStatus status) {
            RecipientStatus previous = super.put(recipient, status);
            if (status != null && decided != null) {
                decided.accept(status);
            }
            return previous;
        }
    }

    /** Sessions in use and waiting in the pool, for health and metrics. */
    public int activeConnections() {
        return pool.active();
    }

    public int idleConnections() {
        return pool.idle();
    }

    @Override
    public void close() {
        pool.close();
        if (mtaSts != null) {
            try {
                mtaSts.close();
            } catch (IOException e) {
                // the policy fetcher's connections go with the engine either way
            }
        }
    }

    /** The options of an engine; settings and either resolver or relayHost are required. */
    public static final class Builder {
        private MxResolver resolver;
        private String relayHost;
        private int relayPort = 25;
        private int mxPort = 25;
        private IpVersion ipVersion = IpVersion.ANY;
        private int maxAddresses = 5;
        private int batchSize = 50;
        private SessionSettings settings;
        private int maxPerHost = 20;
        private int maxTotal = 500;
        private int idleTimeoutMillis = 10_000;
        private int maxMessagesPerConnection = 100;
        private TrafficShaper shaper;
        private OwnAddresses own = OwnAddresses.none();
        private io.github.camelrelay.smtprelay.tlspolicy.TlsPolicyTable tlsPolicies;
        private io.github.camelrelay.smtprelay.tlspolicy.TlsaLookup tlsa;
        private io.github.camelrelay.smtprelay.tlspolicy.MtaStsPolicies mtaSts;

        private Builder() {
        }

        /** The tlsPolicies table: per destination TLS policies over the settings' tls mode. */
        public Builder tlsPolicies(io.github.camelrelay.smtprelay.tlspolicy.TlsPolicyTable v) {
            tlsPolicies = v;
            return this;
        }

        /** DANE for MX hosts with secure TLSA records; null (default) for none. Needs a validating MX resolver. */
        public Builder dane(io.github.camelrelay.smtprelay.tlspolicy.TlsaLookup v) {
            tlsa = v;
            return this;
        }

        /** MTA-STS for recipient domains; null (default) for none. The engine closes it. */
        public Builder mtaSts(io.github.camelrelay.smtprelay.tlspolicy.MtaStsPolicies v) {
            mtaSts = v;
            return this;
        }

        /** MX mode: each domain's MX hosts from this resolver. */
        public Builder resolver(MxResolver v) {
            resolver = v;
            return this;
        }

        /** Relay mode: every message to this host. */
        public Builder relayHost(String host, int port) {
            relayHost = host;
            relayPort = port;
            return this;
        }

        public Builder mxPort(int v) {
            mxPort = v;
            return this;
        }

        public Builder ipVersion(IpVersion v) {
            ipVersion = v;
            return this;
        }

        /** Most addresses tried for one domain (or the relay host) in one delivery. */
        public Builder maxAddresses(int v) {
            maxAddresses = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder settings(SessionSettings v) {
            settings = v;
            return this;
        }

        /** maxConnectionsPerHost (per remote address) and maxTotalConnections. */
        public Builder connections(int perHost, int total) {
            maxPerHost = perHost;
            maxTotal = total;
            return this;
        }

        /** How long an idle connection is kept (0: not at all) and for how many messages at most. */
        public Builder reuse(int idleMillis, int maxMessages) {
            idleTimeoutMillis = idleMillis;
            maxMessagesPerConnection = maxMessages;
            return this;
        }

        /** The traffic-shaping counts shared with every other delivery under the same rules, or null. */
        public Builder shaper(TrafficShaper v) {
            shaper = v;
            return this;
        }

        /** The addresses of this relay, which MX mode never delivers to. */
        public Builder ownAddresses(OwnAddresses v) {
            own = Objects.requireNonNull(v, "ownAddresses");
            return this;
        }

        public DeliveryEngine build() {
            if ((resolver == null) == (relayHost == null)) {
                throw new IllegalStateException("Expected either an MX resolver or a relay host but found "
                                                + (resolver == null ? "neither" : "both"));
            }
            return new DeliveryEngine(this);
        }
    }
}
