package io.github.camelrelay.smtprelay.internal.server;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * Makes the {@link SslHandler} of a connection, server side, from the context that {@code sslContextParameters}
 * made. Camel's context applies its settings (protocols, cipher suites, client authentication) to every engine it
 * creates; this only turns the engine to server mode, which keeps them.
 */
final class TlsHandlers {

    private final SSLContext context;
    private final long handshakeTimeoutMillis;

    TlsHandlers(SSLContext context, long handshakeTimeoutMillis) {
        this.context = context;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    SslHandler newHandler(ByteBufAllocator alloc) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SslHandler handler = new SslHandler(engine);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }
}
