package io.github.camelrelay.springboot.oauth2;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.camelrelay.smtprelay.auth.SmtpRelayToken;
import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;

/** When the starter makes the token provider, and what it says when the registration cannot give tokens to a relay. */
class SmtpRelayOAuth2AutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SmtpRelayOAuth2AutoConfiguration.class));

    private static ClientRegistrationRepository registrations(AuthorizationGrantType grant) {
        ClientRegistration.Builder b = ClientRegistration.withRegistrationId("office365").clientId("app-id")
                .clientSecret("s3cret").authorizationGrantType(grant).tokenUri("https://login.example.test/token");
        if (grant.equals(AuthorizationGrantType.AUTHORIZATION_CODE)) {
            b.authorizationUri("https://login.example.test/authorize").redirectUri("https://relay.example.test/callback");
        }
        return new InMemoryClientRegistrationRepository(b.build());
    }

    @Test
    void aClientCredentialsRegistrationGivesTheProviderBean() {
        runner.withPropertyValues("camel.smtprelay.oauth2.registration-id=office365")
                .withBean(ClientRegistrationRepository.class, () -> registrations(AuthorizationGrantType.CLIENT_CREDENTIALS))
                .run(context -> assertThat(context).hasSingleBean(SmtpRelayTokenProvider.class)
                        .getBean("smtpRelayTokenProvider").isInstanceOf(ClientCredentialsTokenProvider.class)
                        .hasToString("ClientCredentialsTokenProvider[office365]"));
    }

    @Test
    void withoutARegistrationIdThereIsNoProvider() {
        runner.withBean(ClientRegistrationRepository.class, () -> registrations(AuthorizationGrantType.CLIENT_CREDENTIALS))
                .run(context -> assertThat(context).doesNotHaveBean(SmtpRelayTokenProvider.class));
    }

    @Test
    void anApplicationsOwnProviderWins() {
        SmtpRelayTokenProvider own = user -> SmtpRelayToken.of("own", java.time.Instant.EPOCH);
        runner.withPropertyValues("camel.smtprelay.oauth2.registration-id=office365")
                .withBean("gmailTokens", SmtpRelayTokenProvider.class, () -> own)
                .run(context -> assertThat(context).getBean(SmtpRelayTokenProvider.class).isSameAs(own));
    }

    @Test
    void aRegistrationThatIsNotClientCredentialsFailsTheStartNamingTheGrant() {
        runner.withPropertyValues("camel.smtprelay.oauth2.registration-id=office365")
                .withBean(ClientRegistrationRepository.class, () -> registrations(AuthorizationGrantType.AUTHORIZATION_CODE))
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("camel.smtprelay.oauth2.registration-id=office365: expected a registration with"
                                    + " authorization-grant-type client_credentials, as a relay has no user to sign in,"
                                    + " but found authorization_code"));
    }

    @Test
    void anUnknownRegistrationOrNoRepositoryFailsTheStart() {
        runner.withPropertyValues("camel.smtprelay.oauth2.registration-id=gmail")
                .withBean(ClientRegistrationRepository.class, () -> registrations(AuthorizationGrantType.CLIENT_CREDENTIALS))
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("expected a client registration of that id"
                                              + " (spring.security.oauth2.client.registration.gmail.*) but found none"));
        runner.withPropertyValues("camel.smtprelay.oauth2.registration-id=office365")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("but the application has no ClientRegistrationRepository"));
    }
}
