package io.github.camelrelay.springboot;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns Artemis's audit loggers ({@code org.apache.activemq.audit.base}, {@code .message}, {@code .resource}) down to
 * WARN. With Spring Boot's embedded broker they log at INFO about 25 lines at start-up and about 7 per message,
 * recipients included, which buries the delivery log and puts addresses where a mail log would not. Added as the
 * last property source, so any {@code logging.level.org.apache.activemq.audit...} the application sets wins.
 */
public class ArtemisAuditLoggingEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String SOURCE = "smtprelayArtemisAuditLogging";
    static final String PROPERTY = "logging.level.org.apache.activemq.audit";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getPropertySources().contains(SOURCE)) {
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of(PROPERTY, "WARN")));
        }
    }
}
