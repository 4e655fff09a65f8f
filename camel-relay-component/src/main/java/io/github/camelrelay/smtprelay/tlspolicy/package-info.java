/**
 * Outbound TLS policy beyond opportunistic STARTTLS. MTA-STS (RFC 8461): the {@code _mta-sts} TXT record, the policy
 * fetched over HTTPS from {@code mta-sts.<domain>} with a verified certificate, its parse and its MX patterns, and
 * the cache that keeps a policy for its max_age. DANE (RFC 7672): TLSA records and the check of a server's chain
 * against them (DANE-EE, DANE-TA with name checks); the DNSSEC-validated TLSA look-up is still to come. The producer does not consult it yet: applying a
 * policy to a delivery (enforce, testing) will be the delivery package's.
 */
package io.github.camelrelay.smtprelay.tlspolicy;
