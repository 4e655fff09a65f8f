package io.github.camelrelay.examples.server;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Makes {@code spring.artemis.broker-url} alone switch to an external broker. Spring Boot picks the embedded broker
 * whenever its classes are present, and starts it even in native mode, so without this an instance given a broker
 * URL would still run (and journal to disk) a broker of its own. An explicit {@code spring.artemis.mode} wins.
 */
public class ExternalBrokerEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE = "relayServerExternalBroker";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!StringUtils.hasText(environment.getProperty("spring.artemis.broker-url"))
                || StringUtils.hasText(environment.getProperty("spring.artemis.mode"))) {
            return;
        }
        Map<String, Object> external = new LinkedHashMap<>();
        external.put("spring.artemis.mode", "native");
        external.put("spring.artemis.embedded.enabled", "false");
        // last: below every source the user controls, it only fills in what was left unset
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, external));
    }

    /** After application.yml and the other config data are loaded, so their broker URL is seen. */
    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 1;
    }
}
