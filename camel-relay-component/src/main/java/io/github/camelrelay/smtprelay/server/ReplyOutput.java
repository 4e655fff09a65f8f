package io.github.camelrelay.smtprelay.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The connection's output, watched for 5xx replies. SubEthaSMTP answers some errors itself (unknown commands, for
 * one) without telling anybody, so the replies on the wire are the one place every error can be counted.
 */
final class ReplyOutput extends OutputStream {

    private final OutputStream out;
    private final SessionState state;
    private final byte[] code = new byte[4];
    private int column;

    ReplyOutput(OutputStream out, SessionState state) {
        this.out = out;
        this.state = state;
    }

    /** Sends one reply line from the listener's own code (not through SubEthaSMTP's writer). */
    void reply(String line) throws IOException {
        write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        flush();
    }

    @Override
    public void write(int b) throws IOException {
        observe((byte) b);
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            observe(b[i]);
        }
        out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void observe(byte b) {
        if (column < code.length) {
            code[column] = b;
            // only the last line of a multi-line reply ("550 ", not "550-") ends it
            if (column == 3 && code[0] == '5' && isDigit(code[1]) && isDigit(code[2]) && (b == ' ' || b == '\r')) {
                state.error();
            }
        }
        column = b == '\n' ? 0 : column + 1;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
