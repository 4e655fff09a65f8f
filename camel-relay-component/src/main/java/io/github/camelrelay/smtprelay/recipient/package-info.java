/**
 * Which recipients at the local domains exist, so the listener refuses unknown ones at RCPT time with 550 5.1.1
 * instead of accepting mail it would later bounce to a sender that may be forged (backscatter): the
 * {@link io.github.camelrelay.smtprelay.recipient.RecipientValidator} a user implements, and the built-in
 * {@link io.github.camelrelay.smtprelay.recipient.RecipientList} behind the validRecipients options.
 */
package io.github.camelrelay.smtprelay.recipient;
