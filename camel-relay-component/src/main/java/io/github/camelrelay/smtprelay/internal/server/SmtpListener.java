package io.github.camelrelay.smtprelay.internal.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP listener: accepts connections on a small group of Netty event loops (no thread per connection), admits
 * each within the connection limits, and gives it its pipeline: TLS first for implicit TLS, the idle timeout, and
 * the {@link SmtpConnection} that runs the session. What may block runs on the executor it is given.
 */
public final class SmtpListener {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpListener.class);

    private final ServerSettings settings;
    private final ListenerContext context;
    private final TlsHandlers tls;
    private final ConnectionCounter counter;
    private final String name;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ChannelGroup channels;
    private Channel server;

    /**
     * @param blocking runs the route's processing of each message and the authenticator: bounded, as each connection
     *                 has at most one task in it and reads nothing meanwhile
     * @param name     names the threads
     */
    public SmtpListener(ServerSettings settings, MessageSink sink, ExecutorService blocking, String name) {
        this.settings = settings;
        this.name = name;
        AuthThrottle throttle = new AuthThrottle(settings.maxAuthFailuresPerClient, settings.authFailureDelay,
                settings.authLockoutTime, settings.clock, settings.clientKeys);
        this.context = new ListenerContext(settings, sink, throttle, new CommandTable(), blocking);
        this.tls = settings.sslContext == null ? null : new TlsHandlers(settings.sslContext, settings.idleTimeout);
        this.counter = new ConnectionCounter(settings.maxConnections, settings.maxConnectionsPerClient, settings.clientKeys);
    }

    /**
     * Binds the port and starts accepting.
     *
     * @throws IOException when the address or port cannot be bound
     */
    public void start() throws IOException {
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true));
        workers = new NioEventLoopGroup(settings.ioThreads, new DefaultThreadFactory(name + "-io", true));
        channels = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        admit(ch);
                    }
                });
        try {
            server = bootstrap.bind(new InetSocketAddress(settings.bindAddress, settings.port)).syncUninterruptibly().channel();
        } catch (Exception e) {
            stop();
            throw new IOException("Cannot listen on " + settings.bindAddress.getHostAddress() + ":" + settings.port + ": "
                                  + e.getMessage(), e);
        }
        channels.add(server);
    }

    private void admit(SocketChannel ch) {
        InetAddress client = ch.remoteAddress().getAddress();
        ConnectionCounter.Refusal refusal = counter.admit(client);
        if (refusal != null) {
            LOG.debug("Refused a connection from {}: too many connections ({})", client.getHostAddress(), refusal);
            refuse(ch, refusal == ConnectionCounter.Refusal.CLIENT
                    ? "421 4.7.0 Too many connections from " + client.getHostAddress() + ", try again later"
                    : "421 4.7.0 " + settings.hostName + " Error: too many connections, try again later");
            return;
        }
        channels.add(ch);
        // outermost, so it sees the close before TLS or anything else passes it on
        ch.pipeline().addLast("slot", new ConnectionSlot(counter, client));
        if (settings.implicitTls) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        }
        ch.pipeline().addLast("idle", new IdleStateHandler(settings.idleTimeout, 0, 0, TimeUnit.MILLISECONDS));
        ch.pipeline().addLast("smtp", new SmtpConnection(context, tls, settings.implicitTls));
    }

    /** Over a limit: a plaintext client hears why; an implicit TLS one is closed without a handshake to spend on it. */
    private void refuse(SocketChannel ch, String reply) {
        if (settings.implicitTls) {
            ch.close();
        } else {
            ch.writeAndFlush(Unpooled.copiedBuffer(reply + "\r\n", StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Stops accepting, closes every connection and ends the event loops. */
    public void stop() {
        if (channels != null) {
            channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** The port in use: the configured one, or the one picked when 0 was configured. */
    public int localPort() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Client connections open now. */
    public int openConnections() {
        return counter.open();
    }
}
