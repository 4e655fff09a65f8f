/**
 * SMTP delivery: sessions to MX hosts and relay hosts over Angus Mail, a connection pool per destination,
 * transactions with a reply per recipient, the message content, and the Postfix-style delivery log. Internal to
 * the component; its public face is the producer and the report.
 */
package io.github.camelrelay.smtprelay.delivery;
