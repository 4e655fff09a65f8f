import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;

/**
 * The delivery sink of .ci/run-scripts-smoke.sh: the component's loopback test SMTP server on an ephemeral port of
 * 127.0.0.1, which it writes to DIR/port, and every message it accepts to DIR/message-N.eml, preceded by
 * X-Sink-Mail-From and X-Sink-Rcpt-To lines. It stops by itself after MINUTES (default 15) minutes.
 * Run with the source launcher: java -cp camel-relay-component/target/test-classes .ci/SmtpSink.java DIR [MINUTES]
 */
public final class SmtpSink {

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long deadline = System.nanoTime() + Duration.ofMinutes(args.length > 1 ? Long.parseLong(args[1]) : 15).toNanos();
        Files.createDirectories(dir);
        try (TestSmtpServer server = TestSmtpServer.start("127.0.0.1", 0)) {
            // written then moved, so the script never reads a half-written port
            Path tmp = dir.resolve("port.tmp");
            Files.writeString(tmp, String.valueOf(server.port()));
            Files.move(tmp, dir.resolve("port"), StandardCopyOption.ATOMIC_MOVE);
            System.out.println("SMTP sink listening on 127.0.0.1:" + server.port());
            int n = 0;
            while (System.nanoTime() < deadline) {
                TestSmtpServer.Received received;
                try {
                    received = server.awaitMessage(Duration.ofSeconds(1));
                } catch (AssertionError timeout) {
                    continue;
                }
                n++;
                String envelope = "X-Sink-Mail-From: <" + received.mailFrom() + ">\r\n"
                        + "X-Sink-Rcpt-To: " + String.join(", ", received.recipients()) + "\r\n";
                Path part = dir.resolve("message-" + n + ".tmp");
                Files.write(part, (envelope + received.text()).getBytes(StandardCharsets.UTF_8));
                Files.move(part, dir.resolve("message-" + n + ".eml"), StandardCopyOption.ATOMIC_MOVE);
                System.out.println("SMTP sink received message " + n + " for " + received.recipients());
            }
        }
    }
}
