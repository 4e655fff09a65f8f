package io.github.camelrelay.examples.server.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.examples.server.RelayServerApplication;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the relay server the way {@code java -jar} does (a new SpringApplication with the real application.yml),
 * with test settings given as command-line arguments so they win over the file and the environment.
 */
public final class RelayServers {

    private RelayServers() {
    }

    /**
     * The settings every test shares: SMTP ingress on {@code smtpPort}, the broker's data in {@code dataDir}, DNS from
     * the loopback test server, MX delivery to {@code mxPort}, short timeouts and a retry schedule in milliseconds.
     */
    public static Map<String, String> testProperties(String name, Path dataDir, int smtpPort, TestDnsServer dns, int mxPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("camel.main.name", name);
        p.put("camel.main.run-controller", "false");
        p.put("camel.main.shutdown-timeout", "5");
        p.put("spring.artemis.embedded.data-directory", dataDir.toString());
        // beside the journal, as RELAY_DATA_DIR puts them, rather than in the working directory where every test
        // instance would share one file (the settled record refuses a second user)
        p.put("camel.smtprelay.relay.settled.file", dataDir.resolve("settled-recipients.dat").toString());
        p.put("camel.component.smtprelay.mta-sts-cache-directory", dataDir.resolve("mta-sts").toString());
        p.put("camel.smtprelay.relay.ingress.port", String.valueOf(smtpPort));
        p.put("camel.smtprelay.relay.reporting-mta", "relay.test");
        p.put("camel.component.smtprelay.helo-name", "relay.test");
        // whatever the machine's environment says, these tests deliver by MX through the test DNS server
        p.put("camel.component.smtprelay.relay-host", "");
        p.put("camel.component.smtprelay.dns-servers", dns.address());
        p.put("camel.component.smtprelay.mx-port", String.valueOf(mxPort));
        p.put("camel.component.smtprelay.connect-timeout", "2000");
        p.put("camel.component.smtprelay.command-timeout", "5000");
        p.put("camel.component.smtprelay.data-timeout", "5000");
        p.put("camel.smtprelay.relay.retry.initial-delay", "300ms");
        p.put("camel.smtprelay.relay.retry.max-delay", "1s");
        p.put("camel.smtprelay.relay.retry.lifetime", "1m");
        p.put("camel.smtprelay.relay.retry.delay-warning", "0");
        return p;
    }

    /** Starts an instance with the given properties and extra bean sources (classes with @Bean methods). */
    public static ConfigurableApplicationContext start(Map<String, String> properties, Class<?>... beans) {
        List<String> args = new ArrayList<>();
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        Class<?>[] sources = new Class<?>[beans.length + 1];
        sources[0] = RelayServerApplication.class;
        System.arraycopy(beans, 0, sources, 1, beans.length);
        return new SpringApplicationBuilder(sources).web(WebApplicationType.NONE).run(args.toArray(String[]::new));
    }

    /**
     * Starts an instance with its management HTTP server on an ephemeral loopback port (read it with
     * {@link #httpPort}), as {@code java -jar} would with MANAGEMENT_PORT set.
     */
    public static ConfigurableApplicationContext startWithHttp(Map<String, String> properties, Class<?>... beans) {
        List<String> args = new ArrayList<>();
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        args.add("--server.port=0");
        Class<?>[] sources = new Class<?>[beans.length + 1];
        sources[0] = RelayServerApplication.class;
        System.arraycopy(beans, 0, sources, 1, beans.length);
        return new SpringApplicationBuilder(sources).web(WebApplicationType.SERVLET).run(args.toArray(String[]::new));
    }

    /** The port the instance's HTTP server listens on. */
    public static int httpPort(ConfigurableApplicationContext app) {
        return Integer.parseInt(app.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /**
     * Closes each of {@code things} that is not null, in order, even when an earlier one fails; the first failure is
     * thrown at the end. For the end of a test: the relay first, then the servers it talked to.
     */
    public static void closeAll(AutoCloseable... things) throws Exception {
        Exception first = null;
        for (AutoCloseable thing : things) {
            try {
                if (thing != null) {
                    thing.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** A new 2048-bit RSA key pair for DKIM, its private key written to {@code pem} as unencrypted PKCS#8 PEM. */
    public static java.security.KeyPair dkimKey(Path pem) throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair keys = generator.generateKeyPair();
        java.nio.file.Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return keys;
    }

    /** A TCP port free on 127.0.0.1 right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A message in a queue: its body as text and its delivery report, if it has one. */
    public record Queued(String body, String report) {
    }

    /** The messages in {@code queue}, browsed without taking them, through the application's ConnectionFactory. */
    public static List<Queued> browse(ConfigurableApplicationContext app, String queue) throws Exception {
        ConnectionFactory factory = app.getBean(ConnectionFactory.class);
        List<Queued> found = new ArrayList<>();
        try (Connection connection = factory.createConnection();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            connection.start();
            try (QueueBrowser browser = session.createBrowser(session.createQueue(queue))) {
                var messages = browser.getEnumeration();
                while (messages.hasMoreElements()) {
                    Message m = (Message) messages.nextElement();
                    found.add(new Queued(new String(m.getBody(byte[].class), java.nio.charset.StandardCharsets.UTF_8),
                            m.getStringProperty("SmtpRelayReportText")));
                }
            }
        }
        return found;
    }
}
