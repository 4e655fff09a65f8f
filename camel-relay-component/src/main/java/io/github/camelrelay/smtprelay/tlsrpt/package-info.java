/**
 * SMTP TLS Reporting (RFC 8460) for the producer's MX deliveries: the {@code _smtp._tls} record
 * ({@link io.github.camelrelay.smtprelay.tlsrpt.TlsRptRecord}), and the
 * {@link io.github.camelrelay.smtprelay.tlsrpt.TlsRptReporter}, a listener that counts each session's
 * {@link io.github.camelrelay.smtprelay.tlspolicy.TlsResult} per report window and policy in a directory (so counts
 * survive restarts) and sends each policy domain its daily JSON report, mailed through a Camel endpoint such as the
 * relay's queue or POSTed over HTTPS.
 */
package io.github.camelrelay.smtprelay.tlsrpt;
