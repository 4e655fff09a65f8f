package io.github.camelrelay.smtprelay.tlspolicy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import io.github.camelrelay.smtprelay.mail.Domain;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The MTA-STS policy in force for a recipient domain (RFC 8461 sections 3 and 5.1): looks up {@code _mta-sts.<domain>}
 * TXT, fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} when the record's id differs from the cached
 * policy's (or nothing valid is cached), and keeps the policy in a {@link MtaStsStore} for its max_age. A failed look-up
 * or fetch never removes a valid cached policy: that is what protects against an attacker who blocks them.
 * <p>
 * The fetch (Apache HttpClient 5): the certificate verified against the given trust (the JVM's by default) and the
 * name {@code mta-sts.<domain>}, no redirects (section 3.3), at most {@link #MAX_POLICY_SIZE} octets, status 200 and
 * media type text/plain only; host names resolved through the same DNS servers as the MX look-ups. Thread-safe.
 */
public final class MtaStsPolicies implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MtaStsPolicies.class);

    /** The policy size limit section 3.3 suggests. */
    public static final int MAX_POLICY_SIZE = 64 * 1024;

    /**
     * A policy this close to its end (a quarter of its max_age, at most a day) is fetched again even when the TXT id
     * did not change, so a domain that keeps its policy never drops out of the cache (section 10.2).
     */
    static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofDays(1);

    private final Resolver resolver;
    private final MtaStsStore store;
    private final Clock clock;
    private final int port;
    private final CloseableHttpClient http;
    private final Duration fetchTimeout;
    /** Domains without a record, to when that holds. */
    private final Map<String, Instant> noRecord = new ConcurrentHashMap<>();

    private MtaStsPolicies(Builder b) {
        this.resolver = b.resolver;
        this.store = b.store;
        this.clock = b.clock;
        this.port = b.port;
        this.fetchTimeout = b.fetchTimeout;
        Timeout timeout = Timeout.of(b.fetchTimeout);
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(new DefaultClientTlsStrategy(b.sslContext))
                .setDnsResolver(b.resolver == null ? SystemDefaultDnsResolver.INSTANCE : new DnsjavaResolver(b.resolver))
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                .build();
        this.http = HttpClients.custom().setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).setRedirectsEnabled(false).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .setUserAgent("camel-smtp-relay MTA-STS").build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The policy to apply to mail for the domain; empty when it has none (or none could be had and none is cached).
     * Blocks for DNS and HTTPS: call it off any event loop.
     */
    public Optional<MtaStsPolicy> policy(Domain domain) {
        return Optional.ofNullable(resolve(domain).policy());
    }

    /**
     * What {@link #resolve} found: the policy in force, or null; and when a fetch failed, how (for TLS-RPT, RFC 8460
     * section 4.3.2), even when a cached policy still applies.
     */
    public record Resolution(MtaStsPolicy policy, TlsResult.Failure fetchFailure, String detail) {

        static final Resolution NONE = new Resolution(null, null, "no MTA-STS record");
    }

    /**
     * The policy to apply, as {@link #policy}, with the failure of a fetch. A domain without an {@code _mta-sts} record
     * (and no valid cached policy) is not asked again for {@link #NO_RECORD_RECHECK}, so deliveries to the many
     * domains without a policy cost no look-up each.
     */
    public Resolution resolve(Domain domain) {
        if (domain.isLiteral()) {
            return Resolution.NONE;
        }
        String name = domain.name();
        Instant now = clock.instant();
        MtaStsPolicy cached = store.get(name);
        MtaStsPolicy valid = cached != null && cached.isValidAt(now) ? cached : null;
        if (valid == null) {
            Instant until = noRecord.get(name);
            if (until != null && now.isBefore(until)) {
                return Resolution.NONE;
            }
        }
        MtaStsRecord record;
        try {
            record = record(name);
        } catch (IllegalArgumentException | IOException e) {
            LOG.debug("No usable MTA-STS record for {}: {}", name, e.getMessage());
            return new Resolution(valid, null, e.getMessage());
        }
        if (record == null) {
            if (valid == null) {
                rememberNoRecord(name, now);
            }
            return new Resolution(valid, null, "no MTA-STS record");
        }
        noRecord.remove(name);
        if (valid != null && valid.id().equals(record.id()) && now.isBefore(refreshAt(valid))) {
            return new Resolution(valid, null, "cached");
        }
        try {
            MtaStsPolicy fetched = fetch(name, record.id(), now);
            store.put(name, fetched);
            return new Resolution(fetched, null, "fetched");
        } catch (MtaStsFetchException e) {
            LOG.warn("MTA-STS policy of {} not fetched ({}); {}", name, e.getMessage(),
                     valid == null ? "no policy applies" : "the cached one applies until " + valid.fetched().plus(valid.maxAge()));
            return new Resolution(valid, e.failure(), e.getMessage());
        }
    }

    /** How long a domain found without an MTA-STS record is taken to have none. */
    public static final Duration NO_RECORD_RECHECK = Duration.ofMinutes(5);
    private static final int NO_RECORD_LIMIT = 100_000;

    private void rememberNoRecord(String name, Instant now) {
        if (noRecord.size() >= NO_RECORD_LIMIT) {
            noRecord.values().removeIf(until -> !now.isBefore(until));
            if (noRecord.size() >= NO_RECORD_LIMIT) {
                noRecord.clear();
            }
        }
        noRecord.put(name, now.plus(NO_RECORD_RECHECK));
    }

    static Instant refreshAt(MtaStsPolicy p) {
        Duration margin = p.maxAge().dividedBy(4);
        return p.fetched().plus(p.maxAge()).minus(margin.compareTo(REFRESH_BEFORE_EXPIRY) > 0 ? REFRESH_BEFORE_EXPIRY : margin);
    }

    /** The one STSv1 record at _mta-sts.<domain>; null when there is none or more than one (section 3.1). */
    MtaStsRecord record(String domain) throws IOException {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString("_mta-sts." + domain + "."), Type.TXT, DClass.IN);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("Expected a domain name but found '" + domain + "'", e);
        }
        if (resolver != null) {
            lookup.setResolver(resolver);
        }
        lookup.setCache(null);
        Record[] answers = lookup.run();
        if (lookup.getResult() == Lookup.TRY_AGAIN) {
            throw new IOException("the look-up of _mta-sts." + domain + " TXT failed: " + lookup.getErrorString());
        }
        List<String> sts = new ArrayList<>();
        if (answers != null) {
            for (Record r : answers) {
                if (r instanceof TXTRecord txt) {
                    String text = String.join("", txt.getStrings());
                    if (MtaStsRecord.isStsRecord(text)) {
                        sts.add(text);
                    }
                }
            }
        }
        return sts.size() == 1 ? MtaStsRecord.parse(sts.get(0)) : null;
    }

    MtaStsPolicy fetch(String domain, String id, Instant now) throws MtaStsFetchException {
        String url = "https://mta-sts." + domain + (port == 443 ? "" : ":" + port) + "/.well-known/mta-sts.txt";
        HttpGet get = new HttpGet(url);
        // the socket timeouts bound each read; this bounds the whole fetch, which a server trickling bytes would stretch
        CompletableFuture.delayedExecutor(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(get::cancel);
        try {
            return http.execute(get, response -> {
                if (response.getCode() != 200) {
                    throw new MtaStsFetchException(TlsResult.Failure.STS_POLICY_FETCH_ERROR, "expected HTTP 200 from " + url
                            + " but got " + response.getCode() + (response.getCode() / 100 == 3 ? " (redirects are not followed)" : ""));
                }
                HttpEntity entity = response.getEntity();
                ContentType type = entity == null ? null : ContentType.parseLenient(entity.getContentType());
                if (type == null || !"text/plain".equalsIgnoreCase(type.getMimeType())) {
                    throw new MtaStsFetchException(TlsResult.Failure.STS_POLICY_INVALID, "expected media type text/plain from "
                            + url + " but got " + (type == null ? "none" : type.getMimeType()));
                }
                byte[] body;
                try (InputStream in = entity.getContent()) {
                    body = in.readNBytes(MAX_POLICY_SIZE + 1);
                }
                if (body.length > MAX_POLICY_SIZE) {
                    throw new MtaStsFetchException(TlsResult.Failure.STS_POLICY_INVALID, "expected a policy of at most "
                            + MAX_POLICY_SIZE + " octets from " + url + " but it is longer");
                }
                try {
                    return MtaStsPolicy.parse(new String(body, StandardCharsets.UTF_8), id, now);
                } catch (IllegalArgumentException e) {
                    throw new MtaStsFetchException(TlsResult.Failure.STS_POLICY_INVALID, e.getMessage() + " (" + url + ")");
                }
            });
        } catch (MtaStsFetchException e) {
            throw e;
        } catch (IOException e) {
            // a certificate that fails verification or names another host ends up here too
            boolean webPki = causedBy(e, javax.net.ssl.SSLException.class);
            throw new MtaStsFetchException(webPki ? TlsResult.Failure.STS_WEBPKI_INVALID : TlsResult.Failure.STS_POLICY_FETCH_ERROR,
                    "cannot fetch " + url + ": " + (get.isCancelled() ? "no policy within " + fetchTimeout.toMillis() + " ms"
                                                            : e.getMessage()));
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    /** Why a policy could not be had; the message says what was expected and what was found. */
    public static final class MtaStsFetchException extends IOException {

        private final TlsResult.Failure failure;

        MtaStsFetchException(TlsResult.Failure failure, String message) {
            super(message);
            this.failure = failure;
        }

        /** The TLS-RPT result type of this failure. */
        public TlsResult.Failure failure() {
            return failure;
        }
    }

    /** Host names for the fetch through the component's DNS servers, as the MX look-ups. */
    private static final class DnsjavaResolver implements DnsResolver {

        private final Resolver resolver;

        DnsjavaResolver(Resolver resolver) {
            this.resolver = resolver;
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            List<InetAddress> out = new ArrayList<>();
            for (int type : new int[] {Type.A, Type.AAAA}) {
                Lookup lookup;
                try {
                    lookup = new Lookup(Name.fromString(host.endsWith(".") ? host : host + "."), type, DClass.IN);
                } catch (TextParseException e) {
                    throw new UnknownHostException(host);
                }
                lookup.setResolver(resolver);
                lookup.setCache(null);
                Record[] records = lookup.run();
                if (records != null) {
                    for (Record r : records) {
                        if (r instanceof ARecord a) {
                            out.add(InetAddress.getByAddress(host, a.getAddress().getAddress()));
                        } else if (r instanceof AAAARecord aaaa) {
                            out.add(InetAddress.getByAddress(host, aaaa.getAddress().getAddress()));
                        }
                    }
                }
            }
            if (out.isEmpty()) {
                throw new UnknownHostException(host);
            }
            return out.toArray(new InetAddress[0]);
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }

    /** Settings of {@link MtaStsPolicies}. */
    public static final class Builder {

        private Resolver resolver;
        private MtaStsStore store = MtaStsStore.inMemory();
        private Clock clock = Clock.systemUTC();
        private int port = 443;
        private Duration fetchTimeout = Duration.ofSeconds(30);
        private SSLContext sslContext;

        private Builder() {
        }

        /** The DNS resolver for TXT and the policy host; null (default) for dnsjava's default (the system's servers). */
        public Builder resolver(Resolver resolver) {
            this.resolver = resolver;
            return this;
        }

        public Builder store(MtaStsStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The policy host's HTTPS port: 443 but for tests. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("Expected a port from 1 to 65535 but found " + port);
            }
            this.port = port;
            return this;
        }

        /** Connect, read and response timeout of the fetch each. */
        public Builder fetchTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("Expected a positive fetch timeout but found " + timeout);
            }
            this.fetchTimeout = timeout;
            return this;
        }

        /** Whom to trust for the policy host's certificate; the JVM's default trust when not set. */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        public MtaStsPolicies build() {
            if (sslContext == null) {
                try {
                    sslContext = SSLContext.getDefault();
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException("The JVM has no default SSLContext", e);
                }
            }
            return new MtaStsPolicies(this);
        }
    }
}
