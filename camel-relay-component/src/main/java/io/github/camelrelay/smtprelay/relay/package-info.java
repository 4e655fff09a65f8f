/**
 * Building blocks of a store-and-forward relay route: the retry schedule that decides when a deferred message is
 * tried again and when it is given up. The routes themselves (broker queue, dead letters, bounces) are assembled
 * by the Spring Boot starter from these pieces.
 */
package io.github.camelrelay.smtprelay.relay;
