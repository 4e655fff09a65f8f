package io.github.camelrelay.springboot;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.github.camelrelay.smtprelay.SmtpRelayConfiguration;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.SmtpRelayServerConfiguration;
import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.GenericConverter;
import org.springframework.stereotype.Component;

/**
 * Lets the bean options of {@link SmtpRelayComponentConfiguration} (such as {@code ssl-context-parameters}) be given
 * in application properties as a reference to a Spring bean: {@code #bean:name} or {@code #name}, as in Apache
 * Camel's own starters.
 */
@Configuration(proxyBeanMethods = false)
@ConfigurationPropertiesBinding
@Component
public class SmtpRelayComponentConverter implements GenericConverter {

    private static final Map<String, Class<?>> BEAN_TYPES = new LinkedHashMap<>();

    static {
        for (Class<?> type : new Class<?>[] {
                SSLContextParameters.class, SmtpRelayListener.class, SmtpRelayConfiguration.class,
                SmtpRelayServerConfiguration.class, SmtpRelayTokenProvider.class }) {
            BEAN_TYPES.put(type.getName(), type);
        }
    }

    private final ApplicationContext applicationContext;

    public SmtpRelayComponentConverter(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    @Override
    public Set<ConvertiblePair> getConvertibleTypes() {
        Set<ConvertiblePair> pairs = new LinkedHashSet<>();
        BEAN_TYPES.values().forEach(type -> pairs.add(new ConvertiblePair(String.class, type)));
        return pairs;
    }

    @Override
    public Object convert(Object source, TypeDescriptor sourceType, TypeDescriptor targetType) {
        if (source == null) {
            return null;
        }
        String ref = source.toString();
        Class<?> type = BEAN_TYPES.get(targetType.getName());
        if (type == null) {
            return null;
        }
        if (!ref.startsWith("#")) {
            // fail the binding with a hint rather than leave the option silently unset
            throw new IllegalArgumentException("Expected a bean reference such as #bean:name for a "
                                               + type.getSimpleName() + " option but found '" + ref + "'");
        }
        String name = ref.startsWith("#bean:") ? ref.substring("#bean:".length()) : ref.substring(1);
        return applicationContext.getBean(name, type);
    }
}
