package io.github.camelrelay.springboot;

import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import org.apache.camel.Component;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.spring.boot.ComponentConfigurationProperties;
import org.apache.camel.spring.boot.util.CamelPropertiesHelper;
import org.apache.camel.spring.boot.util.ConditionalOnCamelContextAndAutoConfigurationBeans;
import org.apache.camel.spring.boot.util.ConditionalOnHierarchicalProperties;
import org.apache.camel.spring.boot.util.HierarchicalPropertiesEvaluator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Lazy;

/**
 * Applies the {@code camel.component.smtprelay.*} properties to the smtprelay component, the way Apache Camel's own
 * component starters do: a {@link ComponentCustomizer} copies them when Camel creates the component, so endpoints
 * inherit them as their defaults and URI options still override them.
 * <p>
 * {@code camel.component.smtprelay.enabled=false} (or {@code camel.component.enabled=false}) turns this off;
 * {@code camel.component.smtprelay.customizer.enabled=false} keeps the properties bound but does not apply them.
 */
@AutoConfiguration(after = { CamelAutoConfiguration.class, SmtpRelayComponentConverter.class })
@Conditional(ConditionalOnCamelContextAndAutoConfigurationBeans.class)
@EnableConfigurationProperties({ ComponentConfigurationProperties.class, SmtpRelayComponentConfiguration.class })
@ConditionalOnHierarchicalProperties({ "camel.component", "camel.component.smtprelay" })
public class SmtpRelayComponentAutoConfiguration {

    private final ApplicationContext applicationContext;
    private final SmtpRelayComponentConfiguration configuration;

    public SmtpRelayComponentAutoConfiguration(ApplicationContext applicationContext,
                                               SmtpRelayComponentConfiguration configuration) {
        this.applicationContext = applicationContext;
        this.configuration = configuration;
    }

    /** Copies the bound properties onto every smtprelay component the Camel context creates. */
    // lazy as in Camel's generated starters: Camel looks customizers up when it creates a component, not before
    @Lazy
    @Bean
    public ComponentCustomizer configureSmtpRelayComponent() {
        return new ComponentCustomizer() {
            @Override
            public void configure(String name, Component target) {
                CamelPropertiesHelper.copyProperties(target.getCamelContext(), configuration, target);
            }

            @Override
            public boolean isEnabled(String name, Component target) {
                return HierarchicalPropertiesEvaluator.evaluate(applicationContext,
                        "camel.component.customizer", "camel.component.smtprelay.customizer")
                        && target instanceof SmtpRelayComponent;
            }
        };
    }
}
