package io.github.camelrelay.smtprelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.eclipse.angus.mail.smtp.SMTPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DotStuffingOutputStreamTest {

    private static String stuffed(String data, int chunk) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        DotStuffingOutputStream out = new DotStuffingOutputStream(sink);
        byte[] bytes = data.getBytes(StandardCharsets.ISO_8859_1);
        for (int off = 0; off < bytes.length; off += chunk) {
            out.write(bytes, off, Math.min(chunk, bytes.length - off));
        }
        out.endData();
        return sink.toString(StandardCharsets.ISO_8859_1);
    }

    /** What Angus Mail's own SMTPOutputStream sends, ended at the start of a line and with the dot, as its finishData() does. */
    private static String angus(byte[] bytes) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        SMTPOutputStream out = new SMTPOutputStream(sink);
        out.write(bytes);
        out.ensureAtBOL();
        return sink.toString(StandardCharsets.ISO_8859_1) + ".\r\n";
    }

    @ParameterizedTest
    // R and N stand for CR and LF
    @CsvSource(delimiter = '|', value = {
            "aRNbRN|aRNbRN",
            ".RN|..RN",
            "aRN.bRN..cRN|aRN..bRN...cRN",
            "a.bRN|a.bRN",
            "bareNlfN|bareRNlfRN",
            "bareRcrR|bareRNcrRN",
            "xR.y|xRN..yRN",
            "xN.y|xRN..yRN",
            "no line end|no line endRN",
            "RNRN|RNRN",
    })
    void linesEndInCrlfAndLeadingDotsAreDoubled(String encodedData, String encodedExpected) throws IOException {
        String data = encodedData.replace('R', '\r').replace('N', '\n');
        String expected = encodedExpected.replace('R', '\r').replace('N', '\n') + ".\r\n";
        for (int chunk = 1; chunk <= data.length(); chunk++) {
            assertThat(stuffed(data, chunk)).as("written %d bytes at a time", chunk).isEqualTo(expected);
        }
    }

    @Test
    void sendsWhatAngusMailWouldForAnyInput() throws IOException {
        Random random = new Random(42);
        byte[] alphabet = {'a', '.', '\r', '\n', ' ', (byte) 0xE9};
        for (int round = 0; round < 2000; round++) {
            byte[] data = new byte[random.nextInt(40)];
            for (int i = 0; i < data.length; i++) {
                data[i] = alphabet[random.nextInt(alphabet.length)];
            }
            String input = new String(data, StandardCharsets.ISO_8859_1);
            assertThat(stuffed(input, 1 + random.nextInt(7))).as("input %s", input.replace("\r", "\\r").replace("\n", "\\n"))
                    .isEqualTo(angus(data));
        }
    }

    @Test
    void anEmptyMessageIsTheEndOfDataAlone() throws IOException {
        assertThat(stuffed("", 1)).isEqualTo(".\r\n");
    }
}
