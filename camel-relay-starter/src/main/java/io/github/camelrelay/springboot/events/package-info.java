/**
 * The delivery event stream: forwards the relay routes' {@link io.github.camelrelay.smtprelay.relay.DeliveryEvent
 * delivery events} from their durable queue, in batches, to the Camel endpoint the user names
 * ({@code camel.smtprelay.relay.events.uri}), apart from the delivery so a slow or failing endpoint never holds mail up.
 */
package io.github.camelrelay.springboot.events;
