/**
 * The relay's queues as a mail administrator sees them: every message on the delivery queue and the dead-letter
 * queue with its sender, pending recipients per destination, attempts, next attempt and last reply, and counts per
 * destination and state. Read from the broker by browsing through its management interface (Artemis), never by
 * consuming, so it works the same on the embedded broker and on an external one shared by several relay
 * instances. Served as the actuator endpoint {@code /actuator/mailqueue}.
 */
package io.github.camelrelay.springboot.mailqueue;
