package io.github.camelrelay.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** Artemis's audit loggers are quiet in a starter application unless the application asks for them. */
class ArtemisAuditLoggingTest {

    private static final String[] AUDIT_LOGGERS = {"org.apache.activemq.audit.base", "org.apache.activemq.audit.message",
                                                   "org.apache.activemq.audit.resource"};

    @Configuration(proxyBeanMethods = false)
    static class Empty {
    }

    private static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
                .properties("camel.springboot.main-run-controller=false").run(args);
    }

    @Test
    void theAuditLoggersAreAtWarnByDefault() {
        try (ConfigurableApplicationContext context = run()) {
            assertThat(context.getEnvironment().getProperty(ArtemisAuditLoggingEnvironmentPostProcessor.PROPERTY))
                    .isEqualTo("WARN");
            for (String name : AUDIT_LOGGERS) {
                assertThat(LoggerFactory.getLogger(name).isInfoEnabled()).as(name + " at INFO").isFalse();
                assertThat(LoggerFactory.getLogger(name).isWarnEnabled()).as(name + " at WARN").isTrue();
            }
        }
    }

    @Test
    void anApplicationCanTurnThemBackOn() {
        try (ConfigurableApplicationContext context = run("--logging.level.org.apache.activemq.audit.message=INFO")) {
            assertThat(LoggerFactory.getLogger("org.apache.activemq.audit.message").isInfoEnabled()).isTrue();
            assertThat(LoggerFactory.getLogger("org.apache.activemq.audit.base").isInfoEnabled()).isFalse();
        }
    }
}
