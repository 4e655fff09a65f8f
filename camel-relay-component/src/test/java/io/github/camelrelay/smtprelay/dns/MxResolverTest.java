package io.github.camelrelay.smtprelay.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import io.github.camelrelay.smtprelay.IpVersion;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** MX resolution against the test DNS server, without SMTP: order, fallbacks, failures and caching. */
class MxResolverTest {

    private TestDnsServer dns;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    private MxResolver resolver(IpVersion ipVersion, int maxAddresses, Random random) {
        return new MxResolver(MxResolver.resolverFor(dns.address(), Duration.ofMillis(500)), ipVersion, maxAddresses, random);
    }

    private MxResolver resolver() {
        return resolver(IpVersion.ANY, 10, new Random(1));
    }

    private static List<String> names(MxResolution r) {
        return r.hosts().stream().map(MxHost::name).toList();
    }

    @Test
    void hostsInPreferenceOrderWithTheirAddressesTaggedWithTheName() {
        dns.mx("example.test", 30, "c.example.test").mx("example.test", 10, "a.example.test").mx("example.test", 20, "b.example.test")
                .a("a.example.test", "192.0.2.1").a("b.example.test", "192.0.2.2").a("c.example.test", "192.0.2.3")
                .aaaa("a.example.test", "2001:db8::1");

        MxResolution r = resolver().resolve(Domain.of("Example.Test"));

        assertThat(r.status()).isEqualTo(MxResolution.Status.OK);
        assertThat(names(r)).containsExactly("a.example.test", "b.example.test", "c.example.test");
        assertThat(r.hosts()).extracting(MxHost::preference).containsExactly(10, 20, 30);
        List<InetAddress> a = r.hosts().get(0).addresses();
        assertThat(a).extracting(InetAddress::getHostAddress).containsExactly("192.0.2.1", "2001:db8:0:0:0:0:0:1");
        assertThat(a).extracting(InetAddress::getHostName).containsOnly("a.example.test");
    }

    @Test
    void ipVersionSelectsTheAddressFamilies() {
        dns.mx("example.test", 10, "a.example.test").a("a.example.test", "192.0.2.1").aaaa("a.example.test", "2001:db8::1");

        assertThat(resolver(IpVersion.IPV4, 10, new Random()).resolve(Domain.of("example.test")).hosts().get(0).addresses())
                .extracting(InetAddress::getHostAddress).containsExactly("192.0.2.1");
        assertThat(resolver(IpVersion.IPV6, 10, new Random()).resolve(Domain.of("example.test")).hosts().get(0).addresses())
                .extracting(InetAddress::getHostAddress).containsExactly("2001:db8:0:0:0:0:0:1");
        assertThat(dns.queries("a.example.test", Type.AAAA)).isEqualTo(1);
    }

    @Test
    void equalPreferencesAreShuffled() {
        for (String h : List.of("a", "b", "c")) {
            dns.mx("example.test", 10, h + ".example.test").a(h + ".example.test", "192.0.2.1");
        }
        dns.mx("example.test", 5, "first.example.test").a("first.example.test", "192.0.2.9");
        MxResolver resolver = resolver(IpVersion.IPV4, 10, new Random(42));

        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            List<String> order = names(resolver.resolve(Domain.of("example.test")));
            assertThat(order.get(0)).isEqualTo("first.example.test");
            assertThat(order.subList(1, 4)).containsExactlyInAnyOrder("a.example.test", "b.example.test", "c.example.test");
            orders.add(order);
        }

