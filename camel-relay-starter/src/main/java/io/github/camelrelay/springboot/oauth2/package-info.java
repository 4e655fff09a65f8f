/**
 * OAuth 2.0 tokens for SMTP AUTH XOAUTH2 and OAUTHBEARER at the relay host: a
 * {@link io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider} for the client-credentials grant (Office 365's
 * SMTP.SendAsApp) on Spring Security's OAuth2 client, set up when {@code camel.smtprelay.oauth2.registration-id}
 * names a client registration.
 */
package io.github.camelrelay.springboot.oauth2;
