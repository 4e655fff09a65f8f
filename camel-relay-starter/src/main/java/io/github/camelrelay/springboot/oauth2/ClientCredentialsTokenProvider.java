package io.github.camelrelay.springboot.oauth2;

import java.util.Objects;

import io.github.camelrelay.smtprelay.auth.SmtpRelayToken;
import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

/**
 * Access tokens of the OAuth 2.0 client-credentials grant (RFC 6749 4.4) from Spring Security's
 * {@link OAuth2AuthorizedClientManager}, kept in its {@link OAuth2AuthorizedClientService} per SMTP user (the
 * principal name) until they expire; a token the relay host refused is removed there, so the next authorization
 * fetches a new one from the token endpoint. Thread-safe as the manager and the service are.
 */
public class ClientCredentialsTokenProvider implements SmtpRelayTokenProvider {

    private final String registrationId;
    private final OAuth2AuthorizedClientManager manager;
    private final OAuth2AuthorizedClientService clients;

    /**
     * @param manager a manager that works outside web requests (an
     *                {@link org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager})
     *                keeping its clients in {@code clients}
     */
    public ClientCredentialsTokenProvider(String registrationId, OAuth2AuthorizedClientManager manager,
                                          OAuth2AuthorizedClientService clients) {
        this.registrationId = Objects.requireNonNull(registrationId, "registrationId");
        this.manager = Objects.requireNonNull(manager, "manager");
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    @Override
    public SmtpRelayToken token(String username) {
        OAuth2AuthorizedClient client = manager.authorize(
                OAuth2AuthorizeRequest.withClientRegistrationId(registrationId).principal(username).build());
        if (client == null) {
            throw new IllegalStateException("Expected the OAuth2 client registration '" + registrationId
                                            + "' to authorize with the client_credentials grant but it gave no client");
        }
        OAuth2AccessToken token = client.getAccessToken();
        if (token.getExpiresAt() == null) {
            throw new IllegalStateException("Expected an access token with an expiry from registration '" + registrationId
                                            + "' but found none");
        }
        return SmtpRelayToken.of(token.getTokenValue(), token.getExpiresAt());
    }

    @Override
    public SmtpRelayToken refresh(String username, SmtpRelayToken rejected) {
        OAuth2AuthorizedClient stored = clients.loadAuthorizedClient(registrationId, username);
        // another thread may have replaced it already; only the rejected token is dropped
        if (stored != null && stored.getAccessToken().getTokenValue().equals(rejected.accessToken())) {
            clients.removeAuthorizedClient(registrationId, username);
        }
        return token(username);
    }

    @Override
    public String toString() {
        return "ClientCredentialsTokenProvider[" + registrationId + "]";
    }
}
