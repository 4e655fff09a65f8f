package io.github.camelrelay.springboot.oauth2;

import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;

/**
 * The {@code smtpRelayTokenProvider} bean for SMTP AUTH XOAUTH2 and OAUTHBEARER, when Spring Security's OAuth2
 * client is on the class path and {@code camel.smtprelay.oauth2.registration-id} names a client registration with
 * the client_credentials grant: Spring Boot makes the registrations from
 * {@code spring.security.oauth2.client.registration.*} (spring-boot-starter-security-oauth2-client), or the
 * application defines a {@link ClientRegistrationRepository} bean. An application bean of type
 * {@link SmtpRelayTokenProvider} replaces it.
 */
// by name, so the starter needs no Spring Boot OAuth2 module: it makes the registrations and the client service
@AutoConfiguration(afterName = "org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration")
@ConditionalOnClass(AuthorizedClientServiceOAuth2AuthorizedClientManager.class)
@ConditionalOnProperty(prefix = "camel.smtprelay.oauth2", name = "registration-id")
@EnableConfigurationProperties(SmtpRelayOAuth2Properties.class)
public class SmtpRelayOAuth2AutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(SmtpRelayTokenProvider.class)
    public ClientCredentialsTokenProvider smtpRelayTokenProvider(SmtpRelayOAuth2Properties properties,
            ObjectProvider<ClientRegistrationRepository> registrations, ObjectProvider<OAuth2AuthorizedClientService> clients) {
        String id = properties.getRegistrationId();
        ClientRegistrationRepository repository = registrations.getIfAvailable();
        if (repository == null) {
            throw new IllegalStateException("camel.smtprelay.oauth2.registration-id=" + id + " names a client registration,"
                                            + " but the application has no ClientRegistrationRepository: expected"
                                            + " spring.security.oauth2.client.registration." + id + ".* properties with"
                                            + " spring-boot-starter-security-oauth2-client, or a ClientRegistrationRepository bean");
        }
        ClientRegistration registration = repository.findByRegistrationId(id);
        if (registration == null) {
            throw new IllegalStateException("camel.smtprelay.oauth2.registration-id=" + id + ": expected a client registration"
                                            + " of that id (spring.security.oauth2.client.registration." + id + ".*) but"
                                            + " found none");
        }
        if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(registration.getAuthorizationGrantType())) {
            throw new IllegalStateException("camel.smtprelay.oauth2.registration-id=" + id + ": expected a registration with"
                                            + " authorization-grant-type client_credentials, as a relay has no user to"
                                            + " sign in, but found " + registration.getAuthorizationGrantType().getValue());
        }
        OAuth2AuthorizedClientService service = clients.getIfAvailable(() -> new InMemoryOAuth2AuthorizedClientService(repository));
        AuthorizedClientServiceOAuth2AuthorizedClientManager manager =
                new AuthorizedClientServiceOAuth2AuthorizedClientManager(repository, service);
        manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder().clientCredentials().build());
        return new ClientCredentialsTokenProvider(id, manager, service);
    }
}
