/**
 * Outbound TLS policy beyond opportunistic STARTTLS. The {@code tlsPolicies} table (per-destination levels and
 * certificate pins, as Postfix's smtp_tls_policy_maps). MTA-STS (RFC 8461): the {@code _mta-sts} TXT record, the policy
 * fetched over HTTPS from {@code mta-sts.<domain>} with a verified certificate, its parse and its MX patterns, and
 * the cache that keeps a policy for its max_age. DANE (RFC 7672): the DNSSEC-validated TLSA look-up, TLSA records and
 * the check of a server's chain against them (DANE-EE, DANE-TA with name checks). The WebPKI check MTA-STS and VERIFY
 * policies make after the handshake, and {@link io.github.camelrelay.smtprelay.tlspolicy.TlsResult}, what a TLS-RPT
 * reporter counts. Applying them to a delivery is the delivery package's ({@code TlsPlanner}).
 */
package io.github.camelrelay.smtprelay.tlspolicy;
