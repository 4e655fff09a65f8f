import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the Maven dependency snippets of Markdown files into throw-away projects, one per file, for
 * .ci/doc-snippets.sh to build: every ```xml block holding a {@code <dependency>} is copied in as written, a
 * {@code <dependencyManagement>} block into the pom's dependencyManagement, any other block into its dependencies.
 * Each project gets one class that uses a type of every artifact its snippets declare, so "compiles" means the
 * snippet brings what it promises, not only that Maven found a pom.
 * Run with the source launcher: java .ci/DocSnippets.java OUTPUT_DIR FILE.md...
 * Prints one line per project written: the directory, a tab, the Markdown file.
 */
public final class DocSnippets {

    /** A type each artifact a snippet may name must provide; a new artifact in the docs gets its line here. */
    private static final Map<String, String> TYPE_OF_ARTIFACT = Map.ofEntries(
            Map.entry("io.github.camelrelay:camel-relay-component", "io.github.camelrelay.smtprelay.SmtpRelayComponent"),
            Map.entry("io.github.camelrelay:camel-relay-starter",
                    "io.github.camelrelay.springboot.SmtpRelayComponentAutoConfiguration"),
            Map.entry("org.apache.camel:camel-main", "org.apache.camel.main.Main"),
            Map.entry("org.apache.camel.springboot:camel-jms-starter", "org.apache.camel.component.jms.JmsComponent"),
            Map.entry("org.springframework.boot:spring-boot-starter-actuator",
                    "org.springframework.boot.actuate.endpoint.annotation.Endpoint"),
            Map.entry("org.springframework.boot:spring-boot-starter-artemis",
                    "org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory"),
            Map.entry("org.springframework.boot:spring-boot-starter-security-oauth2-client",
                    "org.springframework.security.oauth2.client.registration.ClientRegistrationRepository"),
            Map.entry("org.apache.artemis:artemis-jakarta-server",
                    "org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ"));

    private static final Pattern XML_BLOCK = Pattern.compile("(?ms)^[ \\t]*```xml[ \\t]*\\n(.*?)^[ \\t]*```");
    private static final Pattern DEPENDENCY = Pattern.compile("(?s)<dependency>(.*?)</dependency>");
    private static final Pattern GROUP = Pattern.compile("<groupId>\\s*([^<\\s]+)\\s*</groupId>");
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>\\s*([^<\\s]+)\\s*</artifactId>");

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        for (int i = 1; i < args.length; i++) {
            Path markdown = Path.of(args[i]);
            String text = Files.readString(markdown, StandardCharsets.UTF_8);
            List<String> management = new ArrayList<>();
            List<String> dependencies = new ArrayList<>();
            Set<String> types = new LinkedHashSet<>();
            Matcher block = XML_BLOCK.matcher(text);
            while (block.find()) {
                String xml = block.group(1);
                if (!xml.contains("<dependency>")) {
                    continue; // broker.xml and the like
                }
                if (xml.contains("<dependencyManagement>")) {
                    management.add(xml);
                    continue;
                }
                dependencies.add(xml);
                Matcher dependency = DEPENDENCY.matcher(xml);
                while (dependency.find()) {
                    String coordinates = coordinates(dependency.group(1), markdown);
                    String type = TYPE_OF_ARTIFACT.get(coordinates);
                    if (type == null) {
                        throw new IllegalStateException(markdown + " names " + coordinates
                                + ", which .ci/DocSnippets.java does not know: add a type it provides to TYPE_OF_ARTIFACT");
                    }
                    types.add(type);
                }
            }
            if (dependencies.isEmpty() && management.isEmpty()) {
                continue;
            }
            String name = markdown.toString().replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(java.util.Locale.ROOT);
            Path project = out.resolve(name);
            Path source = project.resolve("src/main/java/snippets/UsesTheSnippets.java");
            Files.createDirectories(source.getParent());
            Files.writeString(project.resolve("pom.xml"), pom(name, management, dependencies), StandardCharsets.UTF_8);
            Files.writeString(source, source(markdown, types), StandardCharsets.UTF_8);
            System.out.println(project + "\t" + markdown);
        }
    }

    private static String coordinates(String dependency, Path markdown) {
        Matcher group = GROUP.matcher(dependency);
        Matcher artifact = ARTIFACT.matcher(dependency);
        if (!group.find() || !artifact.find()) {
            throw new IllegalStateException(markdown + ": expected a groupId and an artifactId in <dependency>"
                    + dependency + "</dependency>");
        }
        return group.group(1) + ":" + artifact.group(1);
    }

    private static String pom(String name, List<String> management, List<String> dependencies) {
        StringBuilder pom = new StringBuilder()
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n")
                .append("  <modelVersion>4.0.0</modelVersion>\n")
                .append("  <groupId>snippets</groupId>\n")
                .append("  <artifactId>").append(name).append("</artifactId>\n")
                .append("  <version>1</version>\n")
                .append("  <properties>\n")
                .append("    <maven.compiler.release>17</maven.compiler.release>\n")
                .append("    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>\n")
                .append("  </properties>\n");
        for (String block : management) {
            pom.append(block).append('\n');
        }
        pom.append("  <dependencies>\n");
        for (String block : dependencies) {
            pom.append(block).append('\n');
        }
        pom.append("  </dependencies>\n")
                // the plugin versions the project builds with, so no other versions need to be fetched
                .append("  <build><pluginManagement><plugins>\n")
                .append("    <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>\n")
                .append("    <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>\n")
                .append("  </plugins></pluginManagement></build>\n")
                .append("</project>\n");
        return pom.toString();
    }

    private static String source(Path markdown, Set<String> types) {
        StringBuilder java = new StringBuilder()
                .append("package snippets;\n\n")
                .append("/** Compiles only if the dependency snippets of ").append(markdown).append(" bring these types. */\n")
                .append("public final class UsesTheSnippets {\n")
                .append("    public static final Class<?>[] TYPES = {\n");
        for (String type : types) {
            java.append("        ").append(type).append(".class,\n");
        }
        return java.append("    };\n}\n").toString();
    }
}
