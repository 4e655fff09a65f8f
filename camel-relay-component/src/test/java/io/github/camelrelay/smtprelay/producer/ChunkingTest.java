package io.github.camelrelay.smtprelay.producer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.testsupport.TestCertificates;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CHUNKING (RFC 3030) against a real server: BDAT where offered, in 1 MiB chunks streamed from the content with no
 * dot-stuffing, BODY=BINARYMIME where offered too, DATA where not or when the chunking option is off.
 */
class ChunkingTest extends ProducerTestSupport {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aServerOfferingChunkingGetsTheMessageInOneLastBdatAsItIs(boolean pipelining) {
        mx1.offer("CHUNKING").pipelining(pipelining);
        Exchange exchange = send(mxUri(), RAW, Map.of());

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        // the lines starting with a dot arrive as they are: BDAT has no dot-stuffing
        assertSameBytes(withoutReceived(got.data()), RAW_BYTES);
        assertThat(mx1.commands()).contains("BDAT " + got.data().length + " LAST").doesNotContain("DATA")
                .anyMatch(c -> c.startsWith("MAIL FROM:<alice@sender.test>") && c.endsWith(" BODY=8BITMIME"));
    }

    @Test
    void aLargeMessageStreamsInMebibyteChunks() {
        mx1.offer("CHUNKING");
        String line = ".0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz012345\r\n";
        String body = "From: a@sender.test\r\nTo: bob@example.test\r\nSubject: big\r\n\r\n" + line.repeat(40_000);
        Exchange exchange = send(mxUri("&addReceivedHeader=false"), body.getBytes(StandardCharsets.US_ASCII), Map.of());

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        assertSameBytes(got.data(), body.getBytes(StandardCharsets.US_ASCII));
        int size = body.length();
        List<String> bdat = mx1.commands().stream().filter(c -> c.startsWith("BDAT")).toList();
        assertThat(bdat).containsExactly("BDAT 1048576", "BDAT 1048576", "BDAT 1048576", "BDAT " + (size - 3 * 1048576) + " LAST");
    }

    @Test
    void afterStartTlsTheChunksGoOverTheEncryptedConnection() {
        mx2.advertiseStartTls(TestCertificates.serverContext()).offer("CHUNKING");
        Exchange exchange = send(relayUri(MX2_IP, "&tls=REQUIRED"), RAW, Map.of());

        assertThat(exchange.getException()).isNull();
        Received got = mx2.awaitMessage(WAIT);
        assertThat(got.tls()).isTrue();
        assertSameBytes(withoutReceived(got.data()), RAW_BYTES);
        assertThat(mx2.commands()).contains("STARTTLS", "BDAT " + got.data().length + " LAST").doesNotContain("DATA");
    }

    @Test
    void binarymimeIsDeclaredWhereOfferedWithChunking() {
        mx1.offer("CHUNKING").offer("BINARYMIME");
        Exchange exchange = send(mxUri(), RAW, Map.of());

        assertThat(exchange.getException()).isNull();
        mx1.awaitMessage(WAIT);
        assertThat(mx1.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<alice@sender.test>") && c.endsWith(" BODY=BINARYMIME"));
    }

    @Test
    void theChunkingOptionOffSendsData() {
        mx1.offer("CHUNKING");
        Exchange exchange = send(mxUri("&chunking=false"), RAW, Map.of());

        assertThat(exchange.getException()).isNull();
        assertSameBytes(withoutReceived(mx1.awaitMessage(WAIT).data()), RAW_BYTES);
        assertThat(mx1.commands()).contains("DATA").noneMatch(c -> c.startsWith("BDAT"));
    }

    @Test
    void aRefusedLastChunkIsTheMessagesVerdictAndTheConnectionIsReusedAfterRset() {
        mx1.offer("CHUNKING").dataReply(n -> n == 1 ? "554 5.6.0 content refused" : "250 2.0.0 queued as " + n);
        Exchange first = send(mxUri(), RAW, Map.of());
        assertThat(report(first).statuses()).hasSize(2).allSatisfy(s -> assertThat(s.enhancedStatus()).isEqualTo("5.6.0"));

        Exchange second = send(mxUri(), RAW, Map.of());
        assertThat(second.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).recipients()).isNotEmpty();
    }
}
