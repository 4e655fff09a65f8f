package io.github.camelrelay.examples.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A store-and-forward mail relay: SMTP in on 127.0.0.1:2525, a persistent Artemis queue, enrichment (Message-ID,
 * Date, extra headers, DKIM), delivery by MX or through a relay host, retries through the broker's delivery delay,
 * bounces to the sender and a dead-letter queue. Everything is configured in application.yml, whose placeholders
 * read environment variables; see docs/relay-server.md.
 */
@SpringBootApplication
public class RelayServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(RelayServerApplication.class, args);
    }
}
