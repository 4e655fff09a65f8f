package io.github.camelrelay.smtprelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.server.SMTPServer;

/**
 * What stock SubEthaSMTP 7.2.2 does, measured on the wire: the reasons the listener replaces parts of it. If an
 * upgrade changes one of these, the test says which replacement to revisit.
 */
class SubEthaSmtpBehaviourTest {

    private SMTPServer server;
    private final List<byte[]> messages = new CopyOnWriteArrayList<>();
    private final List<Optional<String>> helos = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch hold = new CountDownLatch(0);

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private int start(UnaryOperator<SMTPServer.Builder> options) {
        SMTPServer.Builder b = SMTPServer.port(0).bindAddress(java.net.InetAddress.getLoopbackAddress()).hostName("stock.test")
                .messageHandler((context, from, to, data) -> {
                    try {
                        hold.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    helos.add(context.getHelo());
                    messages.add(data);
                });
        server = options.apply(b).build();
        server.start();
        return server.getPortAllocated();
    }

    private static void transaction(SmtpTestClient c) {
        assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
        assertThat(c.send("RCPT TO:<b@example.net>").code()).isEqualTo(250);
        assertThat(c.send("DATA").code()).isEqualTo(354);
    }

    /** Why CommandInput exists: no 512-octet limit, and a longer line ends the session instead of a 500. */
    @Test
    void commandLinesUpTo997CharactersAreTakenAndLongerOnesDropTheConnectionWith501() {
        int port = start(b -> b);
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            assertThat(c.send("NOOP " + "x".repeat(600)).code()).isEqualTo(250);
            assertThat(c.send("NOOP " + "x".repeat(1000)).text()).isEqualTo("501 Input line length is too long!");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** Why DataCommand reads the message itself: bare LF passes through and no text line limit applies. */
    @Test
    void dataPassesBareLineFeedsThroughAndHasNoLineLimit() {
        int port = start(b -> b);
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            c.send("EHLO client.test");
            transaction(c);
            c.write("Subject: x\r\n\r\nsmuggled\n.\nMAIL FROM:<x@y>\r\n" + "z".repeat(5000) + "\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        String data = new String(messages.get(0), StandardCharsets.ISO_8859_1);
        assertThat(data).contains("smuggled\n.\nMAIL FROM:<x@y>\r\n").contains("z".repeat(5000));
    }

    /** The one thing the listener relies on unchanged in spirit: the reply to the final dot waits for the handler. */
    @Test
    void theReplyToTheFinalDotWaitsUntilTheHandlerReturns() {
        hold = new CountDownLatch(1);
        int port = start(b -> b);
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            c.send("EHLO client.test");
            transaction(c);
            c.write("Subject: x\r\n\r\nx\r\n.\r\n");
            assertThat(c.silentFor(300)).isTrue();
            hold.countDown();
            assertThat(c.reply().code()).isEqualTo(250);
        }
    }

    /** Why StartTlsCommand need not change this part: plaintext pipelined after STARTTLS is dropped with the old reader. */
    @Test
    void plaintextPipelinedAfterStartTlsIsDiscarded() {
        int port = start(b -> b.enableTLS().startTlsSocketFactory(TestCertificates.serverContext()));
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            c.send("EHLO client.test");
            c.write("STARTTLS\r\nEHLO injected.test\r\n");
            assertThat(c.reply().code()).isEqualTo(220);
            c.handshake();
            transaction(c);
            c.write("Subject: x\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(helos).containsExactly(Optional.empty());
    }

    /** Why GreetingCommand and AuthCommand are replaced: AUTH is offered in clear text unless TLS is required for all. */
    @Test
    void ehloOffersAuthBeforeStartTlsAndAdvertisesChunking() {
        int port = start(b -> b.enableTLS().startTlsSocketFactory(TestCertificates.serverContext())
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((u, p, ctx) -> {
                })));
        try (SmtpTestClient c = SmtpTestClient.connect(port)) {
            SmtpTestClient.EhloResult ehlo = c.ehlo("client.test");
            assertThat(ehlo.offers("STARTTLS")).isTrue();
            assertThat(ehlo.offers("AUTH")).isTrue();
            assertThat(ehlo.offers("CHUNKING")).isTrue();
        }
    }

    /** Why CommandInput hides AUTH initial responses: the session logs every command line at DEBUG. */
    @Test
    void theSessionLogsAuthInitialResponsesAtDebug() {
        int port = start(b -> b.authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((u, p, ctx) -> {
        })));
        String secret = Base64.getEncoder().encodeToString("\0user\0the-password".getBytes(StandardCharsets.UTF_8));
        try (LogCapture logs = new LogCapture(); SmtpTestClient c = SmtpTestClient.connect(port)) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + secret).code()).isEqualTo(235);
            assertThat(logs.all()).contains("Client: AUTH PLAIN " + secret);
        }
    }
}
