import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestCertificateAuthority;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The DANE and MTA-STS cases of DaneDeliveryTest and MtaStsDeliveryTest against real DNS software: NSD from the
 * Debian archive serving zones signed with ldns-keygen and ldns-signzone (a signed parent zone "example." holding the
 * DS records of its signed children and none for the unsigned ones, the parent's DS being the only trust anchor), and
 * the producer validating the answers itself (dnssec=true, dnsServers pointing at NSD). SMTP servers are
 * TestSmtpServer on 127.0.0.2 and .3, the MTA-STS policies come from a JDK HttpsServer on 127.0.0.4, certificates from
 * one TestCertificateAuthority. Prints one PASS or FAIL line per case and a summary. Run by bench/dane-real-dns.sh.
 * <p>
 * Argument: an empty working directory (zones, keys, certificates, nsd.conf and NSD's log go there). Exit status 0
 * when every case passed.
 */
public class RealDnsCases {

    static final String MX1 = "127.0.0.2";
    static final String MX2 = "127.0.0.3";
    static final String POLICY_HOST = "127.0.0.4";
    static final String NSD_ADDRESS = "127.0.0.53";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String RAW = "From: Alice <alice@sender.example>\r\nTo: Bob <bob@dane.example>\r\n"
                              + "Subject: real DNS\r\nMessage-ID: <real-dns-1@sender.example>\r\n"
                              + "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nHello over verified TLS.\r\n";

    static Path work;
    static int smtpPort;
    static TestSmtpServer mx1;
    static TestSmtpServer mx2;
    static final List<TlsResult> TLS_EVENTS = new CopyOnWriteArrayList<>();
    static ProducerTemplate template;
    static String uri;
    static int passed;
    static int failed;

    public static void main(String[] args) throws Exception {
        work = Path.of(args[0]);
        Path zones = Files.createDirectories(work.resolve("zones"));

        TestCertificateAuthority ca = TestCertificateAuthority.create(Files.createDirectories(work.resolve("certs")),
                "Real DNS Test CA");
        // one keytool run for every name the CA vouches for: the DANE-TA host, the MTA-STS MX host and policy hosts
        SSLContext caSigned = ca.serverContext("mx1.ta.example", "mx1.sts.example", "mta-sts.sts.example",
                "mta-sts.stsmismatch.example", "mta-sts.stsbadcert.example");
        SSLContext selfSigned = TestCertificates.serverContext();
        String serverKey = hex(spki(TestCertificates.certificate()));
        String caKey = hex(spki(ca.certificate()));

        smtpPort = TestSmtpServer.freePortOnAll(MX1, MX2);
        int dnsPort = freeUdpAndTcpPort(NSD_ADDRESS);
        String tlsa = "_" + smtpPort + "._tcp.";
        Map<String, Zone> children = new LinkedHashMap<>();
        children.put("dane", Zone.signed("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 3 1 1 " + serverKey));
        children.put("ta", Zone.signed("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 2 1 1 " + caKey));
        children.put("tawrong", Zone.signed("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 2 1 1 " + caKey));
        // the TLSA record is of the CA's key, which the server's self-signed certificate is not
        children.put("nomatch", Zone.signed("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 3 1 1 " + caKey));
        children.put("nextmx", Zone.signed("@ MX 10 mx1", "@ MX 20 mx2", "mx1 A " + MX1, "mx2 A " + MX2,
                tlsa + "mx1 TLSA 3 1 1 " + caKey, tlsa + "mx2 TLSA 3 1 1 " + serverKey));
        children.put("notls", Zone.signed("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 3 1 1 " + serverKey));
        children.put("bogus", Zone.signed("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 3 1 1 " + serverKey).corrupt("MX"));
        children.put("bogustlsa", Zone.signed("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 3 1 1 " + serverKey).corrupt("TLSA"));
        children.put("requiretls", Zone.signed("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 3 1 1 " + serverKey));
        // TLSA records matching nothing, in a zone DNSSEC cannot vouch for: they must not count
        children.put("unsigned", Zone.unsigned("@ MX 10 mx1", "mx1 A " + MX1, tlsa + "mx1 TLSA 3 1 1 " + "00".repeat(32)));
        // the preferred MX host is not in the policy, which names mx1.sts.example
        children.put("sts", Zone.unsigned("@ MX 10 mx2", "@ MX 20 mx1", "mx1 A " + MX1, "mx2 A " + MX2,
                "_mta-sts TXT \"v=STSv1; id=1;\"", "mta-sts A " + POLICY_HOST));
        children.put("stsmismatch", Zone.unsigned("@ MX 10 mx2", "mx2 A " + MX2,
                "_mta-sts TXT \"v=STSv1; id=1;\"", "mta-sts A " + POLICY_HOST));
        children.put("stsbadcert", Zone.unsigned("@ MX 10 mx1", "mx1 A " + MX1,
                "_mta-sts TXT \"v=STSv1; id=1;\"", "mta-sts A " + POLICY_HOST));

        List<String> parent = new ArrayList<>(List.of("@ NS ns", "ns A " + NSD_ADDRESS));
        for (Map.Entry<String, Zone> child : children.entrySet()) {
            String origin = child.getKey() + ".example.";
            parent.add(child.getKey() + " NS ns.example.");
            String ds = child.getValue().write(zones, origin);
            if (ds != null) {
                parent.add(ds);
            }
        }
        String anchor = Zone.signed(parent.toArray(String[]::new)).write(zones, "example.");
        Path anchors = work.resolve("trust-anchors.txt");
        Files.writeString(anchors, anchor + "\n", StandardCharsets.US_ASCII);

        Process nsd = startNsd(zones, dnsPort, List.copyOf(children.keySet()));
        CamelContext context = new DefaultCamelContext();
        HttpsServer policies = null;
        try {
            awaitNsd(nsd, dnsPort);
            policies = policyServer(caSigned, Map.of(
                    "mta-sts.sts.example", policy("mx1.sts.example"),
                    "mta-sts.stsmismatch.example", policy("mx1.stsmismatch.example"),
                    "mta-sts.stsbadcert.example", policy("mx1.stsbadcert.example")));
            System.out.println("NSD " + nsdVersion() + " on " + NSD_ADDRESS + ":" + dnsPort + " serving example. and "
                               + children.size() + " child zones (" + children.values().stream().filter(z -> z.signed).count()
                               + " signed with ldns-signzone, trust anchor " + anchor.replaceAll("\\s+", " ") + ")");

            TrustManagersParameters trust = new TrustManagersParameters();
            trust.setTrustManager(ca.trustManager());
            SSLContextParameters caTrust = new SSLContextParameters();
            caTrust.setTrustManagers(trust);
            context.getRegistry().bind("caTrust", caTrust);
            context.getRegistry().bind("tlsEvents", new SmtpRelayListener() {
                @Override
                public void tlsResult(TlsResult result) {
                    TLS_EVENTS.add(result);
                }
            });
            context.start();
            template = context.createProducerTemplate();
            uri = "smtprelay:realdns?dnsServers=" + NSD_ADDRESS + ":" + dnsPort + "&mxPort=" + smtpPort
                  + "&heloName=relay.sender.example&dnssec=true&dnssecTrustAnchors=" + anchors
                  + "&mtaStsPort=" + policies.getAddress().getPort() + "&mtaStsSslContextParameters=#caTrust"
                  + "&sslContextParameters=#caTrust&connectionIdleTimeout=0"
                  + "&dnsTimeout=3000&connectTimeout=3000&commandTimeout=10000&dataTimeout=10000";

            runCases(caSigned, selfSigned, serverKey);
        } finally {
            context.stop();
            if (policies != null) {
                policies.stop(0);
            }
            nsd.destroy();
            if (!nsd.waitFor(10, TimeUnit.SECONDS)) {
                nsd.destroyForcibly();
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    static void runCases(SSLContext caSigned, SSLContext selfSigned, String serverKey) throws InterruptedException {
        run("dane-ee", "delivered over TLS to mx1.dane.example, tls=dane-ee (TLSA 3 1 1 of the server's key)", c -> {
            mx1.advertiseStartTls(selfSigned);
            RecipientStatus s = send("bob@dane.example", false, c);
            c.delivered(s, "mx1.dane.example", "dane-ee");
            c.receivedOverTls(mx1, "bob@dane.example");
            c.eq("TLS results", results(), List.of("mx1.dane.example tlsa ok"));
            c.eq("TLSA record reported", TLS_EVENTS.isEmpty() ? null : TLS_EVENTS.get(0).policyStrings(),
                    List.of("3 1 1 " + serverKey));
        });
        run("dane-ta", "delivered over TLS to mx1.ta.example, tls=dane-ta (TLSA 2 1 1 of the CA that signed its certificate)", c -> {
            mx1.advertiseStartTls(caSigned);
            RecipientStatus s = send("bob@ta.example", false, c);
            c.delivered(s, "mx1.ta.example", "dane-ta");
            c.receivedOverTls(mx1, "bob@ta.example");
        });
        run("dane-ta-wrong-name", "deferred 4.7.5, tls=dane-fail (the certificate names none of [mx1.tawrong.example]), no MAIL FROM", c -> {
            mx1.advertiseStartTls(caSigned);
            RecipientStatus s = send("bob@tawrong.example", false, c);
            c.deferred(s, "4.7.5", "dane-fail (the certificate names none of [mx1.tawrong.example])");
            c.noMailFrom(mx1);
        });
        run("dane-no-match", "deferred 4.7.5, tls=dane-fail (no TLSA match), STARTTLS but no MAIL FROM at mx1", c -> {
            mx1.advertiseStartTls(selfSigned);
            RecipientStatus s = send("bob@nomatch.example", false, c);
            c.deferred(s, "4.7.5", "dane-fail (no TLSA match)");
            c.isTrue("STARTTLS sent to mx1", mx1.commands().contains("STARTTLS"), "commands at mx1 " + mx1.commands());
            c.noMailFrom(mx1);
            c.eq("TLS results", results(), List.of("mx1.nomatch.example tlsa validation-failure"));
        });
        run("dane-no-match-next-mx", "mx1 deferred (dane-fail (no TLSA match)), then delivered to mx2.nextmx.example with tls=dane-ee", c -> {
            mx1.advertiseStartTls(selfSigned);
            mx2.advertiseStartTls(selfSigned);
            RecipientStatus s = send("bob@nextmx.example", false, c);
            c.delivered(s, "mx2.nextmx.example", "dane-ee");
            c.noMailFrom(mx1);
            c.receivedOverTls(mx2, "bob@nextmx.example");
            c.eq("TLS results", results(), List.of("mx1.nextmx.example tlsa validation-failure", "mx2.nextmx.example tlsa ok"));
        });
        run("dane-starttls-stripped", "deferred 4.7.5, tls=dane-fail (STARTTLS not offered), no MAIL FROM", c -> {
            // mx1 offers no STARTTLS, as when someone on the path removes it from the EHLO reply
            RecipientStatus s = send("bob@notls.example", false, c);
            c.deferred(s, "4.7.5", "dane-fail (STARTTLS not offered)");
            c.noMailFrom(mx1);
            c.eq("TLS results", results(), List.of("mx1.notls.example tlsa starttls-not-supported"));
        });
        run("unsigned-insecure", "insecure zone: its TLSA record ignored, delivered with tls=opportunistic", c -> {
            mx1.advertiseStartTls(selfSigned);
            RecipientStatus s = send("bob@unsigned.example", false, c);
            c.delivered(s, "mx1.unsigned.example", "opportunistic");
            c.receivedOverTls(mx1, "bob@unsigned.example");
        });
        run("bogus-mx", "MX RRSIG corrupted: deferred 4.7.5 (DNSSEC validation failed), no connection, no fallback", c -> {
            mx1.advertiseStartTls(selfSigned);
            RecipientStatus s = send("bob@bogus.example", false, c);
            c.deferred(s, "4.7.5", null);
            c.startsWith("reply", s == null ? null : s.replyText(), "DNSSEC validation failed for name=bogus.example type=MX");
            c.eq("connections to mx1", mx1.connections(), 0);
        });
        run("bogus-tlsa", "TLSA RRSIG corrupted: deferred 4.7.5, tls=dane-fail (TLSA look-up not validated), no connection", c -> {
            mx1.advertiseStartTls(selfSigned);
            RecipientStatus s = send("bob@bogustlsa.example", false, c);
            c.deferred(s, "4.7.5", "dane-fail (TLSA look-up not validated)");
            c.eq("connections to mx1", mx1.connections(), 0);
            c.eq("TLS results", results(), List.of("mx1.bogustlsa.example tlsa dnssec-invalid"));
        });
        run("mta-sts-enforce", "delivered to mx1.sts.example (in the policy) with tls=mta-sts; mx2.sts.example (not in it) never connected", c -> {
            mx1.advertiseStartTls(caSigned);
            mx2.advertiseStartTls(caSigned);
            RecipientStatus s = send("bob@sts.example", false, c);
            c.delivered(s, "mx1.sts.example", "mta-sts");
            c.receivedOverTls(mx1, "bob@sts.example");
            c.eq("connections to mx2", mx2.connections(), 0);
            c.eq("TLS results", results(), List.of("mx2.sts.example sts validation-failure", "mx1.sts.example sts ok"));
        });
        run("mta-sts-mx-not-in-policy", "deferred 4.7.5, tls=mta-sts-fail (mx2.stsmismatch.example is not an MX host of the policy), never connected", c -> {
            mx2.advertiseStartTls(caSigned);
            RecipientStatus s = send("bob@stsmismatch.example", false, c);
            c.deferred(s, "4.7.5", "mta-sts-fail (mx2.stsmismatch.example is not an MX host of the policy)");
            c.eq("connections to mx2", mx2.connections(), 0);
        });
        run("mta-sts-untrusted-certificate", "deferred 4.7.5, tls=mta-sts-fail (certificate not trusted: ...), no MAIL FROM", c -> {
            mx1.advertiseStartTls(selfSigned);
            RecipientStatus s = send("bob@stsbadcert.example", false, c);
            c.deferred(s, "4.7.5", null);
            c.startsWith("tls", s == null ? null : s.tlsPolicy(), "mta-sts-fail (certificate not trusted: ");
            c.noMailFrom(mx1);
        });
        run("requiretls-dane", "REQUIRETLS message delivered over DANE (tls=dane-ee) with MAIL FROM ... REQUIRETLS", c -> {
            mx1.advertiseStartTls(selfSigned).offer("REQUIRETLS");
            RecipientStatus s = send("bob@requiretls.example", true, c);
            c.delivered(s, "mx1.requiretls.example", "dane-ee");
            c.receivedOverTls(mx1, "bob@requiretls.example");
            c.isTrue("MAIL FROM with REQUIRETLS", mx1.commands().stream().anyMatch(l -> l.startsWith("MAIL FROM:") && l.contains(" REQUIRETLS")),
                    "commands at mx1 " + mx1.commands());
        });
        run("requiretls-unsigned", "REQUIRETLS message to an unsigned domain: failed 5.7.30, no connection", c -> {
            mx1.advertiseStartTls(selfSigned).offer("REQUIRETLS");
            RecipientStatus s = send("bob@unsigned.example", true, c);
            c.eq("outcome", s == null ? null : s.outcome(), Outcome.FAILED);
            c.eq("status", s == null ? null : s.enhancedStatus(), "5.7.30");
            c.startsWith("reply", s == null ? null : s.replyText(), "REQUIRETLS support required: ");
            c.eq("connections to mx1", mx1.connections(), 0);
        });
    }

    // ---------------------------------------------------------------- running a case

    interface Body {
        void check(Checks c) throws Exception;
    }

    /** Runs one case against fresh SMTP servers on the zones' port and prints its PASS or FAIL line. */
    static void run(String name, String expected, Body body) throws InterruptedException {
        Checks checks = new Checks();
        TLS_EVENTS.clear();
        mx1 = startSmtp(MX1);
        mx2 = startSmtp(MX2);
        try {
            body.check(checks);
        } catch (Exception | AssertionError e) {
            checks.found.add(e.toString());
        } finally {
            mx1.close();
            mx2.close();
        }
        if (checks.found.isEmpty()) {
            passed++;
            System.out.println("PASS " + name + ": " + expected);
        } else {
            failed++;
            System.out.println("FAIL " + name + ": expected " + expected + " but found " + String.join("; ", checks.found));
        }
    }

    /**
     * A TestSmtpServer on the zones' port, waiting (at most 5 seconds) for the previous case's listening socket to be
     * gone: a socket closed while its accept thread is blocked is released only once that thread wakes.
     */
    static TestSmtpServer startSmtp(String address) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                return TestSmtpServer.start(address, smtpPort);
            } catch (java.io.UncheckedIOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    /** Sends the message to the recipient and returns its status from the producer's report, or null without one. */
    static RecipientStatus send(String recipient, boolean requireTls, Checks c) {
        Exchange exchange = template.send(uri, e -> {
            e.getMessage().setBody(RAW);
            e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, recipient);
            if (requireTls) {
                e.getMessage().setHeader(SmtpRelayConstants.REQUIRE_TLS, true);
            }
        });
        DeliveryReport report = exchange.getMessage().getHeader(SmtpRelayConstants.REPORT, DeliveryReport.class);
        if (report == null || report.statuses().size() != 1) {
            c.found.add("report " + report + (exchange.getException() == null ? "" : ", exception " + exchange.getException()));
            return null;
        }
        return report.statuses().get(0);
    }

    /** The TLS results of the case as "mx-host policy-type outcome". */
    static List<String> results() {
        return TLS_EVENTS.stream().map(r -> r.mxHost() + " " + r.policyType().value() + " "
                                            + (r.success() ? "ok" : r.failure().value())).toList();
    }

    /** What a case found that it did not expect, in words. */
    static final class Checks {
        final List<String> found = new ArrayList<>();

        void eq(String what, Object actual, Object expected) {
            if (!Objects.equals(actual, expected)) {
                found.add(what + " " + actual);
            }
        }

        void startsWith(String what, String actual, String prefix) {
            if (actual == null || !actual.startsWith(prefix)) {
                found.add(what + " " + actual);
            }
        }

        void isTrue(String what, boolean condition, String otherwise) {
            if (!condition) {
                found.add("not " + what + ": " + otherwise);
            }
        }

        void delivered(RecipientStatus s, String host, String tlsPolicy) {
            if (s == null) {
                return;
            }
            eq("outcome", s.outcome(), Outcome.DELIVERED);
            eq("host", s.host(), host);
            eq("tls", s.tlsPolicy(), tlsPolicy);
            if (s.outcome() != Outcome.DELIVERED) {
                found.add("reply " + s.enhancedStatus() + " " + s.replyText());
            }
        }

        void deferred(RecipientStatus s, String status, String tlsPolicy) {
            if (s == null) {
                return;
            }
            eq("outcome", s.outcome(), Outcome.DEFERRED);
            eq("status", s.enhancedStatus(), status);
            if (tlsPolicy != null) {
                eq("tls", s.tlsPolicy(), tlsPolicy);
            }
        }

        void receivedOverTls(TestSmtpServer server, String recipient) {
            try {
                TestSmtpServer.Received m = server.awaitMessage(WAIT);
                eq("recipients at " + server.host(), m.recipients(), List.of(recipient));
                eq("TLS at " + server.host(), m.tls(), true);
            } catch (AssertionError e) {
                found.add(e.getMessage());
            }
        }

        void noMailFrom(TestSmtpServer server) {
            isTrue("no MAIL FROM at " + server.host(), server.commands().stream().noneMatch(l -> l.startsWith("MAIL FROM")),
                    "commands " + server.commands());
            eq("messages at " + server.host(), server.messages().size(), 0);
        }
    }

    // ---------------------------------------------------------------- zones, keys and NSD

    /** A zone's records relative to its origin; signed ones get a KSK and a ZSK (ECDSAP256SHA256) and ldns-signzone. */
    static final class Zone {
        final boolean signed;
        final List<String> records;
        String corruptType;

        private Zone(boolean signed, String... records) {
            this.signed = signed;
            this.records = List.of(records);
        }

        static Zone signed(String... records) {
            return new Zone(true, records);
        }

        static Zone unsigned(String... records) {
            return new Zone(false, records);
        }

        /** After signing, one byte of the signature over the RRset of this type is changed: validators find it bogus. */
        Zone corrupt(String type) {
            this.corruptType = type;
            return this;
        }

        /** Writes the zone file (signed if asked), and returns the DS record of its KSK for the parent, or null. */
        String write(Path dir, String origin) throws Exception {
            StringBuilder text = new StringBuilder("$ORIGIN " + origin + "\n$TTL 300\n"
                                                   + "@ SOA ns.example. hostmaster.example. 1 3600 600 86400 300\n");
            if (!origin.equals("example.")) {
                text.append("@ NS ns.example.\n");
            }
            records.forEach(r -> text.append(r).append('\n'));
            Path file = dir.resolve(origin + "zone");
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            Path served = dir.resolve(origin + "served");
            if (!signed) {
                Files.copy(file, served);
                return null;
            }
            String ksk = run(dir, "ldns-keygen", "-a", "ECDSAP256SHA256", "-k", origin).strip();
            String zsk = run(dir, "ldns-keygen", "-a", "ECDSAP256SHA256", origin).strip();
            // an inception an hour back, so a validator's clock a little behind this one's still accepts the signatures
            long inception = System.currentTimeMillis() / 1000 - 3600;
            run(dir, "ldns-signzone", "-i", String.valueOf(inception), "-f", served.getFileName().toString(),
                    file.getFileName().toString(), zsk, ksk);
            if (corruptType != null) {
                corruptSignature(served, corruptType);
                if (verifies(dir, served)) {
                    throw new IllegalStateException("Expected ldns-verify-zone to reject " + served + " but it accepted it");
                }
            } else if (!verifies(dir, served)) {
                throw new IllegalStateException("Expected ldns-verify-zone to accept " + served + " but it rejected it");
            }
            return run(dir, "ldns-key2ds", "-n", "-2", ksk + ".key").strip();
        }

        private static void corruptSignature(Path file, String type) throws IOException {
            List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.US_ASCII));
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split("\\s+");
                if (f.length > 5 && f[3].equals("RRSIG") && f[4].equals(type)) {
                    String sig = f[f.length - 1];
                    // a character in the middle of the base64 text: the signature stays well-formed, its value wrong
                    int at = sig.length() / 2;
                    String changed = sig.substring(0, at) + (sig.charAt(at) == 'A' ? 'B' : 'A') + sig.substring(at + 1);
                    lines.set(i, lines.get(i).substring(0, lines.get(i).lastIndexOf(sig)) + changed);
                    Files.write(file, lines, StandardCharsets.US_ASCII);
                    return;
                }
            }
            throw new IllegalStateException("Expected an RRSIG over " + type + " in " + file + " but found none");
        }

        private static boolean verifies(Path dir, Path zone) throws Exception {
            Process p = new ProcessBuilder("ldns-verify-zone", zone.getFileName().toString()).directory(dir.toFile())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        }
    }

    /** Runs a command in the directory and returns its standard output; a non-zero exit is an error. */
    static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("Expected exit status 0 from " + String.join(" ", command) + " but found " + p.exitValue());
        }
        return out;
    }

    static Process startNsd(Path zones, int port, List<String> children) throws IOException {
        StringBuilder conf = new StringBuilder("server:\n")
                .append("    ip-address: ").append(NSD_ADDRESS).append('\n')
                .append("    port: ").append(port).append('\n')
                .append("    do-ip6: no\n    server-count: 1\n    verbosity: 1\n")
                // no privileges dropped and no database: everything stays in the working directory
                .append("    username: \"\"\n    chroot: \"\"\n    database: \"\"\n")
                .append("    zonesdir: \"").append(zones).append("\"\n")
                .append("    pidfile: \"").append(work.resolve("nsd.pid")).append("\"\n")
                .append("    xfrdfile: \"").append(work.resolve("xfrd.state")).append("\"\n")
                .append("    xfrdir: \"").append(work).append("\"\n")
                .append("    zonelistfile: \"").append(work.resolve("zone.list")).append("\"\n")
                .append("    logfile: \"").append(work.resolve("nsd.log")).append("\"\n")
                .append("remote-control:\n    control-enable: no\n")
                .append("zone:\n    name: example.\n    zonefile: example.served\n");
        for (String child : children) {
            conf.append("zone:\n    name: ").append(child).append(".example.\n    zonefile: ").append(child)
                    .append(".example.served\n");
        }
        Path file = work.resolve("nsd.conf");
        Files.writeString(file, conf, StandardCharsets.US_ASCII);
        return new ProcessBuilder("nsd", "-d", "-c", file.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("nsd.out").toFile()).start();
    }

    /** Waits (at most 20 seconds) until NSD answers the parent zone's SOA with authority. */
    static void awaitNsd(Process nsd, int port) throws Exception {
        SimpleResolver resolver = new SimpleResolver(InetAddress.getByName(NSD_ADDRESS));
        resolver.setPort(port);
        resolver.setTimeout(Duration.ofMillis(500));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!nsd.isAlive()) {
                throw new IllegalStateException("Expected NSD to keep running but it exited with " + nsd.exitValue()
                                                + ": " + Files.readString(work.resolve("nsd.out")) + readIfExists(work.resolve("nsd.log")));
            }
            try {
                Message answer = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("example."), Type.SOA, DClass.IN)));
                if (answer.getRcode() == Rcode.NOERROR && answer.getHeader().getFlag(org.xbill.DNS.Flags.AA)) {
                    return;
                }
                last = Rcode.string(answer.getRcode());
            } catch (IOException e) {
                last = e.toString();
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("Expected NSD to answer the SOA of example. within 20 s but found " + last);
    }

    static String readIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    static String nsdVersion() throws Exception {
        Process p = new ProcessBuilder("nsd", "-v").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        p.waitFor();
        return out.lines().findFirst().orElse("").replace("NSD version ", "");
    }

    /** A port free for both UDP and TCP on the address at the time of the call. */
    static int freeUdpAndTcpPort(String address) throws IOException {
        InetAddress a = InetAddress.getByName(address);
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(a, 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(port, 1, a)) {
                    return port;
                } catch (IOException taken) {
                    // the TCP port is in use: try another
                }
            }
        }
        throw new IllegalStateException("Expected a port free for UDP and TCP on " + address + " but found none in 50 tries");
    }

    // ---------------------------------------------------------------- MTA-STS policy server and certificates

    static String policy(String mx) {
        return "version: STSv1\r\nmode: enforce\r\nmx: " + mx + "\r\nmax_age: 86400\r\n";
    }

    /** An HTTPS server on 127.0.0.4 answering /.well-known/mta-sts.txt with the policy of the Host header's name. */
    static HttpsServer policyServer(SSLContext tls, Map<String, String> policies) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(POLICY_HOST), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            String host = Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst("Host"), "")
                    .replaceAll(":\\d+$", "").toLowerCase(Locale.ROOT);
            String body = policies.get(host);
            if (body == null || !exchange.getRequestURI().getPath().equals("/.well-known/mta-sts.txt")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }

    static byte[] spki(X509Certificate certificate) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
