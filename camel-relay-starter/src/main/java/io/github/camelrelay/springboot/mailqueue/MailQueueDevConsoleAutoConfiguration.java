package io.github.camelrelay.springboot.mailqueue;

import java.time.ZoneId;

import org.apache.camel.CamelContext;
import org.apache.camel.console.DevConsoleRegistry;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The mail queue's Camel dev console, where the application has camel-console and a {@link MailQueue}; it shows only
 * when the dev console is on ({@code camel.main.dev-console-enabled=true}), as every other Camel console.
 */
@AutoConfiguration(after = MailQueueAutoConfiguration.class)
@ConditionalOnClass(name = "org.apache.camel.impl.console.DefaultDevConsoleRegistry")
public class MailQueueDevConsoleAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(MailQueue.class)
    public MailQueueDevConsole mailQueueDevConsole(MailQueue queue) {
        return new MailQueueDevConsole(queue, ZoneId.systemDefault());
    }

    /** The registry lists only consoles registered with it; a bean alone is found by id, not listed. */
    @Bean
    @ConditionalOnBean(MailQueueDevConsole.class)
    CamelContextConfiguration mailQueueDevConsoleRegistration(MailQueueDevConsole console) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                DevConsoleRegistry registry = context.getCamelContextExtension().getContextPlugin(DevConsoleRegistry.class);
                if (registry != null) {
                    registry.register(console);
                }
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
            }
        };
    }
}
