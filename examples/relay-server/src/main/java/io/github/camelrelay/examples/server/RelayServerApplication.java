package io.github.camelrelay.examples.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A store-and-forward mail relay: SMTP in on 127.0.0.1:2525, a persistent Artemis queue, enrichment (Message-ID,
 * Date, extra headers, DKIM), delivery by MX or through a relay host, retries through the broker's delivery delay,
 * bounces to the sender and a dead-letter queue. Everything is configured in application.yml, whose placeholders
 * read environment variables; see docs/relay-server.md.
 * <p>
 * With {@code mailq} or {@code queue} as its first argument it is instead the command line of a running server
 * ({@link RelayServerCli}): {@code java -jar relay-server.jar mailq}.
 */
@SpringBootApplication
public class RelayServerApplication {

    public static void main(String[] args) {
        if (RelayServerCli.isCommand(args)) {
            RelayServerCli.main(args);
            return;
        }
        SpringApplication.run(RelayServerApplication.class, args);
    }
}
