/**
 * What a delivery did: one {@link io.github.camelrelay.smtprelay.report.RecipientStatus} per recipient, collected in
 * a {@link io.github.camelrelay.smtprelay.report.DeliveryReport} that the producer puts in the
 * {@code CamelSmtpRelayReport} header and in its exceptions.
 */
package io.github.camelrelay.smtprelay.report;
