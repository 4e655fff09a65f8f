package io.github.camelrelay.smtprelay.producer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.github.camelrelay.smtprelay.SmtpRelayListener;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * BDAT to a real Postfix smtpd, run by {@code .ci/postfix-chunking.sh} (which starts a private Postfix instance and
 * sets POSTFIX_SMTP_PORT and POSTFIX_MAILDIR); skipped everywhere else. A 3 MiB message with 8-bit text and lines
 * that start with a dot goes in BDAT chunks, and the maildir file holds it unchanged (with LF line ends, as Postfix
 * writes mailboxes).
 */
@EnabledIfEnvironmentVariable(named = "POSTFIX_SMTP_PORT", matches = "\\d+")
class PostfixChunkingTest {

    @Test
    void postfixTakesALargeMessageInBdatChunksIntact() throws Exception {
        List<String> commands = new CopyOnWriteArrayList<>();
        List<String> replies = new CopyOnWriteArrayList<>();
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.getRegistry().bind("recorder", new SmtpRelayListener() {
            @Override
            public void commandSent(String host, String command) {
                commands.add(command);
            }

            @Override
            public void replyReceived(String host, int code, String text) {
                replies.add(code + " " + text);
            }
        });
        ctx.start();
        String token = "bdat-" + System.nanoTime();
        String line = ".Grüße 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n";
        String message = "From: alice@sender.test\r\nTo: bob@example.test\r\nSubject: " + token + "\r\nMIME-Version: 1.0\r\n"
                         + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                         + line.repeat(36_000);
        try {
            Exchange sent = ctx.createProducerTemplate().send("smtprelay:postfix?relayHost=127.0.0.1&relayPort="
                    + System.getenv("POSTFIX_SMTP_PORT") + "&tls=NONE&heloName=relay.test&addReceivedHeader=false"
                    + "&listener=#recorder", e -> e.getMessage().setBody(message.getBytes(StandardCharsets.UTF_8)));
            assertThat(sent.getException()).isNull();
        } finally {
            ctx.stop();
        }
        assertThat(commands).anyMatch(c -> c.startsWith("MAIL FROM:<alice@sender.test>") && c.contains(" BODY="))
                .contains("BDAT 1048576").anyMatch(c -> c.matches("BDAT \\d+ LAST")).doesNotContain("DATA");
        Path maildir = Path.of(System.getenv("POSTFIX_MAILDIR"), "new");
        Path[] file = new Path[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!Files.isDirectory(maildir)) {
                return false;
            }
            try (Stream<Path> files = Files.list(maildir)) {
                for (Path p : files.toList()) {
                    if (Files.readString(p, StandardCharsets.UTF_8).contains("Subject: " + token)) {
                        file[0] = p;
                        return true;
                    }
                }
            }
            return false;
        });
        String stored = Files.readString(file[0], StandardCharsets.UTF_8);
        // Postfix adds its trace fields above (and a Message-Id and Date, as the message has none); the body is ours
        String sentBody = message.substring(message.indexOf("\r\n\r\n") + 4).replace("\r\n", "\n");
        assertThat(stored.substring(stored.indexOf("\n\n") + 2)).isEqualTo(sentBody);
        assertThat(stored).contains("Subject: " + token + "\nMIME-Version: 1.0\n");
        System.out.println("Postfix replies: " + replies.stream().filter(r -> r.startsWith("250 2.0.0")).toList());
    }
}
