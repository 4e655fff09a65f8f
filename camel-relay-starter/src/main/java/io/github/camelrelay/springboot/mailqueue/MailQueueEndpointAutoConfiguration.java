package io.github.camelrelay.springboot.mailqueue;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The actuator endpoint {@code mailqueue}, where the application has Spring Boot's actuator and a {@link MailQueue}. */
@AutoConfiguration(after = MailQueueAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
public class MailQueueEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(MailQueue.class)
    @ConditionalOnAvailableEndpoint(endpoint = MailQueueEndpoint.class)
    public MailQueueEndpoint mailQueueEndpoint(MailQueue queue, ObjectProvider<MailQueueOperations> operations) {
        return new MailQueueEndpoint(queue, Clock.systemUTC(), operations.getIfAvailable());
    }
}
