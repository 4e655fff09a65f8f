package io.github.camelrelay.smtprelay.relay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The settled record shared by two relay instances on one broker, in a real PostgreSQL through camel-sql's
 * JdbcMessageIdRepository: a recipient one instance delivered is not sent again when the other instance gets the
 * same queue entry (a rollback's redelivery, or an entry submitted again under the same queue id). Needs a database:
 * {@code .ci/postgres-settled.sh} starts one on loopback and sets {@code smtprelay.postgres.url}; without it the test
 * is skipped, so {@code mvn verify} does not need PostgreSQL.
 */
@EnabledIfSystemProperty(named = "smtprelay.postgres.url", matches = ".+")
class SharedSettledRecordPostgresTest {

    private static final String IP = "127.0.0.2";
    private static final String QUEUE = "jms:queue:smtprelay.outbound?transacted=true&concurrentConsumers=4";
    /** The default table's messageId is VARCHAR(100): too short for a queue id and a 254-octet address. */
    static final String CREATE_TABLE = "CREATE TABLE CAMEL_MESSAGEPROCESSED (processorName VARCHAR(255), messageId VARCHAR(600),"
                                       + " createdAt TIMESTAMP, PRIMARY KEY (processorName, messageId))";
    private static final RetrySchedule FAST =
            new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofSeconds(30), Duration.ZERO);

    @TempDir
    Path dataDir;

    private ArtemisBroker broker;
    private TestDnsServer dns;
    private TestSmtpServer mx;
    private final List<DefaultCamelContext> contexts = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = new ArtemisBroker(dataDir.resolve("broker"), "pg-test").start();
        int port = TestSmtpServer.freePortOnAll(IP);
        mx = TestSmtpServer.start(IP, port);
        dns = TestDnsServer.start().mx("healthy.test", 10, "mx.healthy.test").a("mx.healthy.test", IP);
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS CAMEL_MESSAGEPROCESSED");
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (DefaultCamelContext c : contexts) {
            c.stop();
        }
        mx.close();
        dns.close();
        broker.close();
    }

    private static PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(System.getProperty("smtprelay.postgres.url"));
        ds.setUser(System.getProperty("smtprelay.postgres.user", "postgres"));
        return ds;
    }

    /** One relay instance with its own connection pool to the shared table, as a second host would have. */
    private DefaultCamelContext instance() throws Exception {
        JdbcMessageIdRepository settled = new JdbcMessageIdRepository(dataSource(), "smtprelay-settled");
        settled.setCreateTableIfNotExists(true);
        settled.setCreateString(CREATE_TABLE);
        DefaultCamelContext ctx = new DefaultCamelContext();
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        String delivery = "smtprelay:out?dnsServers=" + dns.address() + "&mxPort=" + mx.port()
                          + "&heloName=relay.example.test&addReceivedHeader=false";
        ctx.addRoutes(new SmtpRelayRoutes(new RelayRouteSettings(null, QUEUE, null, delivery, "jms:queue:smtprelay.dead",
                "relay.example.test", FAST, List.of()).withSettledRepository(settled)));
        ctx.start();
        contexts.add(ctx);
        return ctx;
    }

    private static void submit(DefaultCamelContext ctx, String recipients, String queueId) {
        ctx.createProducerTemplate().send(QUEUE, e -> {
            e.getMessage().setBody("From: alice@healthy.test\r\nSubject: shared\r\n\r\nHi\r\n".getBytes(StandardCharsets.UTF_8));
            e.getMessage().setHeader("SmtpRelayQueueId", queueId);
            e.getMessage().setHeader("SmtpRelayEnvelopeFrom", "alice@healthy.test");
            e.getMessage().setHeader("SmtpRelayRecipients", recipients);
        });
    }

    @Test
    void aRecipientOneInstanceDeliveredIsNotSentAgainByTheOther() throws Exception {
        String longBob = "b".repeat(64) + "@healthy.test";
        DefaultCamelContext first = instance();
        submit(first, "[\"" + longBob + "\"]", "4XyZqm1Shared");
        mx.awaitMessage(Duration.ofSeconds(20));
        first.stop();

        DefaultCamelContext second = instance();
        submit(second, "[\"" + longBob + "\",\"carol@healthy.test\"]", "4XyZqm1Shared");

        await().atMost(Duration.ofSeconds(20)).until(() -> mx.messages().stream().anyMatch(r -> r.recipients().contains("carol@healthy.test")));
        assertThat(mx.messages()).filteredOn(r -> r.recipients().contains(longBob)).hasSize(1);
        assertThat(mx.messages()).extracting(Received::recipients)
                .containsExactly(List.of(longBob), List.of("carol@healthy.test"));
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT messageId FROM CAMEL_MESSAGEPROCESSED ORDER BY createdAt")) {
            List<String> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
            assertThat(ids).containsExactly("4XyZqm1Shared " + longBob, "4XyZqm1Shared carol@healthy.test");
        }
    }
}
