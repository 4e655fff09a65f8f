/**
 * Delivery status notification requests (RFC 3461): the {@code RET} and {@code ENVID} parameters of MAIL FROM and the
 * {@code NOTIFY} and {@code ORCPT} parameters of RCPT TO, parsed and validated once ({@link
 * io.github.camelrelay.smtprelay.dsn.Xtext}, {@link io.github.camelrelay.smtprelay.dsn.DsnRecipient}), carried with
 * the message through the queue ({@link io.github.camelrelay.smtprelay.dsn.DsnRequest}), passed on to servers that
 * offer DSN, and obeyed by the relay's own notifications.
 */
package io.github.camelrelay.smtprelay.dsn;
