package io.github.camelrelay.springboot;

import java.beans.PropertyDescriptor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import io.github.camelrelay.smtprelay.tlspolicy.TlsPolicyTable;
import org.apache.camel.Component;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.spring.boot.ComponentConfigurationProperties;
import org.apache.camel.spring.boot.util.CamelPropertiesHelper;
import org.apache.camel.spring.boot.util.ConditionalOnCamelContextAndAutoConfigurationBeans;
import org.apache.camel.spring.boot.util.ConditionalOnHierarchicalProperties;
import org.apache.camel.spring.boot.util.HierarchicalPropertiesEvaluator;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
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
                Map<String, Object> properties = CamelPropertiesHelper.getNonNullProperties(target.getCamelContext(),
                        configuration);
                properties.putAll(durationsInMillis(configuration));
                if (configuration.getTlsPolicies() != null) {
                    // a map or list in application properties; the component takes the table's text form
                    properties.put("tlsPolicies", TlsPolicyTable.of(configuration.getTlsPolicies()).toString());
                }
                // as copyProperties does: the starter's own switches (enabled, customizer) are no component options
                CamelPropertiesHelper.setCamelProperties(target.getCamelContext(), target, properties, false);
            }

            @Override
            public boolean isEnabled(String name, Component target) {
                return HierarchicalPropertiesEvaluator.evaluate(applicationContext,
                        "camel.component.customizer", "camel.component.smtprelay.customizer")
                        && target instanceof SmtpRelayComponent;
            }
        };
    }

    /**
     * The duration options as the component takes them, in milliseconds: Spring Boot binds {@code 30s}, {@code 5m} or
     * plain milliseconds to a {@link Duration}, which Camel's property binding would take for a bean reference.
     */
    static Map<String, Object> durationsInMillis(Object configuration) {
        Map<String, Object> millis = new LinkedHashMap<>();
        BeanWrapper bean = new BeanWrapperImpl(configuration);
        for (PropertyDescriptor property : bean.getPropertyDescriptors()) {
            if (property.getPropertyType() == Duration.class && bean.getPropertyValue(property.getName()) instanceof Duration d) {
                // as text, the way a URI gives it: the component options are int or long milliseconds
                millis.put(property.getName(), String.valueOf(d.toMillis()));
            }
        }
        return millis;
    }
}
