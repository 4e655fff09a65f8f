package io.github.camelrelay.smtprelay.relay;

import java.nio.file.Path;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/** A real Artemis broker in the test JVM with a persistent journal, so a broker restart keeps queued messages. */
final class ArtemisBroker implements AutoCloseable {

    private final Path dataDir;
    private final String name;
    private EmbeddedActiveMQ server;

    ArtemisBroker(Path dataDir, String name) {
        this.dataDir = dataDir;
        this.name = name;
    }

    ArtemisBroker start() throws Exception {
        Configuration config = new ConfigurationImpl()
                .setName(name)
                .setPersistenceEnabled(true)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setSecurityEnabled(false)
                .addAcceptorConfiguration("in-vm", "vm://" + Math.abs(name.hashCode() % 1000));
        server = new EmbeddedActiveMQ();
        server.setConfiguration(config);
        server.start();
        return this;
    }

    ConnectionFactory connectionFactory() {
        // no prefetch: a consumer held by a slow delivery must not sit on messages the others could deliver
        return new ActiveMQConnectionFactory("vm://" + Math.abs(name.hashCode() % 1000) + "?consumerWindowSize=0");
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
