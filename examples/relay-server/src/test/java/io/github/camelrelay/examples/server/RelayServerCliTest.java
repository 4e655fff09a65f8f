package io.github.camelrelay.examples.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.camelrelay.examples.server.testsupport.RelayServers;
import io.github.camelrelay.examples.server.testsupport.SmtpSubmission;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code relay-server mailq} and {@code relay-server queue ...} against a running relay server (the real application
 * with its management HTTP server on a loopback port), with mail deferred by a real MX host: the Postfix listing with
 * the reason, hold (the ! mark), release and flush, and the errors a user gets.
 */
class RelayServerCliTest {

    /** Recipients the MX host accepts; the others get 451. */
    static final Set<String> ACCEPTED = ConcurrentHashMap.newKeySet();

    @TempDir
    static Path dir;

    static TestSmtpServer mx;
    static TestDnsServer dns;
    static ConfigurableApplicationContext relay;
    static int smtpPort;
    static String url;

    @BeforeAll
    static void startRelay() throws Exception {
        int mxPort = TestSmtpServer.freePortOnAll("127.0.0.2");
        mx = TestSmtpServer.start("127.0.0.2", mxPort)
                .rcptReply(r -> ACCEPTED.contains(r) ? "250 2.1.5 OK" : "451 4.2.1 <" + r + ">: mailbox busy, try later");
        dns = TestDnsServer.start().mx("busy.test", 10, "mx.busy.test").a("mx.busy.test", "127.0.0.2");
        smtpPort = RelayServers.freePort();
        Map<String, String> p = RelayServers.testProperties("cli-test", dir.resolve("artemis"), smtpPort, dns, mxPort);
        // deferred mail stays deferred until an operator acts
        p.put("camel.smtprelay.relay.retry.initial-delay", "1h");
        p.put("camel.smtprelay.relay.retry.max-delay", "1h");
        p.put("camel.smtprelay.relay.retry.lifetime", "5d");
        relay = RelayServers.startWithHttp(p);
        url = "http://127.0.0.1:" + RelayServers.httpPort(relay);
    }

    @AfterAll
    static void stopRelay() throws Exception {
        RelayServers.closeAll(relay, mx, dns);
    }

    record Run(int status, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] withUrl = new String[args.length + 2];
        System.arraycopy(args, 0, withUrl, 0, args.length);
        withUrl[args.length] = "--url";
        withUrl[args.length + 1] = url;
        int status = new RelayServerCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), ZoneOffset.UTC).run(withUrl);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void send(String from, String to) {
        String reply = SmtpSubmission.send(smtpPort, from, List.of(to), "From: <" + from + ">\r\nTo: <" + to
                + ">\r\nSubject: cli\r\n\r\nHello\r\n");
        assertThat(reply).startsWith("250");
    }

    /** The queue id of the message whose listing block names the recipient, once its line shows the reason. */
    private static String deferredId(String recipient) {
        Run mailq = await().atMost(Duration.ofSeconds(30)).until(() -> cli("mailq"),
                r -> r.out().contains(recipient) && r.out().contains("451 4.2.1"));
        Matcher m = Pattern.compile("(?m)^(\\S+?)[*!#]?\\s+\\d+ .*\\R(?:\\s+\\(.*\\)\\R)?\\s+" + Pattern.quote(recipient) + "$")
                .matcher(mailq.out());
        assertThat(m.find()).as(mailq.out()).isTrue();
        return m.group(1);
    }

    @Test
    void mailqListsADeferredMessageInPostfixsFormatWithItsReason() {
        send("alice@sender.test", "bob@busy.test");
        String id = deferredId("bob@busy.test");

        String out = cli("mailq", "--recipient", "bob@busy.test").out();
        assertThat(out).startsWith("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------");
        // id, size, arrival (Postfix's "Tue Dec  1 10:00:00"), sender; then the reason, then the recipient
        assertThat(out).containsPattern("(?m)^" + Pattern.quote(id) + " +\\d+ +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d  alice@sender.test$");
        assertThat(out).containsPattern("(?m)^ {41}\\(host mx\\.busy\\.test\\[127\\.0\\.0\\.2\\]:\\d+ said: 451 4\\.2\\.1 <bob@busy.test>: mailbox busy, try later\\)$");
        assertThat(out).containsPattern("(?m)^ {41}bob@busy.test$");
        assertThat(out).containsPattern("(?m)^-- \\d+ Kbytes in 1 Request\\.$");
    }

    @Test
    void holdMarksTheMessageAndReleaseDeliversIt() {
        send("carol@sender.test", "dave@busy.test");
        String id = deferredId("dave@busy.test");

        Run hold = cli("queue", "hold", id);
        assertThat(hold.status()).as(hold.err()).isZero();
        assertThat(hold.out()).startsWith("hold: 1 entry (" + id + ")");
        await().atMost(Duration.ofSeconds(30)).until(() -> cli("mailq", "--state", "held").out(),
                o -> o.contains(id + "!") && o.contains("dave@busy.test"));

        ACCEPTED.add("dave@busy.test");
        Run release = cli("queue", "release", id);
        assertThat(release.out()).startsWith("release: 1 entry (" + id + ")");
        await().atMost(Duration.ofSeconds(30)).until(() -> mx.messages().stream().anyMatch(m -> m.recipients().contains("dave@busy.test")));
        await().atMost(Duration.ofSeconds(30)).until(() -> !cli("mailq").out().contains("dave@busy.test"));
    }

    @Test
    void flushRetriesTheDeferredMailNow() {
        send("erin@sender.test", "frank@busy.test");
        deferredId("frank@busy.test");

        ACCEPTED.add("frank@busy.test");
        Run flush = cli("queue", "flush", "--destination", "busy.test");
        assertThat(flush.status()).as(flush.err()).isZero();
        assertThat(flush.out()).startsWith("flush: ");
        await().atMost(Duration.ofSeconds(30)).until(() -> mx.messages().stream().anyMatch(m -> m.recipients().contains("frank@busy.test")));
    }

    @Test
    void mistakesGetAClearMessage() {
        Run noId = cli("queue", "delete");
        assertThat(noId.status()).isEqualTo(2);
        assertThat(noId.err()).contains("Expected an ID (ALL for every message), --destination or --sender");

        Run unknown = cli("queue", "vanish", "X");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("flush, hold, release, delete, requeue or bounce but found vanish");

        Run bounceWithHold = cli("queue", "hold", "X", "--bounce");
        assertThat(bounceWithHold.status()).isEqualTo(1);
        assertThat(bounceWithHold.err()).contains("HTTP 400").contains("bounce only with delete");

        int closed = RelayServers.freePort();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new RelayServerCli(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("MANAGEMENT_PORT", String.valueOf(closed)),
                ZoneOffset.UTC).run("mailq");
        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot connect to http://127.0.0.1:" + closed + "/actuator/mailqueue");
    }

    @Test
    void theMailQueuePageIsOffUnlessEnabled() throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url + "/mailqueue/index.html")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void anEmptySelectionListsAnEmptyQueue() {
        assertThat(cli("mailq", "--sender", "nobody@nowhere.test").out()).isEqualTo("Mail queue is empty" + System.lineSeparator());
    }
}
