package io.github.camelrelay.smtprelay.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import io.github.camelrelay.smtprelay.IpVersion;
import io.github.camelrelay.smtprelay.mail.Domain;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Resolves a domain to the mail exchangers to try. Thread-safe: each look-up is a new dnsjava {@link Lookup}, and
 * all of them share one {@link Cache}, which keeps every answer (positive and negative) for its TTL.
 */
public final class MxResolver {

    private final Resolver resolver;
    private final Cache cache = new Cache(DClass.IN);
    private final IpVersion ipVersion;
    private final int maxAddresses;
    private final Random random;
    private final Duration totalTimeout;
    private final Clock clock;
    /** Validates every look-up when set (DNSSEC on); the dnsjava cache is then not used. */
    private final DnssecLookup dnssec;

    public MxResolver(Resolver resolver, IpVersion ipVersion, int maxAddresses, Random random) {
        this(resolver, ipVersion, maxAddresses, random, Duration.ofMinutes(1), Clock.systemUTC());
    }

    /**
     * @param maxAddresses  the most MX host names looked up, and the most addresses returned, for one domain
     * @param totalTimeout  how long all look-ups for one domain may take together; names not looked up by then are
     *                      not tried
     */
    public MxResolver(Resolver resolver, IpVersion ipVersion, int maxAddresses, Random random, Duration totalTimeout,
                      Clock clock) {
        this(resolver, ipVersion, maxAddresses, random, totalTimeout, clock, null);
    }

    private MxResolver(Resolver resolver, IpVersion ipVersion, int maxAddresses, Random random, Duration totalTimeout,
                       Clock clock, DnssecLookup dnssec) {
        this.resolver = resolver;
        this.ipVersion = ipVersion;
        this.maxAddresses = maxAddresses;
        this.random = random;
        this.totalTimeout = totalTimeout;
        this.clock = clock;
        this.dnssec = dnssec;
    }

    /**
     * This resolver with every MX and address look-up validated by DNSSEC: a bogus MX answer defers the domain
     * ({@link MxResolution.Status#BOGUS}), a bogus address answer drops the host, and the resolution and each host say
     * whether they were secure, which DANE needs.
     */
    public MxResolver validating(DnssecLookup lookup) {
        return new MxResolver(resolver, ipVersion, maxAddresses, random, totalTimeout, clock, lookup);
    }

    /**
     * A resolver for a comma separated list of {@code host[:port]} servers; empty means the system's resolvers
     * (as dnsjava reads them from /etc/resolv.conf and the like).
     *
     * @throws IllegalArgumentException when an entry is not host[:port]
     */
    public static Resolver resolverFor(String servers, Duration timeout) {
        List<Resolver> list = new ArrayList<>();
        if (servers != null) {
            for (String entry : servers.split(",")) {
                String s = entry.strip();
                if (s.isEmpty()) {
                    continue;
                }
                list.add(new SimpleResolver(parseServer(s)));
            }
        }
        Resolver resolver;
        if (list.isEmpty()) {
            resolver = new ExtendedResolver();
        } else if (list.size() == 1) {
            resolver = list.get(0);
        } else {
            resolver = new ExtendedResolver(list);
        }
        resolver.setTimeout(timeout);
        return resolver;
    }

