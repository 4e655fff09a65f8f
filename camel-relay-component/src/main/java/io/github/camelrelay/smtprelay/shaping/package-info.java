/**
 * Traffic shaping per destination, as a mail administrator sets it for a provider: how many connections at once, how
 * many messages per connection and how many messages per second, minute or hour. The rules ({@link
 * io.github.camelrelay.smtprelay.shaping.TrafficShaping}) say what may be sent when; the shaper ({@link
 * io.github.camelrelay.smtprelay.shaping.TrafficShaper}) keeps the counts of one instance, shared by every thread of
 * every endpoint with the same rules. Scheduling only: the SMTP conversation itself is the delivery package's.
 */
package io.github.camelrelay.smtprelay.shaping;