        assertThat(orders).as("different orders of the equal preferences").hasSizeGreaterThan(1);
        assertThat(dns.queries("example.test", Type.MX)).as("cached").isEqualTo(1);
    }

    @Test
    void maxAddressesLimitsWhatIsReturned() {
        dns.mx("example.test", 10, "a.example.test").mx("example.test", 20, "b.example.test")
                .a("a.example.test", "192.0.2.1").a("a.example.test", "192.0.2.2").a("b.example.test", "192.0.2.3");

        MxResolution r = resolver(IpVersion.IPV4, 2, new Random()).resolve(Domain.of("example.test"));

        assertThat(names(r)).containsExactly("a.example.test");
        assertThat(r.hosts().get(0).addresses()).hasSize(2);
    }

    @Test
    void anMxHostWithoutAddressIsSkipped() {
        dns.mx("example.test", 10, "gone.example.test").mx("example.test", 20, "b.example.test").a("b.example.test", "192.0.2.2");

        assertThat(names(resolver().resolve(Domain.of("example.test")))).containsExactly("b.example.test");
    }

    @Test
    void withoutMxTheDomainItselfIsTheImplicitMx() {
        dns.a("example.test", "192.0.2.7");

        MxResolution r = resolver().resolve(Domain.of("example.test"));

        assertThat(r.status()).isEqualTo(MxResolution.Status.OK);
        assertThat(names(r)).containsExactly("example.test");
        assertThat(r.hosts().get(0).preference()).isZero();
    }

    @Test
    void nullMx() {
        dns.mx("example.test", 0, ".");

        MxResolution r = resolver().resolve(Domain.of("example.test"));

        assertThat(r.status()).isEqualTo(MxResolution.Status.NULL_MX);
        assertThat(r.status().enhancedStatus()).isEqualTo("5.1.10");
        assertThat(r.hosts()).isEmpty();
        assertThat(dns.queries("example.test", Type.A)).as("no implicit MX for a null MX").isZero();
    }

    @Test
    void noSuchDomain() {
        MxResolution r = resolver().resolve(Domain.of("nowhere.test"));

        assertThat(r.status()).isEqualTo(MxResolution.Status.NO_SUCH_DOMAIN);
        assertThat(r.status().enhancedStatus()).isEqualTo("5.1.2");
        assertThat(r.detail()).contains("nowhere.test");
    }

    @Test
    void noAddressAnywhere() {
        dns.mx("example.test", 10, "dangling.example.test");

        MxResolution r = resolver().resolve(Domain.of("example.test"));

        assertThat(r.status()).isEqualTo(MxResolution.Status.NO_ADDRESS);
        assertThat(r.status().enhancedStatus()).isEqualTo("5.4.4");
    }

    @Test
    void servfailAndTimeoutAreTemporary() {
        dns.servfail("broken.test").drop("silent.test").mx("slowmx.test", 10, "mx.slowmx.test").drop("mx.slowmx.test");
        MxResolver resolver = resolver();

        for (String domain : List.of("broken.test", "silent.test", "slowmx.test")) {
            MxResolution r = resolver.resolve(Domain.of(domain));
            assertThat(r.status()).as(domain).isEqualTo(MxResolution.Status.TEMPORARY_FAILURE);
            assertThat(r.status().enhancedStatus()).startsWith("4.");
        }
    }

    @Test
    void mxNamesCountAgainstTheLimitWhenTriedNotWhenResolved() {
        dns.mx("slow.test", 10, "a.slow.test").mx("slow.test", 20, "b.slow.test").mx("slow.test", 30, "c.slow.test")
                .mx("slow.test", 40, "d.slow.test").drop("a.slow.test").drop("b.slow.test").a("c.slow.test", "127.0.0.5")
                .a("d.slow.test", "127.0.0.6");

        MxResolution r = resolver(IpVersion.IPV4, 2, new Random(1)).resolve(Domain.of("slow.test"));

        // the two names that time out use up maxAddresses=2: the names that would resolve are not looked up at all
        assertThat(r.status()).isEqualTo(MxResolution.Status.TEMPORARY_FAILURE);
        assertThat(dns.queries("a.slow.test", Type.A)).isPositive();
        assertThat(dns.queries("b.slow.test", Type.A)).isPositive();
        assertThat(dns.queries("c.slow.test", Type.A)).isZero();
        assertThat(dns.queries("d.slow.test", Type.A)).isZero();

        MxResolution wider = resolver(IpVersion.IPV4, 3, new Random(1)).resolve(Domain.of("slow.test"));
        assertThat(names(wider)).containsExactly("c.slow.test");
        assertThat(dns.queries("d.slow.test", Type.A)).as("three names tried: a, b, c").isZero();
    }

    @Test
    void allLookUpsOfOneDomainTogetherStopAtTheTotalDeadline() {
        for (String n : List.of("a", "b", "c", "d", "e")) {
            dns.mx("many.test", 10, n + ".many.test").nxdomain(n + ".many.test");
        }
        // a clock that advances one second each time it is read: the resolver reads it once for the deadline and
        // once before each name, so with 2.5 s in total it tries two names and stops before the third
        Clock stepping = new Clock() {
            private final java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.EPOCH.plusSeconds(reads.getAndIncrement());
            }
        };
        MxResolver resolver = new MxResolver(MxResolver.resolverFor(dns.address(), Duration.ofMillis(500)), IpVersion.IPV4,
                10, new Random(1), Duration.ofMillis(2500), stepping);

        MxResolution r = resolver.resolve(Domain.of("many.test"));

        assertThat(r.status()).isEqualTo(MxResolution.Status.TEMPORARY_FAILURE);
        assertThat(r.detail()).contains("took longer than 2500 ms in total");
        long tried = List.of("a", "b", "c", "d", "e").stream().filter(n -> dns.queries(n + ".many.test", Type.A) > 0).count();
        assertThat(tried).isEqualTo(2);
    }

    @Test
    void negativeAnswersAreCachedToo() {
        MxResolver resolver = resolver();

        resolver.resolve(Domain.of("nowhere.test"));
        resolver.resolve(Domain.of("nowhere.test"));

        assertThat(dns.queries("nowhere.test", Type.MX)).isEqualTo(1);
    }

    @Test
    void aTruncatedAnswerIsRetriedOverTcp() {
        dns.mx("example.test", 10, "a.example.test").a("a.example.test", "192.0.2.1").truncateUdp(true);

        assertThat(names(resolver().resolve(Domain.of("example.test")))).containsExactly("a.example.test");
        assertThat(dns.tcpQueries()).isPositive();
    }

    @Test
    void addressLiteralsNeedNoDns() {
        MxResolution r = resolver().resolve(Domain.of("[192.0.2.5]"));

        assertThat(r.hosts()).singleElement().satisfies(h -> assertThat(h.addresses())
                .extracting(InetAddress::getHostAddress).containsExactly("192.0.2.5"));
        assertThat(dns.queries()).isZero();
    }

    @Test
    void dnsServersOptionSyntax() {
        Duration t = Duration.ofMillis(100);
        assertThat(MxResolver.resolverFor("127.0.0.1", t)).isNotNull();
        assertThat(MxResolver.resolverFor("127.0.0.1:5353, [::1]:53", t)).isNotNull();
        assertThat(MxResolver.resolverFor("", t)).as("system resolvers").isNotNull();
        assertThatIllegalArgumentException().isThrownBy(() -> MxResolver.resolverFor("127.0.0.1:0", t)).withMessageContaining("127.0.0.1:0");
        assertThatIllegalArgumentException().isThrownBy(() -> MxResolver.resolverFor("127.0.0.1:x", t)).withMessageContaining("127.0.0.1:x");
        assertThatIllegalArgumentException().isThrownBy(() -> MxResolver.resolverFor("[::1", t)).withMessageContaining("[::1");
    }
}