    private static InetSocketAddress parseServer(String s) {
        String host = s;
        int port = 53;
        int colon = s.lastIndexOf(':');
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("Expected a DNS server as [ipv6]:port but found '" + s + "'");
            }
            host = s.substring(1, close);
            if (close + 1 < s.length()) {
                port = parsePort(s, s.substring(close + 2));
            }
        } else if (colon > 0 && s.indexOf(':') == colon) {
            host = s.substring(0, colon);
            port = parsePort(s, s.substring(colon + 1));
        }
        try {
            // the configured server is resolved once, at start-up, by the system
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Expected a resolvable DNS server but found '" + s + "': " + e.getMessage(), e);
        }
    }

    private static int parsePort(String entry, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p > 0 && p < 65536) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("Expected a DNS server as host[:port] with a port from 1 to 65535 but found '" + entry + "'");
    }

    /** Where mail for the domain goes, following RFC 5321 section 5.1 and RFC 7505. */
    public MxResolution resolve(Domain domain) {
        if (domain.isLiteral()) {
            return literal(domain);
        }
        Instant deadline = clock.instant().plus(totalTimeout);
        Name name = absolute(domain.name());
        Answer answer = query(name, Type.MX);
        switch (answer.result) {
            case Lookup.SUCCESSFUL:
                return fromMxRecords(domain, answer.records, deadline, answer.secure);
            case Lookup.TYPE_NOT_FOUND:
                return implicitMx(domain, answer.secure);
            case Lookup.HOST_NOT_FOUND:
                return MxResolution.failure(MxResolution.Status.NO_SUCH_DOMAIN,
                        "Host or domain name not found. Name service error for name=" + domain + " type=MX: Host not found");
            default:
                if (answer.bogus) {
                    return MxResolution.failure(MxResolution.Status.BOGUS,
                            "DNSSEC validation failed for name=" + domain + " type=MX: " + answer.error);
                }
                // TRY_AGAIN (timeout, SERVFAIL, network) and UNRECOVERABLE: a broken server must never bounce mail
                return MxResolution.failure(MxResolution.Status.TEMPORARY_FAILURE,
                        "Name service error for name=" + domain + " type=MX: " + answer.error);
        }
    }

    /** One look-up's outcome in dnsjava's {@link Lookup} terms, with what DNSSEC said when it validates. */
    private record Answer(int result, Record[] records, String error, boolean secure, boolean bogus) {
    }

    private Answer query(Name name, int type) {
        if (dnssec == null) {
            Lookup lookup = lookup(name, type);
            Record[] records = lookup.run();
            return new Answer(lookup.getResult(), records, lookup.getErrorString(), false, false);
        }
        DnssecLookup.Answer a = dnssec.lookup(name, type);
        if (a.security() == DnssecLookup.Security.BOGUS) {
            // a timeout is only a temporary failure; a failed validation is bogus
            return new Answer(Lookup.TRY_AGAIN, null, a.reason(), false, !a.reason().startsWith(DnssecLookup.LOOKUP_FAILED));
        }
        boolean secure = a.security() == DnssecLookup.Security.SECURE;
        if (a.rcode() == org.xbill.DNS.Rcode.NXDOMAIN) {
            return new Answer(Lookup.HOST_NOT_FOUND, null, "Host not found", secure, false);
        }
        if (a.rcode() != org.xbill.DNS.Rcode.NOERROR) {
            return new Answer(Lookup.TRY_AGAIN, null, org.xbill.DNS.Rcode.string(a.rcode()), false, false);
        }
        return a.records().isEmpty() ? new Answer(Lookup.TYPE_NOT_FOUND, null, "Type not found", secure, false)
                : new Answer(Lookup.SUCCESSFUL, a.records().toArray(new Record[0]), "successful", secure, false);
    }

    private MxResolution fromMxRecords(Domain domain, Record[] answers, Instant deadline, boolean secure) {
        List<MXRecord> mx = new ArrayList<>();
        boolean nullMx = false;
        for (Record r : answers) {
            if (r instanceof MXRecord m) {
                if (m.getTarget().equals(Name.root)) {
                    nullMx = true;
                } else {
                    mx.add(m);
                }
            }
        }
        if (mx.isEmpty()) {
            if (nullMx) {
                return MxResolution.failure(MxResolution.Status.NULL_MX,
                        "Domain " + domain + " does not accept mail (nullMX)");
            }
            return implicitMx(domain, secure);
        }
        // equal preferences are tried in random order (RFC 5321 5.1) so that load spreads over them
        Collections.shuffle(mx, random);
        mx.sort(Comparator.comparingInt(MXRecord::getPriority));

        List<MxHost> hosts = new ArrayList<>();
        int addressCount = 0;
        int namesTried = 0;
        boolean temporary = false;
        String lastError = "";
        for (MXRecord m : mx) {
            // names count when tried, not when resolved: a domain whose MX names all time out costs at most
            // maxAddresses look-ups, and all of them together no more than the total timeout
            if (addressCount >= maxAddresses || namesTried >= maxAddresses) {
                break;
            }
            if (!clock.instant().isBefore(deadline)) {
                temporary = true;
                lastError = "look-ups for " + domain + " took longer than " + totalTimeout.toMillis() + " ms in total";
                break;
            }
            namesTried++;
            String host = hostName(m.getTarget());
            Addresses a = addresses(host);
            temporary |= a.temporary;
            if (!a.error.isEmpty()) {
                lastError = a.error;
            }
            List<InetAddress> list = a.list;
            if (list.size() > maxAddresses - addressCount) {
                list = list.subList(0, maxAddresses - addressCount);
            }
            if (!list.isEmpty()) {
                hosts.add(new MxHost(host, m.getPriority(), list, a.secure));
                addressCount += list.size();
            }
        }
        if (hosts.isEmpty()) {
            return MxResolution.failure(temporary ? MxResolution.Status.TEMPORARY_FAILURE : MxResolution.Status.NO_ADDRESS,
                    "No address for any MX host of " + domain + ": " + lastError);
        }
        return MxResolution.ok(hosts, secure);
    }

    private MxResolution implicitMx(Domain domain, boolean secure) {
        Addresses a = addresses(domain.name());
        if (a.list.isEmpty()) {
            return MxResolution.failure(a.temporary ? MxResolution.Status.TEMPORARY_FAILURE : MxResolution.Status.NO_ADDRESS,
                    "Domain " + domain + " has no MX record and no address: " + a.error);
        }
        List<InetAddress> list = a.list.size() > maxAddresses ? a.list.subList(0, maxAddresses) : a.list;
        return MxResolution.ok(List.of(new MxHost(domain.name(), 0, list, a.secure)), secure);
    }

    private MxResolution literal(Domain domain) {
        try {
            InetAddress ip = InetAddress.getByName(domain.literalAddress());
            return MxResolution.ok(List.of(new MxHost(ip.getHostAddress(), 0, List.of(ip))), false);
        } catch (UnknownHostException e) {
            return MxResolution.failure(MxResolution.Status.NO_ADDRESS, "Bad address literal " + domain);
        }
    }

    /** The addresses of one host in the order of the configured IP version, each tagged with the host name. */
    Addresses addresses(String host) {
        List<InetAddress> list = new ArrayList<>();
        boolean temporary = false;
        StringBuilder error = new StringBuilder();
        List<Integer> types = switch (ipVersion) {
            case IPV4 -> List.of(Type.A);
            case IPV6 -> List.of(Type.AAAA);
            case ANY -> List.of(Type.A, Type.AAAA);
        };
        Name name = absolute(host);
        boolean secure = dnssec != null;
        for (int type : types) {
            Answer answer = query(name, type);
            Record[] records = answer.records;
            int result = answer.result;
            // every address RRset of the host, or its denial, must validate for DANE (RFC 7672 section 2.2.2)
            secure &= answer.secure;
            if (result == Lookup.SUCCESSFUL) {
                for (Record r : records) {
                    InetAddress ip = r instanceof ARecord a ? a.getAddress()
                            : r instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
                    if (ip != null) {
                        list.add(withName(host, ip));
                    }
                }
            } else {
                if (result == Lookup.TRY_AGAIN || result == Lookup.UNRECOVERABLE) {
                    temporary = true;
                }
                if (error.length() > 0) {
                    error.append("; ");
                }
                error.append("name=").append(host).append(" type=").append(Type.string(type)).append(": ")
                        .append(answer.bogus ? "DNSSEC validation failed: " : "").append(answer.error);
            }
        }
        return new Addresses(list, temporary && list.isEmpty(), error.toString(), secure);
    }

    record Addresses(List<InetAddress> list, boolean temporary, String error, boolean secure) {
    }

    private Lookup lookup(Name name, int type) {
        Lookup lookup = new Lookup(name, type, DClass.IN);
        lookup.setResolver(resolver);
        lookup.setCache(cache);
        lookup.setSearchPath((Name[]) null);
        return lookup;
    }

    private static Name absolute(String host) {
        try {
            return Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("Expected a DNS name but found '" + host + "'", e);
        }
    }

    private static String hostName(Name name) {
        String s = name.toString(true);
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    static InetAddress withName(String host, InetAddress ip) {
        try {
            return InetAddress.getByAddress(host, ip.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("dnsjava returned an address of " + ip.getAddress().length + " bytes", e);
        }
    }
}
