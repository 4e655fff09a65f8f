package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;

import io.github.camelrelay.smtprelay.testsupport.TestCertificates;

/**
 * A raw-socket SMTP client for hostile tests: it sends exactly the bytes it is given and reads replies with a
 * bounded wait, so a test can see what the listener does with things a real client never sends.
 */
final class SmtpTestClient implements AutoCloseable {

    /** How long a reply may take before the test fails. */
    static final int REPLY_TIMEOUT_MILLIS = 5000;

    /** One reply, possibly multi-line. */
    record Reply(int code, List<String> lines) {
        String text() {
            return String.join("\n", lines);
        }

        String last() {
            return lines.get(lines.size() - 1);
        }

        @Override
        public String toString() {
            return text();
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final Reply greeting;

    private SmtpTestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
        attach();
        greeting = reply();
    }

    static SmtpTestClient connect(int port) {
        return connect("127.0.0.1", port, null);
    }

    /** Connects to host:port from the given local address (a loopback address such as 127.0.0.3), or any when null. */
    static SmtpTestClient connect(String host, int port, String localAddress) {
        try {
            Socket s = new Socket();
            if (localAddress != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            }
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), REPLY_TIMEOUT_MILLIS);
            return new SmtpTestClient(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connects with TLS from the first byte (implicit TLS), trusting the test certificate. */
    static SmtpTestClient connectTls(int port) {
        try {
            Socket plain = new Socket(InetAddress.getByName("127.0.0.1"), port);
            SSLSocket tls = (SSLSocket) TestCertificates.clientContextTrustingTestCa().getSocketFactory()
                    .createSocket(plain, "localhost", port, true);
            tls.startHandshake();
            return new SmtpTestClient(tls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply greeting() {
        return greeting;
    }

    /** Sends a command line (CRLF added) and reads its reply. */
    Reply send(String line) {
        write(line + "\r\n");
        return reply();
    }

    void write(String raw) {
        write(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    void write(byte[] raw) {
        try {
            out.write(raw);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one complete reply; fails the test if none comes within the timeout or the connection closes first. */
    Reply reply() {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new AssertionError("connection closed while waiting for a reply" + (lines.isEmpty() ? "" : " after " + lines));
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                int code = Integer.parseInt(line.substring(0, 3));
                return new Reply(code, lines);
            }
        }
    }

    /** True when nothing arrives within the given time (the server is still thinking), false when something does. */
    boolean silentFor(int millis) {
        try {
            socket.setSoTimeout(millis);
            in.mark(1);
            int b = in.read();
            in.reset();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** True when the server closes the connection (end of stream) within the timeout, reading past any replies. */
    boolean closedByServer() {
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // a reset is a close too
            return true;
        }
    }

    EhloResult ehlo(String name) {
        Reply r = send("EHLO " + name);
        assertThat(r.code()).as("EHLO reply %s", r).isEqualTo(250);
        return new EhloResult(r);
    }

    record EhloResult(Reply reply) {
        boolean offers(String keyword) {
            return reply.lines().stream().skip(1).anyMatch(l -> l.substring(4).toUpperCase().startsWith(keyword));
        }
    }

    /** STARTTLS, then the TLS handshake trusting the test certificate. */
    void startTls() {
        Reply r = send("STARTTLS");
        assertThat(r.code()).as("STARTTLS reply %s", r).isEqualTo(220);
        handshake();
    }

    /** The TLS handshake alone, for tests that sent STARTTLS themselves. */
    void handshake() {
        try {
            SSLSocket tls = (SSLSocket) TestCertificates.clientContextTrustingTestCa().getSocketFactory()
                    .createSocket(socket, "localhost", socket.getPort(), true);
            tls.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            tls.startHandshake();
            socket = tls;
            attach();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void attach() throws IOException {
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    private String readLine() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.UTF_8);
                }
                line.write(b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no reply within " + REPLY_TIMEOUT_MILLIS + " ms", e);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing after a test
        }
    }
}
