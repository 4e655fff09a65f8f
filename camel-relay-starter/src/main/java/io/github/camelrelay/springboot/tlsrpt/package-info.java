/**
 * SMTP TLS Reporting from properties ({@code camel.smtprelay.tls-reporting.*}): the component's
 * {@link io.github.camelrelay.smtprelay.tlsrpt.TlsRptReporter} as a bean, so the producer counts every TLS session in
 * MX mode, started with the Camel context, its mailed reports put on the relay's queue.
 */
package io.github.camelrelay.springboot.tlsrpt;
