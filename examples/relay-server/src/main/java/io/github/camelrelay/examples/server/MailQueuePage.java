package io.github.camelrelay.examples.server;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The mail queue page, {@code /mailqueue/}: plain HTML and a little JavaScript on {@code /actuator/mailqueue}'s JSON,
 * served by the management HTTP server, so it has the same address and the same security as the actuator. Off unless
 * {@code relay-server.page.enabled} (MAILQUEUE_PAGE) is true.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "relay-server.page", name = "enabled", havingValue = "true")
public class MailQueuePage implements WebMvcConfigurer {

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/mailqueue/**").addResourceLocations("classpath:/mailqueue-page/");
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/mailqueue", "/mailqueue/");
        registry.addViewController("/mailqueue/").setViewName("forward:/mailqueue/index.html");
    }
}
