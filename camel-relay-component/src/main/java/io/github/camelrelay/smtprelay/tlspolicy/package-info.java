/**
 * Outbound TLS policy beyond opportunistic STARTTLS. Today: MTA-STS (RFC 8461): the {@code _mta-sts} TXT record, the
 * policy fetched over HTTPS from {@code mta-sts.<domain>} with a verified certificate, its parse and its MX
 * patterns, and the cache that keeps a policy for its max_age. The producer does not consult it yet: applying a
 * policy to a delivery (enforce, testing) will be the delivery package's.
 */
package io.github.camelrelay.smtprelay.tlspolicy;
