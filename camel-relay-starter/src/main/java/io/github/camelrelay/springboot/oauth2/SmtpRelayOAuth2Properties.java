package io.github.camelrelay.springboot.oauth2;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code camel.smtprelay.oauth2.*}: the client registration whose tokens the relay authenticates with. */
@ConfigurationProperties(prefix = "camel.smtprelay.oauth2")
public class SmtpRelayOAuth2Properties {

    /**
     * The id of the Spring Security OAuth2 client registration (spring.security.oauth2.client.registration.<id>.*)
     * with authorization-grant-type client_credentials whose access tokens the smtprelay component sends in SMTP
     * AUTH XOAUTH2 or OAUTHBEARER. Setting it creates the smtpRelayTokenProvider bean; name it in
     * camel.component.smtprelay.token-provider=#bean:smtpRelayTokenProvider.
     */
    private String registrationId;

    public String getRegistrationId() {
        return registrationId;
    }

    public void setRegistrationId(String registrationId) {
        this.registrationId = registrationId == null || registrationId.isBlank() ? null : registrationId.strip();
    }
}
