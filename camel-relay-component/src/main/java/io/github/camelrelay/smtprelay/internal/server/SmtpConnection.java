package io.github.camelrelay.smtprelay.internal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSession;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on its event loop, between Netty and the {@link SmtpSession}: keeps the input not yet
 * consumed, frames it by the session's state (command lines, or message data while a {@link DataTransfer} runs),
 * writes replies as they come and flushes them once no more input is waiting (so a pipelined group costs one write,
 * as in Postfix's smtpd), and stops reading while the session waits for its executor, or while the client does not
 * read its replies (back-pressure both ways). It also turns the timers' and Netty's events into the 421 replies.
 */
final class SmtpConnection extends ChannelInboundHandlerAdapter implements SessionIo {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);

    private final ListenerContext context;
    private final TlsHandlers tls;
    private final boolean implicitTls;
    private ChannelHandlerContext ctx;
    private SmtpSession session;
    private SessionTimers timers;
    private ByteBuf input;
    private LineFramer framer = new LineFramer();
    private DataTransfer transfer;
    private boolean suspended;
    private boolean closing;
    private boolean processing;
    private boolean unflushed;
    private boolean greeted;
    private boolean closeWhenResumed;

    SmtpConnection(ListenerContext context, TlsHandlers tls, boolean implicitTls) {
        this.context = context;
        this.tls = tls;
        this.implicitTls = implicitTls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ServerSettings settings = context.settings();
        SessionState state = new SessionState((InetSocketAddress) ctx.channel().remoteAddress(), settings.maxErrors);
        session = new SmtpSession(context, state, this);
        timers = new SessionTimers(ctx.executor(), settings, this::tooSlow, this::tooLong);
        timers.start();
        if (!implicitTls) {
            greet();
        }
    }

    private void greet() {
        greeted = true;
        session.greet();
        flushIfNeeded();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (closing) {
            in.release();
            return;
        }
        timers.received(in.readableBytes());
        input = input == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), input, in);
        process();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushIfNeeded();
    }

    /** Runs the session over what input is buffered, as far as it may go now. */
    private void process() {
        if (processing) {
            return;
        }
        processing = true;
        boolean completed = false;
        try {
            while (!suspended && !closing && input != null && input.isReadable() && ctx.channel().isWritable()) {
                if (transfer != null) {
                    DataTransfer t = transfer;
                    if (!t.read(input)) {
                        break;
                    }
                    transfer = null;
                    t.finish();
                } else {
                    LineFramer.Line line = framer.next(input);
                    if (line == null) {
                        break;
                    }
                    session.line(line);
                }
                completed = true;
            }
        } catch (IOException e) {
            LOG.warn("Cannot store a message from {}: {}", session.state().client(), e.toString());
            DataTransfer t = transfer;
            transfer = null;
            t.abandon();
            writeAndClose("421 4.3.0 " + context.settings().hostName + " Error: cannot store the message, closing connection");
        } finally {
            processing = false;
        }
        if (input != null && !input.isReadable()) {
            input.release();
            input = null;
        } else if (input != null) {
            input.discardSomeReadBytes();
        }
        if (!closing) {
            timers.unit(!suspended && (transfer != null || framer.partial(input == null ? Unpooled.EMPTY_BUFFER : input)),
                    completed, input == null ? 0 : input.readableBytes());
        }
        updateAutoRead();
    }

    private void updateAutoRead() {
        ctx.channel().config().setAutoRead(!suspended && !closing && ctx.channel().isWritable());
    }

    private void flushIfNeeded() {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    @Override
    public void write(String reply) {
        if (closing) {
            return;
        }
        ctx.write(Unpooled.copiedBuffer(reply + "\r\n", StandardCharsets.ISO_8859_1));
        unflushed = true;
    }

    @Override
    public void writeAndClose(String reply) {
        if (closing) {
            return;
        }
        write(reply);
        closing = true;
        unflushed = false;
        // flushed as far as the socket takes it now; a client that reads nothing must not keep the channel open
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
        ctx.close();
    }

    @Override
    public int startTls() {
        int discarded = input == null ? 0 : input.readableBytes();
        if (input != null) {
            input.release();
            input = null;
        }
        framer = new LineFramer();
        // the 220 leaves in plaintext; everything after it goes through TLS
        flushIfNeeded();
        ctx.pipeline().addFirst("tls", tls.newHandler(ctx.alloc()));
        return discarded;
    }

    @Override
    public void receive(DataTransfer t) {
        this.transfer = t;
    }

    @Override
    public void suspend() {
        suspended = true;
        updateAutoRead();
    }

    @Override
    public void resume() {
        suspended = false;
        if (closeWhenResumed) {
            tooLong();
            return;
        }
        if (!processing && !closing) {
            process();
            flushIfNeeded();
        }
    }

    @Override
    public Executor eventLoop() {
        return ctx.executor();
    }

    @Override
    public void schedule(long delayMillis, Runnable task) {
        ctx.executor().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !closing) {
            process();
            flushIfNeeded();
        } else {
            updateAutoRead();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // the client's turn is over only when nothing of ours is pending: a slow route is not the client's idling
            if (!suspended) {
                writeAndClose("421 4.4.2 " + context.settings().hostName + " Error: timeout exceeded");
            }
        } else if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                SSLSession s = ctx.pipeline().get(SslHandler.class).engine().getSession();
                session.state().tlsStarted(s.getProtocol(), s.getCipherSuite());
                if (!greeted) {
                    greet();
                }
            } else {
                LOG.debug("TLS handshake with {} failed: {}", session.state().client(), handshake.cause().toString());
                closing = true;
                ctx.close();
            }
        }
    }

    private void tooSlow() {
        writeAndClose("421 4.4.2 " + context.settings().hostName + " Error: too slow, expected at least "
                      + context.settings().minDataRate + " octets per second");
    }

    private void tooLong() {
        if (suspended) {
            closeWhenResumed = true;
            return;
        }
        writeAndClose("421 4.4.2 " + context.settings().hostName + " Error: session time limit exceeded, closing connection");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (timers != null) {
            timers.stop();
        }
        if (transfer != null) {
            DataTransfer t = transfer;
            transfer = null;
            t.abandon();
        }
        if (input != null) {
            input.release();
            input = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        closing = true;
        ctx.close();
    }
}
