package io.github.camelrelay.smtprelay.server;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import io.github.camelrelay.smtprelay.timeout.Deadline;
import io.github.camelrelay.smtprelay.timeout.Watchdog;
import org.subethamail.smtp.server.Session;

/**
 * One client connection, handed to SubEthaSMTP in place of the accepted socket: a socket subclass because
 * SubEthaSMTP's session is final and reads and writes only through the socket it is given, and this is where the
 * wire checks ({@link CommandInput}, {@link ReplyOutput}) and the per-connection {@link SessionState} live.
 * <p>
 * The TCP socket underneath never changes; with TLS the streams come from an {@link SSLSocket} layered on it. Only
 * the methods SubEthaSMTP and this package call are delegated.
 */
final class SmtpConnection extends Socket {

    private final Socket tcp;
    private final SessionState state;
    private final String hostName;
    private final Watchdog watchdog;
    /** Expiry ends the blocked read (see readingExpired), so the session can still send its 421 on plain text. */
    private final Deadline reading;
    /** Expiry closes the connection: a client that does not read our replies will not read a 421 either. */
    private final Deadline writing;
    /** What SubEthaSMTP set with setSoTimeout, enforced by the watchdog, never set on the socket (see Deadline). */
    private volatile int timeoutMillis;
    private Socket active;
    private CommandInput input;
    private ReplyOutput output;

    private SmtpConnection(Socket tcp, Socket active, SessionState state, String hostName, Watchdog watchdog)
            throws IOException {
        this.tcp = tcp;
        this.active = active;
        this.state = state;
        this.hostName = hostName;
        this.watchdog = watchdog;
        this.reading = new Deadline(this::readingExpired);
        this.writing = new Deadline(tcp::close);
        attachStreams();
        watchdog.watch(reading);
        watchdog.watch(writing);
    }

    /**
     * A plain connection's input is shut down, which ends the read and leaves SubEthaSMTP its 421; on TLS an end of
     * input is fatal to the TLS layer, so there is no 421 to send, and the connection is closed.
     */
    private void readingExpired() throws IOException {
        if (active == tcp) {
            tcp.shutdownInput();
        } else {
            tcp.close();
        }
    }

    /** Wraps an accepted socket; with implicitTls the TLS layer is added now and its handshake made later. */
    static SmtpConnection accepted(Socket tcp, SSLContext implicitTls, int maxErrors, String hostName, Watchdog watchdog)
            throws IOException {
        SessionState state = new SessionState((InetSocketAddress) tcp.getRemoteSocketAddress(), maxErrors);
        Socket active = implicitTls == null ? tcp : layerTls(implicitTls, tcp);
        return new SmtpConnection(tcp, active, state, hostName, watchdog);
    }

    static SmtpConnection of(Session session) {
        return (SmtpConnection) session.getSocket();
    }

    SessionState state() {
        return state;
    }

    CommandInput input() {
        return input;
    }

    ReplyOutput output() {
        return output;
    }

    /** Completes the handshake of an implicit TLS connection; called before the greeting. */
    void handshake() throws IOException {
        if (active instanceof SSLSocket ssl && !state.tls()) {
            handshake(ssl);
            SSLSession s = ssl.getSession();
            state.tlsStarted(s.getProtocol(), s.getCipherSuite());
        }
    }

    /**
     * STARTTLS: layers TLS on the TCP socket and makes the handshake. The plaintext input object is dropped with
     * anything the client pipelined after STARTTLS still in it (CVE-2011-0411), and reading starts afresh from the
     * TLS layer.
     *
     * @return the octets of plaintext that were discarded
     */
    int startTls(SSLContext context) throws IOException {
        int discarded = input.buffered();
        SSLSocket ssl = layerTls(context, tcp);
        handshake(ssl);
        active = ssl;
        SSLSession s = ssl.getSession();
        state.tlsStarted(s.getProtocol(), s.getCipherSuite());
        attachStreams();
        return discarded;
    }

    private void handshake(SSLSocket ssl) throws IOException {
        reading.arm(timeoutMillis);
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            throw reading.expiredAfter() > 0 ? reading.timeout() : e;
        } finally {
            reading.disarm();
        }
    }

    private static SSLSocket layerTls(SSLContext context, Socket tcp) throws IOException {
        // the address, not a name: no reverse DNS look-up for a server-side socket
        SSLSocket ssl = (SSLSocket) context.getSocketFactory()
                .createSocket(tcp, tcp.getInetAddress().getHostAddress(), tcp.getPort(), true);
        ssl.setUseClientMode(false);
        return ssl;
    }

    private void attachStreams() throws IOException {
        output = new ReplyOutput(new TimedOutput(active.getOutputStream()), state);
        input = new CommandInput(new TimedInput(active.getInputStream()), state, output, hostName);
    }

    @Override
    public InputStream getInputStream() {
        return input;
    }

    @Override
    public OutputStream getOutputStream() {
        return output;
    }

    @Override
    public void setSoTimeout(int timeout) {
        timeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() {
        return timeoutMillis;
    }

    @Override
    public InetAddress getInetAddress() {
        return tcp.getInetAddress();
    }

    @Override
    public int getPort() {
        return tcp.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return tcp.getRemoteSocketAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return tcp.getLocalAddress();
    }

    @Override
    public int getLocalPort() {
        return tcp.getLocalPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return tcp.getLocalSocketAddress();
    }

    @Override
    public boolean isConnected() {
        return tcp.isConnected();
    }

    @Override
    public boolean isBound() {
        return tcp.isBound();
    }

    @Override
    public boolean isClosed() {
        return tcp.isClosed();
    }

    @Override
    public void close() throws IOException {
        watchdog.forget(reading);
        watchdog.forget(writing);
        try {
            if (active != tcp) {
                active.close();
            }
        } finally {
            tcp.close();
        }
    }

    /** Every read bounded by the session's timeout: SubEthaSMTP answers the SocketTimeoutException with 421. */
    private final class TimedInput extends FilterInputStream {

        TimedInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reading.arm(timeoutMillis);
            try {
                int n = in.read(b, off, len);
                if (n < 0 && reading.expiredAfter() > 0) {
                    throw reading.timeout();
                }
                return n;
            } catch (IOException e) {
                throw reading.expiredAfter() > 0 ? reading.timeout() : e;
            } finally {
                reading.disarm();
            }
        }
    }

    /** Every write bounded by the session's timeout too, which SO_TIMEOUT never did. */
    private final class TimedOutput extends FilterOutputStream {

        TimedOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writing.arm(timeoutMillis);
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw writing.expiredAfter() > 0 ? writing.timeout() : e;
            } finally {
                writing.disarm();
            }
        }
    }

    @Override
    public String toString() {
        return "SmtpConnection[" + tcp.getRemoteSocketAddress() + (state.tls() ? ", TLS" : "") + "]";
    }
}
