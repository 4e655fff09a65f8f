/**
 * Timeouts for blocking socket operations, shared by the producer's connections and the listener's: each operation
 * arms a {@link io.github.camelrelay.smtprelay.timeout.Deadline}, and one {@link io.github.camelrelay.smtprelay.timeout.Watchdog}
 * thread expires overdue ones, rather than SO_TIMEOUT on the socket. Internal to the component.
 */
package io.github.camelrelay.smtprelay.timeout;
