package io.github.camelrelay.springboot;

import java.time.Duration;

import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
    void metricsCountEachRecipientOnceWhenTheyAreTheOnlyListener() {
        // Camel also autowires a single listener bean into the component: the component must not call it twice
        try (TestSmtpServer relay = TestSmtpServer.start("127.0.0.1", 0)) {
            runner.withBean(SimpleMeterRegistry.class)
                    .withBean(RouteBuilder.class, () -> new RouteBuilder() {
                        @Override
                        public void configure() {
                            from("direct:mail").to("smtprelay:only");
                        }
                    })
                    .withPropertyValues("camel.component.smtprelay.relay-host=" + relay.host(),
                            "camel.component.smtprelay.relay-port=" + relay.port())
                    .run(context -> {
                        assertThat(context).hasNotFailed().hasSingleBean(SmtpRelayListener.class);
                        context.getBean(ProducerTemplate.class).send("direct:mail", e -> {
                            e.getMessage().setHeader("From", "app@sender.example");
                            e.getMessage().setHeader("To", "someone@example.com");
                            e.getMessage().setBody("hello");
                        });
                        relay.awaitMessage(Duration.ofSeconds(10));
                        MeterRegistry registry = context.getBean(MeterRegistry.class);
                        await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(SmtpRelayMetrics.DELIVERY).timer() != null
                                && registry.get(SmtpRelayMetrics.DELIVERY).timer().count() == 1);
                        assertThat(registry.get(SmtpRelayMetrics.RECIPIENTS).tags("outcome", "delivered").counter().count())
                                .isEqualTo(1.0);
                    });
        }
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
