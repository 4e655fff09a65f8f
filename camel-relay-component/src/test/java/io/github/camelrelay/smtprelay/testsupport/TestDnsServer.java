package io.github.camelrelay.smtprelay.testsupport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A small authoritative DNS server on 127.0.0.1 (or a given address), answering over UDP and TCP on the same port,
 * so the component's MX lookups can be tested against exactly the data (and the failures) a test sets up.
 * <p>
 * Names are case-insensitive, with or without a trailing dot. A name with no configuration answers NXDOMAIN; a
 * name with records but none of the asked type answers NODATA. Negative answers carry a synthetic SOA (TTL and
 * minimum 60) owned by the last two labels of the asked name, so resolvers can cache them. Precedence when a name
 * is configured several ways: {@link #drop}, then {@link #servfail}, then {@link #nxdomain}, then records.
 */
public final class TestDnsServer implements AutoCloseable {

    /** TTL used by the overloads without one. */
    public static final long DEFAULT_TTL = 300;

    private static final long NEGATIVE_TTL = 60;
    private static final int PLAIN_UDP_LIMIT = 512;
    private static final int EDNS_PAYLOAD = 1232;
    private static final int BIND_ATTEMPTS = 20;

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<String, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<String> nxdomains = ConcurrentHashMap.newKeySet();
    /** Signed zones by apex key: answers under them carry RRSIGs and NSEC proofs. */
    private final Map<String, ZoneKey> signed = new ConcurrentHashMap<>();

    private record ZoneKey(Name apex, org.xbill.DNS.DNSKEYRecord key, java.security.PrivateKey signer) {
    }
    private final Set<String> servfails = ConcurrentHashMap.newKeySet();
    private final Set<String> drops = ConcurrentHashMap.newKeySet();
    private final Set<Socket> tcpClients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queries = new AtomicInteger();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private final Map<String, AtomicInteger> queriesByNameAndType = new ConcurrentHashMap<>();
    private volatile boolean truncateUdp;
    private volatile boolean closed;

    private TestDnsServer(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Binds UDP and TCP on one ephemeral port of 127.0.0.1 and starts serving; close it when the test ends. */
    public static TestDnsServer start() {
        return start(loopback(), 0);
    }

    /**
     * Binds UDP and TCP on the given address and port (0: an ephemeral port free for both) and starts serving; for
     * benchmarks whose other resolvers (a chrooted Postfix reading resolv.conf) can only ask port 53.
     */
    public static TestDnsServer start(InetAddress address, int port) {
        // an ephemeral UDP port may be taken for TCP: then try another one; a fixed port gets one attempt
        int attempts = port == 0 ? BIND_ATTEMPTS : 1;
        IOException last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            DatagramSocket udp = null;
            try {
                udp = new DatagramSocket(new InetSocketAddress(address, port));
                ServerSocket tcp = new ServerSocket();
                try {
                    tcp.bind(new InetSocketAddress(address, udp.getLocalPort()));
                } catch (IOException e) {
                    tcp.close();
                    throw e;
                }
                TestDnsServer server = new TestDnsServer(udp, tcp);
                server.startThreads();
                return server;
            } catch (IOException e) {
                last = e;
                if (udp != null) {
                    udp.close();
                }
            }
        }
        throw new UncheckedIOException("no port free for both UDP and TCP on " + address.getHostAddress()
                                       + (port == 0 ? "" : ":" + port), last);
    }

    /** The port serving both UDP and TCP. */
    public int port() {
        return udp.getLocalPort();
    }

    /** "address:port" (127.0.0.1 unless started on another address), the format of the {@code dnsServers} option. */
    public String address() {
        return udp.getLocalAddress().getHostAddress() + ":" + port();
    }

    /** Adds an MX record to {@code domain}; a {@code host} of "." makes it a null MX (RFC 7505). */
    public TestDnsServer mx(String domain, int preference, String host, long ttlSeconds) {
        return add(new MXRecord(name(domain), DClass.IN, ttlSeconds, preference, name(host)));
    }

    /** Adds an MX record with the default TTL of 300 seconds. */
    public TestDnsServer mx(String domain, int preference, String host) {
        return mx(domain, preference, host, DEFAULT_TTL);
    }

    /** Adds an IPv4 address record to {@code host}. */
    public TestDnsServer a(String host, String ipv4, long ttlSeconds) {
        return add(new ARecord(name(host), DClass.IN, ttlSeconds, literal(ipv4)));
    }

    /** Adds an IPv4 address record with the default TTL of 300 seconds. */
    public TestDnsServer a(String host, String ipv4) {
        return a(host, ipv4, DEFAULT_TTL);
    }

    /** Adds an IPv6 address record to {@code host}. */
    public TestDnsServer aaaa(String host, String ipv6, long ttlSeconds) {
        return add(new AAAARecord(name(host), DClass.IN, ttlSeconds, literal(ipv6)));
    }

    /** Adds an IPv6 address record with the default TTL of 300 seconds. */
    public TestDnsServer aaaa(String host, String ipv6) {
        return aaaa(host, ipv6, DEFAULT_TTL);
    }

    /** Adds a TLSA record (RFC 6698) to {@code name}, e.g. {@code _25._tcp.mx1.example.test}. */
    public TestDnsServer tlsa(String name, int usage, int selector, int matchingType, byte[] data) {
        return add(new org.xbill.DNS.TLSARecord(name(name), DClass.IN, DEFAULT_TTL, usage, selector, matchingType, data));
    }

    /**
     * Signs every answer for names at or under {@code apex} (DNSSEC, ECDSA P-256, RFC 6605) with a key made now: the
     * zone's DNSKEY is served at the apex, each answer RRset gets its RRSIG, and negative answers get a signed SOA
     * and NSEC records proving the name or type absent (RFC 4035 3.1.3). {@link #trustAnchor} gives the DS a
     * validating resolver starts from.
     */
    public TestDnsServer signZone(String apex) {
        try {
            java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("EC");
            gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            java.security.KeyPair pair = gen.generateKeyPair();
            org.xbill.DNS.DNSKEYRecord key = new org.xbill.DNS.DNSKEYRecord(name(apex), DClass.IN, DEFAULT_TTL, 257,
                    org.xbill.DNS.DNSKEYRecord.Protocol.DNSSEC, org.xbill.DNS.DNSSEC.Algorithm.ECDSAP256SHA256, pair.getPublic());
            signed.put(key(apex), new ZoneKey(name(apex), key, pair.getPrivate()));
            return add(key);
        } catch (java.security.GeneralSecurityException | org.xbill.DNS.DNSSEC.DNSSECException e) {
            throw new IllegalStateException("Cannot make a DNSSEC key", e);
        }
    }

    /** Signs the zone's answers with another key than its DNSKEY from now on: a validator finds them bogus. */
    public TestDnsServer forgeSignatures(String apex) {
        ZoneKey zone = signed.get(key(apex));
        try {
            java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("EC");
            gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            signed.put(key(apex), new ZoneKey(zone.apex(), zone.key(), gen.generateKeyPair().getPrivate()));
            return this;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make a DNSSEC key", e);
        }
    }

    /** The DS record of a zone signed by {@link #signZone}, in zone file format, as a trust anchor. */
    public String trustAnchor(String apex) {
        ZoneKey zone = signed.get(key(apex));
        return new org.xbill.DNS.DSRecord(zone.apex(), DClass.IN, DEFAULT_TTL, org.xbill.DNS.DSRecord.Digest.SHA256, zone.key())
                .toString();
    }

    /** Adds a TXT record to {@code name}, its text in one character-string (split at 255 octets). */
    public TestDnsServer txt(String name, String text) {
        java.util.List<String> strings = new java.util.ArrayList<>();
        for (int i = 0; i < text.length(); i += 255) {
            strings.add(text.substring(i, Math.min(text.length(), i + 255)));
        }
        return add(new org.xbill.DNS.TXTRecord(name(name), DClass.IN, DEFAULT_TTL, strings));
    }

    /** Makes {@code name} answer NXDOMAIN even if it has records, to state a test's intent explicitly. */
    public TestDnsServer nxdomain(String name) {
        nxdomains.add(key(name));
        return this;
    }

    /** Makes every query for {@code name} answer SERVFAIL, a temporary DNS failure. */
    public TestDnsServer servfail(String name) {
        servfails.add(key(name));
        return this;
    }

    /** Makes queries for {@code name} go unanswered, so the client times out. */
    public TestDnsServer drop(String name) {
        drops.add(key(name));
        return this;
    }

    /** Forgets everything configured for {@code name} (records, NXDOMAIN, SERVFAIL, drop), to change it mid-test. */
    public TestDnsServer remove(String name) {
        String key = key(name);
        records.remove(key);
        nxdomains.remove(key);
        servfails.remove(key);
        drops.remove(key);
        return this;
    }

    /** When true, UDP answers carry the TC flag and no records, so the client must retry over TCP. */
    public TestDnsServer truncateUdp(boolean truncate) {
        this.truncateUdp = truncate;
        return this;
    }

    /** Total queries received over UDP and TCP, answered or not. */
    public int queries() {
        return queries.get();
    }

    /** Queries received for {@code name} with the given {@link Type} (e.g. {@code Type.MX}). */
    public int queries(String name, int type) {
        AtomicInteger count = queriesByNameAndType.get(counterKey(key(name), type));
        return count == null ? 0 : count.get();
    }

    /** Queries received over TCP. */
    public int tcpQueries() {
        return tcpQueries.get();
    }

    /** Sets all query counters back to zero, e.g. between the phases of a caching test. */
    public void resetCounters() {
        queries.set(0);
        tcpQueries.set(0);
        queriesByNameAndType.clear();
    }

    /** Stops serving and closes both sockets and any open TCP connection. */
    @Override
    public void close() {
        closed = true;
        udp.close();
        closeQuietly(tcp);
        tcpClients.forEach(TestDnsServer::closeQuietly);
    }

    private void startThreads() {
        daemon("test-dns-udp-" + port(), this::serveUdp).start();
        daemon("test-dns-tcp-" + port(), this::acceptTcp).start();
    }

    private void serveUdp() {
        byte[] buffer = new byte[Message.MAXLENGTH];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                byte[] query = Arrays.copyOfRange(buffer, 0, packet.getLength());
                byte[] answer = answer(query, false);
                if (answer != null) {
                    udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void acceptTcp() {
        while (!closed) {
            try {
                Socket socket = tcp.accept();
                tcpClients.add(socket);
                daemon("test-dns-tcp-conn-" + socket.getPort(), () -> serveTcp(socket)).start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serveTcp(Socket socket) {
        try (socket;
                DataInputStream in = new DataInputStream(socket.getInputStream());
                DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
            while (!closed) {
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] answer = answer(query, true);
                if (answer != null) {
                    out.writeShort(answer.length);
                    out.write(answer);
                    out.flush();
                }
            }
        } catch (EOFException e) {
            // the client closed the connection
        } catch (IOException e) {
            // connection reset or server closed
        } finally {
            tcpClients.remove(socket);
        }
    }

    /** Builds the wire answer to one query, or null when the query must go unanswered. */
    private byte[] answer(byte[] wire, boolean overTcp) {
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            return null;
        }
        Record question = query.getQuestion();
        if (question == null) {
            return null;
        }
        String key = key(question.getName());
        count(key, question.getType(), overTcp);
        if (drops.contains(key)) {
            return null;
        }
        Message response = emptyResponse(query);
        if (!overTcp && truncateUdp) {
            response.getHeader().setFlag(Flags.TC);
            return response.toWire();
        }
        fill(response, key, question);
        byte[] bytes = response.toWire();
        if (!overTcp && bytes.length > udpLimit(query)) {
            Message truncated = emptyResponse(query);
            truncated.getHeader().setFlag(Flags.TC);
            return truncated.toWire();
        }
        return bytes;
    }

    private void fill(Message response, String key, Record question) {
        Header header = response.getHeader();
        if (servfails.contains(key)) {
            header.setRcode(Rcode.SERVFAIL);
            return;
        }
        ZoneKey zone = zoneOf(question.getName());
        List<Record> known = records.get(key);
        if (nxdomains.contains(key) || known == null || known.isEmpty()) {
            header.setRcode(Rcode.NXDOMAIN);
            if (zone != null) {
                denyName(response, zone, question.getName());
            } else {
                response.addRecord(soaFor(question.getName()), Section.AUTHORITY);
            }
            return;
        }
        List<Record> answers = new java.util.ArrayList<>();
        for (Record record : known) {
            if (question.getType() == Type.ANY || record.getType() == question.getType()) {
                answers.add(record.withName(question.getName()));
            }
        }
        answers.forEach(r -> response.addRecord(r, Section.ANSWER));
        if (zone != null && !answers.isEmpty()) {
            sign(response, zone, answers, Section.ANSWER);
        }
        if (answers.isEmpty()) {
            if (zone != null) {
                denyType(response, zone, question.getName());
            } else {
                response.addRecord(soaFor(question.getName()), Section.AUTHORITY);
            }
        }
    }

    /** The signed zone a name is in: the longest signed apex it ends with. */
    private ZoneKey zoneOf(Name name) {
        ZoneKey best = null;
        for (ZoneKey z : signed.values()) {
            if (name.subdomain(z.apex()) && (best == null || z.apex().labels() > best.apex().labels())) {
                best = z;
            }
        }
        return best;
    }

    /** Adds the RRSIG of each RRset (records of one type) in the list, valid from an hour ago for a day. */
    private static void sign(Message response, ZoneKey zone, List<Record> records, int section) {
        Map<Integer, org.xbill.DNS.RRset> sets = new java.util.LinkedHashMap<>();
        for (Record r : records) {
            sets.computeIfAbsent(r.getType(), t -> new org.xbill.DNS.RRset()).addRR(r);
        }
        java.time.Instant now = java.time.Instant.now();
        for (org.xbill.DNS.RRset set : sets.values()) {
            try {
                response.addRecord(org.xbill.DNS.DNSSEC.sign(set, zone.key(), zone.signer(), now.minusSeconds(3600),
                                                              now.plusSeconds(86400)), section);
            } catch (org.xbill.DNS.DNSSEC.DNSSECException e) {
                throw new IllegalStateException("Cannot sign " + set, e);
            }
        }
    }

    /** NODATA in a signed zone: the signed SOA and the name's NSEC, which lists the types it has. */
    private void denyType(Message response, ZoneKey zone, Name name) {
        List<Record> authority = new java.util.ArrayList<>();
        authority.add(zoneSoa(zone));
        authority.add(nsec(zone, name));
        authority.forEach(r -> response.addRecord(r, Section.AUTHORITY));
        sign(response, zone, authority, Section.AUTHORITY);
    }

    /** NXDOMAIN in a signed zone: the signed SOA, the NSEC covering the name and the one covering the wildcard. */
    private void denyName(Message response, ZoneKey zone, Name name) {
        List<Name> names = zoneNames(zone);
        Name encloser = name;
        while (encloser.labels() > zone.apex().labels() && !names.contains(encloser)) {
            encloser = new Name(encloser, 1);
        }
        Name wildcard;
        try {
            wildcard = Name.concatenate(Name.fromConstantString("*"), encloser);
        } catch (NameTooLongException e) {
            throw new IllegalStateException(e);
        }
        List<Record> authority = new java.util.ArrayList<>();
        authority.add(zoneSoa(zone));
        Record covering = covering(zone, names, name);
        authority.add(covering);
        Record wildcardCovering = covering(zone, names, wildcard);
        if (!wildcardCovering.equals(covering)) {
            authority.add(wildcardCovering);
        }
        authority.forEach(r -> response.addRecord(r, Section.AUTHORITY));
        // one RRSIG per NSEC owner: sign each NSEC on its own
        sign(response, zone, List.of(authority.get(0)), Section.AUTHORITY);
        for (Record r : authority.subList(1, authority.size())) {
            sign(response, zone, List.of(r), Section.AUTHORITY);
        }
    }

    private Record zoneSoa(ZoneKey zone) {
        return new SOARecord(zone.apex(), DClass.IN, NEGATIVE_TTL, zone.apex(), zone.apex(), 1, 3600, 600, 86400, NEGATIVE_TTL);
    }

    /** The zone's names with records, in canonical order (RFC 4034 6.1), the apex first. */
    private List<Name> zoneNames(ZoneKey zone) {
        java.util.TreeSet<Name> names = new java.util.TreeSet<>();
        names.add(zone.apex());
        for (Map.Entry<String, List<Record>> e : records.entrySet()) {
            Name n = name(e.getKey());
            if (!e.getValue().isEmpty() && n.subdomain(zone.apex()) && zoneOf(n) == zone) {
                names.add(n);
            }
        }
        return new java.util.ArrayList<>(names);
    }

    /** The NSEC at an existing name: the next name in the zone and the types at this one. */
    private Record nsec(ZoneKey zone, Name owner) {
        List<Name> names = zoneNames(zone);
        int i = names.indexOf(owner);
        Name next = names.get((i + 1) % names.size());
        java.util.TreeSet<Integer> types = new java.util.TreeSet<>(List.of(Type.NSEC, Type.RRSIG));
        for (Record r : records.getOrDefault(key(owner), List.of())) {
            types.add(r.getType());
        }
        if (owner.equals(zone.apex())) {
            types.add(Type.SOA);
        }
        return new org.xbill.DNS.NSECRecord(owner, DClass.IN, NEGATIVE_TTL, next, types.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The NSEC whose owner comes before the absent name and whose next name after it. */
    private Record covering(ZoneKey zone, List<Name> names, Name absent) {
        Name previous = names.get(0);
        for (Name n : names) {
            if (n.compareTo(absent) < 0) {
                previous = n;
            }
        }
        return nsec(zone, previous);
    }

    /** A NOERROR authoritative response echoing the id, RD flag, question and EDNS of the query. */
    private static Message emptyResponse(Message query) {
        Message response = new Message(query.getHeader().getID());
        Header header = response.getHeader();
        header.setFlag(Flags.QR);
        header.setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            header.setFlag(Flags.RD);
        }
        header.setOpcode(Opcode.QUERY);
        header.setRcode(Rcode.NOERROR);
        response.addRecord(query.getQuestion(), Section.QUESTION);
        if (query.getOPT() != null) {
            response.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        }
        return response;
    }

    private static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? PLAIN_UDP_LIMIT : Math.max(PLAIN_UDP_LIMIT, opt.getPayloadSize());
    }

    /** A synthetic SOA owned by the last two labels of the asked name, which is therefore its superdomain. */
    private static Record soaFor(Name asked) {
        int labels = asked.labels();
        Name zone = labels > 3 ? new Name(asked, labels - 3) : asked;
        try {
            Name host = Name.concatenate(Name.fromConstantString("ns"), zone);
            Name admin = Name.concatenate(Name.fromConstantString("hostmaster"), zone);
            return new SOARecord(zone, DClass.IN, NEGATIVE_TTL, host, admin, 1, 3600, 600, 86400, NEGATIVE_TTL);
        } catch (NameTooLongException e) {
            return new SOARecord(Name.root, DClass.IN, NEGATIVE_TTL, Name.root, Name.root, 1, 3600, 600, 86400,
                    NEGATIVE_TTL);
        }
    }

    private TestDnsServer add(Record record) {
        records.computeIfAbsent(key(record.getName()), k -> new CopyOnWriteArrayList<>()).add(record);
        return this;
    }

    private void count(String key, int type, boolean overTcp) {
        queries.incrementAndGet();
        if (overTcp) {
            tcpQueries.incrementAndGet();
        }
        queriesByNameAndType.computeIfAbsent(counterKey(key, type), k -> new AtomicInteger()).incrementAndGet();
    }

    private static String counterKey(String key, int type) {
        return key + "/" + type;
    }

    /** Lower case, no trailing dot: the form every lookup table here is keyed by. */
    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static String key(Name name) {
        return key(name.toString());
    }

    private static Name name(String name) {
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad DNS name: " + name, e);
        }
    }

    private static InetAddress literal(String ip) {
        try {
            // parses the literal only, never a lookup
            return Address.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad IP literal: " + ip, e);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing at the end of a test: nothing useful to do
        }
    }
}
