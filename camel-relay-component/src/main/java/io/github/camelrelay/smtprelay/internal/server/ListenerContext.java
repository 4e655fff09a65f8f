package io.github.camelrelay.smtprelay.internal.server;

import java.util.concurrent.ExecutorService;

/**
 * What every session of one listener shares: the settings, where messages go, the AUTH failure throttle, the command
 * table, and the bounded executor that runs what may block (the route, the authenticator) off the event loops.
 */
record ListenerContext(ServerSettings settings, MessageSink sink, AuthThrottle throttle, CommandTable commands,
        ExecutorService blocking) {
}
