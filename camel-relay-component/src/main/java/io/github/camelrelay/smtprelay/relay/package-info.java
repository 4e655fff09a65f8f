/**
 * Building blocks of a store-and-forward relay route: the retry schedule that decides when a deferred message is
 * tried again and when it is given up. The routes themselves (broker queue, dead letters, bounces) are assembled
 * by the Spring Boot starter from these pieces. Also what the routes tell the outside: their spans
 * ({@link io.github.camelrelay.smtprelay.relay.RelayTracing}, with the trace context on the queue) and one
 * {@link io.github.camelrelay.smtprelay.relay.DeliveryEvent} per recipient outcome.
 */
package io.github.camelrelay.smtprelay.relay;
