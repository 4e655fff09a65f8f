package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * One admitted connection's place in the {@link ConnectionCounter}, given back exactly once: when the listener starts
 * to close the connection (before the client can see it closed, so a client that reconnects at once finds the slot
 * free), or when the channel closes for any other reason.
 */
final class ConnectionSlot extends ChannelOutboundHandlerAdapter {

    private final ConnectionCounter counter;
    private final InetAddress client;
    private final AtomicBoolean released = new AtomicBoolean();

    ConnectionSlot(ConnectionCounter counter, InetAddress client) {
        this.counter = counter;
        this.client = client;
    }

    void release() {
        if (released.compareAndSet(false, true)) {
            counter.release(client);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().closeFuture().addListener(f -> release());
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        release();
        super.close(ctx, promise);
    }
}
