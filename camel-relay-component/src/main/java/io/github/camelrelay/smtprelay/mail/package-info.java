/**
 * Mail value types: a {@link io.github.camelrelay.smtprelay.mail.Domain} and a
 * {@link io.github.camelrelay.smtprelay.mail.MailAddress}, each validated once in its static factory so
 * that nothing malformed (or carrying CR/LF) reaches an SMTP command line.
 */
package io.github.camelrelay.smtprelay.mail;
