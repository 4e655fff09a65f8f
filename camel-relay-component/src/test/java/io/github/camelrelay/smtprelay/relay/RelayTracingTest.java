package io.github.camelrelay.smtprelay.relay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace from the SMTP submission to the last delivery attempt, across the broker queue and a retry, with
 * Micrometer's OpenTelemetry bridge and OpenTelemetry's in-memory exporter: the W3C traceparent travels with the
 * message as a queue property, so every attempt (and a bounce and its own delivery) is in the submission's trace.
 */
class RelayTracingTest {

    private static final String QUEUE = "jms:queue:smtprelay.outbound?transacted=true";
    private static final String DEAD = "jms:queue:smtprelay.dead";
    private static final RetrySchedule FAST =
            new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofSeconds(30), Duration.ZERO);
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

    @TempDir
    Path dataDir;

    private ArtemisBroker broker;
    private TestSmtpServer mx;
    private DefaultCamelContext ctx;
    private SdkTracerProvider provider;
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private int ingressPort;

    @BeforeEach
    void start() throws Exception {
        broker = new ArtemisBroker(dataDir, "tracing-test").start();
        mx = TestSmtpServer.start("127.0.0.2", 0);
        ingressPort = TestSmtpServer.freePortOnAll("127.0.0.1");
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        io.opentelemetry.api.trace.Tracer otel = provider.get("relay-tracing-test");
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer = new OtelTracer(otel, current, event -> { });
        OtelPropagator propagator = new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
        ObservationRegistry registry = ObservationRegistry.create();
        // as Spring Boot's tracing auto-configuration registers them
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));

        ctx = new DefaultCamelContext();
        ctx.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        String ingress = "smtprelay:in?port=" + ingressPort + "&bindAddress=127.0.0.1&relayNetworks=127.0.0.1/32";
        String delivery = "smtprelay:out?relayHost=127.0.0.2&relayPort=" + mx.port() + "&tls=NONE&addReceivedHeader=false";
        ctx.addRoutes(new SmtpRelayRoutes(new RelayRouteSettings(ingress, QUEUE, null, delivery, DEAD, "relay.example.test",
                FAST, List.of())).tracing(new ObservationRelayTracing(registry, 100)));
        ctx.start();
    }

    @AfterEach
    void stop() throws Exception {
        ctx.stop();
        mx.close();
        broker.close();
        provider.close();
    }

    @Test
    void oneTraceRunsFromTheSubmissionThroughARetryToTheDelivery() throws Exception {
        mx.dataReply(n -> n < 2 ? "451 4.3.0 try again later" : "250 2.0.0 queued as " + n);

        assertThat(smtp("alice@example.test", "bob@far.test", "Subject: traced\r\n\r\nHi\r\n")).startsWith("250 ");

        mx.awaitMessages(1, Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> attempts().size() == 2);
        SpanData submission = spans("smtprelay submission").get(0);
        List<SpanData> attempts = attempts();
        assertThat(submission.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(submission.getAttributes().get(OUTCOME)).isEqualTo("queued");
        assertThat(attempts).allSatisfy(a -> {
            assertThat(a.getTraceId()).isEqualTo(submission.getTraceId());
            assertThat(a.getParentSpanId()).isEqualTo(submission.getSpanId());
            assertThat(a.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(a.getAttributes().get(AttributeKey.stringKey("destination"))).isEqualTo("[127.0.0.2]");
            assertThat(a.getAttributes().get(AttributeKey.stringKey("tls"))).isEqualTo("none");
        });
        assertThat(attempts).extracting(a -> a.getAttributes().get(OUTCOME)).containsExactly("deferred", "delivered");
    }

    @Test
    void aBounceAndItsOwnDeliveryJoinTheTraceOfTheMessageThatFailed() throws Exception {
        mx.rcptReply(r -> r.contains("bob@far.test") ? "550 5.1.1 no such user" : "250 2.1.5 ok");

        assertThat(smtp("alice@example.test", "bob@far.test", "Subject: bounced\r\n\r\nHi\r\n")).startsWith("250 ");

        // the notification reaches alice through the same relay host
        mx.awaitMessages(1, Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> attempts().size() == 2 && !spans("smtprelay bounce").isEmpty());
        String trace = spans("smtprelay submission").get(0).getTraceId();
        SpanData failed = attempts().get(0);
        SpanData bounce = spans("smtprelay bounce").get(0);
        SpanData notice = attempts().get(1);
        assertThat(failed.getAttributes().get(OUTCOME)).isEqualTo("bounced");
        assertThat(bounce.getTraceId()).isEqualTo(trace);
        assertThat(bounce.getParentSpanId()).isEqualTo(failed.getSpanId());
        assertThat(notice.getTraceId()).isEqualTo(trace);
        assertThat(notice.getParentSpanId()).isEqualTo(bounce.getSpanId());
        assertThat(notice.getAttributes().get(OUTCOME)).isEqualTo("delivered");
    }

    private List<SpanData> attempts() {
        return spans("smtprelay delivery ");
    }

    /** The finished spans whose name starts so (the observations' contextual names), in the order they started. */
    private List<SpanData> spans(String name) {
        return exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getName().startsWith(name))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
                .toList();
    }

    /** One SMTP transaction to the ingress over a socket: the reply to the final dot. */
    private String smtp(String from, String to, String message) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", ingressPort)) {
            socket.setSoTimeout(20_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            var out = socket.getOutputStream();
            reply(in);
            for (String command : List.of("EHLO client.test", "MAIL FROM:<" + from + ">", "RCPT TO:<" + to + ">", "DATA")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                reply(in);
            }
            out.write((message + ".\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply(in);
        }
    }

    private static String reply(java.io.BufferedReader in) throws java.io.IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
