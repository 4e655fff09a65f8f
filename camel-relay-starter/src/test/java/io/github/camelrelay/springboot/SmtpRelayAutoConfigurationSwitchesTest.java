package io.github.camelrelay.springboot;

import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The switches Camel's starters have, and what the starter does without Micrometer or with a bad bean reference. */
class SmtpRelayAutoConfigurationSwitchesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CamelAutoConfiguration.class, SmtpRelayComponentConverter.class,
                    SmtpRelayComponentAutoConfiguration.class, SmtpRelayMetricsAutoConfiguration.class))
            .withPropertyValues("camel.component.smtprelay.relay-host=smtp.example.net",
                    "camel.component.smtprelay.helo-name=starter.test");

    @Test
    void propertiesAreAppliedByDefault() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasBean("configureSmtpRelayComponent");
            assertThat(relayHost(context.getBean(CamelContext.class))).isEqualTo("smtp.example.net");
        });
    }

    @Test
    void componentSwitchTurnsTheAutoConfigurationOff() {
        runner.withPropertyValues("camel.component.smtprelay.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean("configureSmtpRelayComponent");
            assertThat(relayHost(context.getBean(CamelContext.class))).isNull();
        });
    }

    @Test
    void customizerSwitchKeepsThePropertiesOffTheComponent() {
        runner.withPropertyValues("camel.component.smtprelay.customizer.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ComponentCustomizer.class);
            assertThat(relayHost(context.getBean(CamelContext.class))).isNull();
        });
    }

    @Test
    void globalCustomizerSwitchIsHonoured() {
        runner.withPropertyValues("camel.component.customizer.enabled=false").run(context ->
                assertThat(relayHost(context.getBean(CamelContext.class))).isNull());
    }

    @Test
    void noMetricsWithoutAMeterRegistry() {
        runner.run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(SmtpRelayMetrics.class)
                .doesNotHaveBean(SmtpRelayListener.class));
    }

    @Test
    void beanOptionWithoutReferenceFailsWithAHint() {
        runner.withPropertyValues("camel.component.smtprelay.ssl-context-parameters=relayTls").run(context ->
                assertThat(context).hasFailed().getFailure().hasStackTraceContaining("Expected a bean reference such as #bean:name"));
    }

    private static String relayHost(CamelContext camelContext) {
        return camelContext.getEndpoint("smtprelay:x", SmtpRelayEndpoint.class).getConfiguration().getRelayHost();
    }
}
