package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replies to a pipelined group leave in one flush (one write system call for the group, as in Postfix's smtpd), seen
 * on Netty's own in-process transport, where flushes can be counted; a socket shows only the bytes.
 */
class PipelinedRepliesTest {

    private final ExecutorService blocking = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        blocking.shutdownNow();
    }

    /** Counts flushes on their way to the transport. */
    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes.incrementAndGet();
            ctx.flush();
        }
    }

    /** A channel whose peer has an IP address, as an accepted socket's does. */
    private static final class ClientChannel extends EmbeddedChannel {
        ClientChannel(FlushCounter counter, SmtpConnection connection) {
            super(counter, connection);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.1", 40000);
        }
    }

    /** The group below never reaches DATA. */
    private static MessageSink sink() {
        return envelope -> {
            throw new AssertionError("no message expected");
        };
    }

    private ClientChannel connect(FlushCounter counter) {
        ServerSettings settings = ServerSettings.builder().hostName("mx.relay.test").build();
        ListenerContext context = new ListenerContext(settings, sink(), new AuthThrottle(10, Duration.ZERO,
                Duration.ofMinutes(1), Clock.systemUTC()), new CommandTable(), blocking);
        return new ClientChannel(counter, new SmtpConnection(context, null, false));
    }

    private static String replies(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    @Test
    void repliesToAPipelinedGroupLeaveInOneFlush() {
        FlushCounter counter = new FlushCounter();
        ClientChannel ch = connect(counter);
        assertThat(replies(ch)).startsWith("220 mx.relay.test ESMTP");
        int before = counter.flushes.get();

        send(ch, "EHLO client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n"
                 + "NOOP\r\nRSET\r\n");

        assertThat(counter.flushes.get() - before).as("flushes for six replies").isEqualTo(1);
        String text = replies(ch);
        assertThat(text.split("\r\n")).filteredOn(l -> l.length() > 3 && l.charAt(3) == ' ').hasSize(6);
        assertThat(text).contains("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 Ok\r\n250 Ok\r\n");
        ch.finishAndReleaseAll();
    }
}
