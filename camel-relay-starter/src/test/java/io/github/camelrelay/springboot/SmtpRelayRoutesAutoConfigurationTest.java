package io.github.camelrelay.springboot;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.relay.RelayRouteSettings;
import io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes;
import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.james.jdkim.DKIMVerifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jms.connection.CachingConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code camel.smtprelay.relay.*} builds, without a broker: the endpoint URIs, the retry schedule, the jms
 * component, and the enrichment steps run on a message in the order the routes promise (hook, headers, DKIM last).
 * The routes themselves are exercised end to end by examples/relay-server.
 */
class SmtpRelayRoutesAutoConfigurationTest {

    private static final String MESSAGE = "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: hello\r\n\r\nHi Bob\r\n";

    private static KeyPair keys;
    private static String pem;

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SmtpRelayRoutesAutoConfiguration.class))
            // no broker behind the connection factories here: SmtpRelayBrokerTest checks real ones
            .withPropertyValues("camel.smtprelay.relay.reporting-mta=relay.example.com", "camel.smtprelay.relay.broker-check=false");

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
        pem = "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void nothingUnlessEnabled() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SmtpRelayRoutesAutoConfiguration.class))
                .withBean(ConnectionFactory.class, () -> new ActiveMQConnectionFactory("vm://0"))
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(SmtpRelayRoutes.class)
                        .doesNotHaveBean(RelayRouteSettings.class)
                        .doesNotHaveBean("jms"));
    }

    @Test
    void urisAndScheduleFollowTheProperties() {
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true",
                "camel.smtprelay.relay.ingress.port=2626",
                "camel.smtprelay.relay.ingress.bind-address=0.0.0.0",
                "camel.smtprelay.relay.ingress.relay-networks=10.0.0.0/8",
                "camel.smtprelay.relay.ingress.local-domains=example.com",
                "camel.smtprelay.relay.ingress.options.maxMessageSize=1000000",
                "camel.smtprelay.relay.ingress.options.users=alice:{pbkdf2}310000$a+b/c=$d+e=",
                "camel.smtprelay.relay.queue.name=mail.out",
                "camel.smtprelay.relay.queue.dead-letter-name=mail.dead",
                "camel.smtprelay.relay.queue.concurrent-consumers=2",
                "camel.smtprelay.relay.delivery.options.connectTimeout=1000",
                "camel.smtprelay.relay.retry.initial-delay=1s",
                "camel.smtprelay.relay.retry.max-delay=4s",
                "camel.smtprelay.relay.retry.lifetime=1m",
                "camel.smtprelay.relay.retry.delay-warning=30s").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(SmtpRelayRoutes.class);
                    RelayRouteSettings s = context.getBean(RelayRouteSettings.class);
                    assertThat(s.ingressUri()).isEqualTo("smtprelay:in?port=2626&bindAddress=0.0.0.0&relayNetworks=10.0.0.0/8"
                                                         + "&localDomains=example.com&maxMessageSize=1000000&users=RAW(alice:{pbkdf2}310000$a+b/c=$d+e=)");
                    assertThat(s.queueUri()).isEqualTo("jms:queue:mail.out?transacted=true&concurrentConsumers=2");
                    assertThat(s.deadLetterUri()).isEqualTo("jms:queue:mail.dead");
                    assertThat(s.retryUri()).isEqualTo("jms:queue:mail.out?deliveryDelay=${header.CamelSmtpRelayRetryDelay}");
                    assertThat(s.deliveryUri()).isEqualTo("smtprelay:outbound?connectTimeout=1000");
                    assertThat(s.reportingMta()).isEqualTo("relay.example.com");
                    assertThat(s.schedule().initial()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(s.schedule().maximum()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(s.schedule().lifetime()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(s.schedule().delayWarning()).isEqualTo(Duration.ofSeconds(30));
                });
    }

    @Test
    void defaultsLeaveTheListenerOptionsToTheComponentAndFollowPostfix() {
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true").run(context -> {
            RelayRouteSettings s = context.getBean(RelayRouteSettings.class);
            assertThat(s.ingressUri()).isEqualTo("smtprelay:in?port=2525");
            assertThat(s.queueUri()).isEqualTo("jms:queue:smtprelay.outbound?transacted=true&concurrentConsumers=50");
            assertThat(s.queueManager().destinationConcurrency()).isEqualTo(20);
            assertThat(s.deadLetterUri()).isEqualTo("jms:queue:smtprelay.dead");
            assertThat(s.deliveryUri()).isEqualTo("smtprelay:outbound");
            assertThat(s.schedule()).isEqualTo(io.github.camelrelay.smtprelay.relay.RetrySchedule.POSTFIX_LIKE);
        });
    }

    @Test
    void theResendRecordIsBesideTheSettledFileUnlessNamedAndNoneBesideASharedRepository() {
        Path settled = dir.resolve("settled.dat");
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.settled.file=" + settled)
                .run(context -> assertThat(context.getBean(SmtpRelayRoutes.class).getResendRecord())
                        .isEqualTo(dir.resolve("settled.dat.resend")));
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.settled.file=" + settled,
                        "camel.smtprelay.relay.ingress.resend-record=" + dir.resolve("digests.dat"))
                .run(context -> assertThat(context.getBean(SmtpRelayRoutes.class).getResendRecord())
                        .isEqualTo(dir.resolve("digests.dat")));
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true")
                .run(context -> assertThat(context.getBean(SmtpRelayRoutes.class).getResendRecord()).isNull());
    }

    @Test
    void optionValuesWithUriSyntaxAreWrappedSoCamelReadsThemUnchanged() {
        assertThat(SmtpRelayRoutesAutoConfiguration.raw("plain-value_1.2:3/4,5@x")).isEqualTo("plain-value_1.2:3/4,5@x");
        assertThat(SmtpRelayRoutesAutoConfiguration.raw("a+b")).isEqualTo("RAW(a+b)");
        assertThat(SmtpRelayRoutesAutoConfiguration.raw("a&b)")).isEqualTo("RAW{a&b)}");
        assertThat(SmtpRelayRoutesAutoConfiguration.raw("RAW(a+b)")).isEqualTo("RAW(a+b)");
        assertThat(SmtpRelayRoutesAutoConfiguration.raw("${header.CamelSmtpRelayRetryDelay}")).isEqualTo("${header.CamelSmtpRelayRetryDelay}");
    }

    @Test
    void ingressCanBeOffOrAWholeUri() {
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.ingress.enabled=false")
                .run(context -> assertThat(context.getBean(RelayRouteSettings.class).ingressUri()).isNull());
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.ingress.uri=smtprelay:mx?port=25",
                "camel.smtprelay.relay.ingress.port=2626")
                .run(context -> assertThat(context.getBean(RelayRouteSettings.class).ingressUri()).isEqualTo("smtprelay:mx?port=25"));
    }

    @Test
    void jmsComponentIsTransactedOverTheUnwrappedConnectionFactory() {
        ActiveMQConnectionFactory artemis = new ActiveMQConnectionFactory("vm://0");
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true")
                .withBean(ConnectionFactory.class, () -> new CachingConnectionFactory(artemis))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    JmsComponent jms = context.getBean("jms", JmsComponent.class);
                    assertThat(jms.getConfiguration().isTransacted()).isTrue();
                    assertThat(jms.getConfiguration().getConnectionFactory()).isSameAs(artemis);
                    assertThat(jms.getConfiguration().getCacheLevelName()).isEqualTo("CACHE_CONSUMER");
                });
    }

    @Test
    void largeMessagesStreamThroughArtemisOnlyAndAnExplicitQueueOptionWins() {
        ActiveMQConnectionFactory artemis = new ActiveMQConnectionFactory("vm://0");
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true")
                .withBean(ConnectionFactory.class, () -> new CachingConnectionFactory(artemis))
                .run(context -> assertThat(context.getBean(RelayRouteSettings.class).largeMessageOptions())
                        .isEqualTo("artemisStreamingEnabled=true"));
        // another broker's client would refuse the Artemis-only message property
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true")
                .withBean(ConnectionFactory.class, () -> org.mockito.Mockito.mock(ConnectionFactory.class))
                .run(context -> assertThat(context.getBean(RelayRouteSettings.class).largeMessageOptions()).isNull());
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.queue.options.artemisStreamingEnabled=false")
                .withBean(ConnectionFactory.class, () -> artemis)
                .run(context -> {
                    RelayRouteSettings s = context.getBean(RelayRouteSettings.class);
                    assertThat(s.largeMessageOptions()).isNull();
                    assertThat(s.queueUri()).endsWith("&artemisStreamingEnabled=false");
                });
    }

    @Test
    void anApplicationJmsComponentIsKept() {
        JmsComponent own = new JmsComponent();
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true")
                .withBean(ConnectionFactory.class, () -> new ActiveMQConnectionFactory("vm://0"))
                .withBean("jms", JmsComponent.class, () -> own)
                .run(context -> assertThat(context.getBean("jms")).isSameAs(own));
    }

    @Test
    void hookRunsFirstThenHeadersThenDkimWhichVerifies() throws Exception {
        List<String> seen = new ArrayList<>();
        SmtpRelayEnrichmentHook hook = exchange -> {
            String text = exchange.getMessage().getBody(String.class);
            seen.add(text.contains("Message-ID:") ? "after headers" : "before headers");
            exchange.getMessage().setBody("X-Hook: yes\r\n" + text);
        };
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true",
                "camel.smtprelay.relay.enrichment.hook=myHook",
                "camel.smtprelay.relay.enrichment.extra-headers.[X-Relayed-By]=test relay",
                "camel.smtprelay.relay.dkim.domain=example.com",
                "camel.smtprelay.relay.dkim.selector=s2026",
                "camel.smtprelay.relay.dkim.private-key=" + pem)
                .withBean("myHook", SmtpRelayEnrichmentHook.class, () -> hook)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    RelayEnrichment enrichment = (RelayEnrichment) context.getBean(RelayRouteSettings.class).enrichers().get(0);
                    assertThat(enrichment.steps()).extracting(RelayEnrichment.Step::name).containsExactly("hook myHook", "headers", "DKIM");

                    String signed = enrich(enrichment, MESSAGE);
                    assertThat(seen).containsExactly("before headers");
                    assertThat(signed).startsWith("DKIM-Signature:").contains("d=example.com", "s=s2026")
                            .containsPattern("Message-ID: <[^>]+@relay\\.example\\.com>").contains("X-Relayed-By: test relay", "X-Hook: yes")
                            .endsWith(MESSAGE);
                    assertThat(dkimVerifier().verify(new ByteArrayInputStream(signed.getBytes(StandardCharsets.UTF_8)))).hasSize(1);
                });
    }

    @Test
    void dkimKeyFromAFileAndAProcessorHook() throws Exception {
        Path key = Files.writeString(dir.resolve("dkim.pem"), pem);
        Processor hook = exchange -> exchange.getMessage().setHeader("hooked", true);
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true",
                "camel.smtprelay.relay.enrichment.hook=processorHook",
                "camel.smtprelay.relay.dkim.domain=example.com",
                "camel.smtprelay.relay.dkim.selector=s2026",
                "camel.smtprelay.relay.dkim.private-key=" + key)
                .withBean("processorHook", Processor.class, () -> hook)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    String signed = enrich((Processor) context.getBean(RelayRouteSettings.class).enrichers().get(0), MESSAGE);
                    assertThat(dkimVerifier().verify(new ByteArrayInputStream(signed.getBytes(StandardCharsets.UTF_8)))).hasSize(1);
                });
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.dkim.domain=example.com",
                "camel.smtprelay.relay.dkim.selector=s2026", "camel.smtprelay.relay.dkim.private-key=file:" + key)
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void misconfigurationsFailAtStartupSayingWhatIsWrong() {
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.enrichment.hook=missing")
                .run(context -> assertThat(context).getFailure()
                        .hasStackTraceContaining("Expected a bean named 'missing'"));
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.enrichment.hook=notAHook")
                .withBean("notAHook", String.class, () -> "text")
                .run(context -> assertThat(context).getFailure()
                        .hasStackTraceContaining("to implement").hasStackTraceContaining("but found a java.lang.String"));
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.dkim.domain=example.com")
                .run(context -> assertThat(context).getFailure()
                        .hasStackTraceContaining("domain set, selector unset, private-key unset"));
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.dkim.domain=example.com",
                "camel.smtprelay.relay.dkim.selector=s1", "camel.smtprelay.relay.dkim.private-key=-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----")
                .run(context -> assertThat(context).getFailure()
                        .hasStackTraceContaining("PKCS#1").hasStackTraceContaining("openssl pkcs8"));
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.dkim.domain=example.com",
                "camel.smtprelay.relay.dkim.selector=s1", "camel.smtprelay.relay.dkim.private-key=" + dir.resolve("none.pem"))
                .run(context -> assertThat(context).getFailure().hasStackTraceContaining("no such file"));
    }

    @Test
    void aRefusedMessageIsBouncedAndGoesToTheDeadLettersAsSubmitted() throws Exception {
        List<Exchange> dead = new ArrayList<>();
        List<Exchange> delivered = new ArrayList<>();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Processor refuse = e -> {
                // a step before it changed the message; the dead letters still get it as submitted
                e.getMessage().setBody("X-Changed: yes\r\n" + e.getMessage().getBody(String.class));
                throw new InvalidMailException("no thanks", "5.7.1", e, null);
            };
            Processor never = e -> {
                throw new AssertionError("a step after the refusal ran");
            };
            RelayEnrichment enrichment = new RelayEnrichment(List.of(new RelayEnrichment.Step("hook h", refuse),
                    new RelayEnrichment.Step("headers", never)));
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:dead").process(e -> dead.add(e.copy()));
                    from("direct:deliver").process(e -> delivered.add(e.copy()));
                }
            });
            camel.addRoutes(new io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes(
                    new io.github.camelrelay.smtprelay.relay.RelayRouteSettings(null, "direct:queue", "direct:retry",
                            "direct:deliver", "direct:dead", "relay.example.com", null, List.of(enrichment))));
            camel.start();

            camel.createProducerTemplate().send("direct:queue", e -> {
                e.getMessage().setBody(MESSAGE.getBytes(StandardCharsets.UTF_8));
                e.getMessage().setHeader("SmtpRelayEnvelopeFrom", "alice@example.com");
                e.getMessage().setHeader("SmtpRelayRecipients", "bob@example.net,carol@example.net");
            });

            // the only delivery is the bounce that tells the sender why, through the queue
            assertThat(delivered).singleElement().satisfies(bounce -> {
                assertThat(bounce.getMessage().getHeader("CamelSmtpRelayEnvelopeFrom")).isEqualTo("");
                assertThat(bounce.getMessage().getHeader("CamelSmtpRelayRecipients", List.class)).containsExactly("alice@example.com");
                assertThat(bounce.getMessage().getBody(String.class)).contains("Status: 5.7.1", "no thanks");
            });
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).getMessage().getBody(String.class)).isEqualTo(MESSAGE);
            assertThat(dead.get(0).getMessage().getHeader("SmtpRelayEnvelopeFrom")).isEqualTo("alice@example.com");
            assertThat(dead.get(0).getMessage().getHeader("SmtpRelayRecipients")).isEqualTo("[\"bob@example.net\",\"carol@example.net\"]");
            assertThat(dead.get(0).getMessage().getHeader("SmtpRelayReportText", String.class))
                    .startsWith("refused before delivery (5.7.1): hook h refused the message: no thanks")
                    .contains("sender notified: <alice@example.com>");
        }
    }

    private static String enrich(Processor enrichment, String message) throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(camel);
            exchange.getMessage().setBody(message.getBytes(StandardCharsets.UTF_8));
            enrichment.process(exchange);
            return exchange.getMessage().getBody(String.class);
        }
    }

    private static DKIMVerifier dkimVerifier() {
        String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        return new DKIMVerifier((method, selector, domain) -> {
            assertThat(selector.toString()).isEqualTo("s2026");
            assertThat(domain.toString()).isEqualTo("example.com");
            return List.of(record);
        });
    }
}
