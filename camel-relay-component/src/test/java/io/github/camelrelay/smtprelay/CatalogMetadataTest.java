package io.github.camelrelay.smtprelay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.Test;

/**
 * What Camel tooling (camel-catalog, the IDE plugins, Camel JBang) reads of the component from its jar: the
 * discovery file every Apache component has, and a catalog whose flags, header groups and descriptions are right.
 */
class CatalogMetadataTest {

    /** The header groups Camel's own components use and its tooling knows. */
    private static final Set<String> HEADER_GROUPS = Set.of("common", "consumer", "producer", "advanced");

    private static String resource(String name) throws IOException {
        try (InputStream in = CatalogMetadataTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name + " on the class path").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonObject catalog() throws Exception {
        return (JsonObject) Jsoner.deserialize(resource("META-INF/io/github/camelrelay/smtprelay/smtprelay.json"));
    }

    @Test
    void theJarNamesItsComponentForDiscovery() throws Exception {
        Properties p = new Properties();
        p.load(new java.io.StringReader(resource("META-INF/services/org/apache/camel/component.properties")));

        assertThat(p.getProperty("components")).isEqualTo("smtprelay");
        assertThat(p.getProperty("groupId")).isEqualTo("io.github.camelrelay");
        assertThat(p.getProperty("artifactId")).isEqualTo("camel-relay-component");
    }

    @Test
    void theProducerIsListedAsAsynchronous() throws Exception {
        JsonObject component = (JsonObject) catalog().get("component");

        assertThat(component.getBoolean("async")).isTrue();
        assertThat(SmtpRelayProducer.class.getSuperclass().getSimpleName()).isEqualTo("DefaultAsyncProducer");
    }

    @Test
    void everyHeaderHasAKnownGroupAndAnIntactDescription() throws Exception {
        JsonObject headers = (JsonObject) catalog().get("headers");

        assertThat(headers).isNotEmpty();
        for (Map.Entry<String, Object> e : headers.entrySet()) {
            JsonObject header = (JsonObject) e.getValue();
            assertThat(header.getString("group")).as(e.getKey() + " group").isIn(HEADER_GROUPS);
            // the generator drops anything between angle brackets, which leaves a double space or a dangling word
            assertThat(header.getString("description")).as(e.getKey() + " description")
                    .doesNotContain("  ").doesNotContain(" or is ").doesNotContain("&lt;");
        }
    }
}
