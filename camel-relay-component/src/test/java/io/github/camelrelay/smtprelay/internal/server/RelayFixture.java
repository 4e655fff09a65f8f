package io.github.camelrelay.smtprelay.internal.server;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.camelrelay.smtprelay.SmtpRelayConsumer;
import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * A CamelContext with one route {@code from("smtprelay:in?port=0&...")} that records every exchange, and can be told
 * to fail or to hold exchanges, so tests see exactly what the route got and when.
 */
final class RelayFixture implements AutoCloseable {

    /** What the route saw of one exchange. */
    record Seen(byte[] body, Map<String, Object> headers, boolean inMemory, String bodyType) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        Object header(String name) {
            return headers.get(name);
        }
    }

    private final CamelContext context;
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private volatile Consumer<Exchange> behaviour = e -> {
    };

    private RelayFixture(CamelContext context) {
        this.context = context;
    }

    /** Starts a listener with these URI options (besides port=0) and the test key as bean "ssl". */
    static RelayFixture start(String options) {
        return start(options, ctx -> {
        });
    }

    static RelayFixture start(String options, Consumer<CamelContext> setup) {
        return start(options, setup, route -> route);
    }

    /** As {@link #start(String, Consumer)}, with steps put in the route before the recording one. */
    static RelayFixture start(String options, Consumer<CamelContext> setup,
                              Function<RouteDefinition, ProcessorDefinition<?>> before) {
        try {
            CamelContext context = new DefaultCamelContext();
            context.getRegistry().bind("ssl", serverSsl());
            setup.accept(context);
            RelayFixture fixture = new RelayFixture(context);
            String uri = "smtprelay:in?port=0" + (options.isEmpty() ? "" : "&" + options);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    before.apply(from(uri).routeId("in")).process(fixture::record);
                }
            });
            context.start();
            return fixture;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the listener", e);
        }
    }

    static SSLContextParameters serverSsl() {
        KeyStoreParameters ks = new KeyStoreParameters();
        ks.setResource("classpath:" + TestCertificates.KEYSTORE_RESOURCE);
        ks.setPassword(TestCertificates.PASSWORD);
        ks.setType("PKCS12");
        KeyManagersParameters km = new KeyManagersParameters();
        km.setKeyStore(ks);
        km.setKeyPassword(TestCertificates.PASSWORD);
        SSLContextParameters ssl = new SSLContextParameters();
        ssl.setKeyManagers(km);
        return ssl;
    }

    private void record(Exchange exchange) throws Exception {
        Object body = exchange.getMessage().getBody();
        boolean inMemory = !(body instanceof StreamCache sc) || sc.inMemory();
        byte[] bytes;
        try (InputStream in = exchange.getMessage().getBody(InputStream.class)) {
            bytes = in.readAllBytes();
        }
        if (body instanceof StreamCache sc) {
            sc.reset();
        }
        seen.add(new Seen(bytes, new HashMap<>(exchange.getMessage().getHeaders()), inMemory,
                body == null ? "null" : body.getClass().getName()));
        behaviour.accept(exchange);
    }

    /** What the route does after recording: throw to fail the exchange, block to hold it. */
    void behaviour(Consumer<Exchange> b) {
        this.behaviour = b;
    }

    CamelContext context() {
        return context;
    }

    int port() {
        return ((SmtpRelayConsumer) context.getRoute("in").getConsumer()).getLocalPort();
    }

    SmtpRelayConsumer consumer() {
        return (SmtpRelayConsumer) context.getRoute("in").getConsumer();
    }

    /** The next exchange the route saw; fails if none comes within 5 seconds. */
    Seen next() {
        try {
            Seen s = seen.poll(5, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("the route received no exchange within 5 s");
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Exchanges seen and not yet taken with {@link #next()}. */
    int pending() {
        return seen.size();
    }

    @Override
    public void close() {
        try {
            context.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the listener", e);
        }
    }
}
