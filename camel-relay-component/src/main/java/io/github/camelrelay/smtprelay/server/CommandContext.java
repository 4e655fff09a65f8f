package io.github.camelrelay.smtprelay.server;

/** What the commands share: the settings, where messages go, and the AUTH failure throttle. */
record CommandContext(ServerSettings settings, MessageSink sink, AuthThrottle throttle) {
}
