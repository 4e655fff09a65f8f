/**
 * The store-and-forward relay: {@link io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes} (listener to a durable
 * queue, one entry per destination, delivery, retries, bounces, dead letters), with its queue manager (per-destination
 * concurrency and back-off, {@link io.github.camelrelay.smtprelay.relay.QueueManagerSettings}), the retry schedule,
 * the settled record that keeps a delivered recipient from a second copy (any IdempotentRepository; on one file
 * {@link io.github.camelrelay.smtprelay.relay.SettledFileRepository}), the operator's standing orders
 * ({@link io.github.camelrelay.smtprelay.relay.OperatorRecord}) and the recognition of a client's resend after a
 * crash. The Spring Boot starter assembles them from properties. Also what the routes tell the outside: their spans
 * ({@link io.github.camelrelay.smtprelay.relay.RelayTracing}, with the trace context on the queue) and one
 * {@link io.github.camelrelay.smtprelay.relay.DeliveryEvent} per recipient outcome.
 */
package io.github.camelrelay.smtprelay.relay;
