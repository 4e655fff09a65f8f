/**
 * SMTP delivery: sessions to MX hosts and relay hosts over Angus Mail, a connection pool per remote address, the
 * addresses of this relay that MX delivery never loops back to,
 * transactions with a reply per recipient, the message content, and the Postfix-style delivery log. Internal to
 * the component; its public face is the producer and the report.
 */
package io.github.camelrelay.smtprelay.delivery;
