/**
 * SMTP delivery: sessions to MX hosts and relay hosts over Angus Mail, a connection pool per remote address, the
 * addresses of this relay that MX delivery never loops back to, the TLS each MX host gets (the tlsPolicies table,
 * DANE, MTA-STS, the tls option; what a REQUIRETLS or {@code TLS-Required: No} sender asks of it) and its check right
 * after the handshake, transactions with a reply per recipient,
 * the message content, and the Postfix-style delivery log. Internal to the component; its public face is the
 * producer and the report.
 */
package io.github.camelrelay.smtprelay.delivery;
