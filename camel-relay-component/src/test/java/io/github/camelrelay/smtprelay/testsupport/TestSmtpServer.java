package io.github.camelrelay.smtprelay.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scriptable SMTP server on raw sockets, so delivery tests can see exactly what the component sends and make
 * the far side misbehave (busy greeting, tarpit, failing EHLO, per-recipient rejections, STARTTLS, AUTH, ...).
 * <p>
 * Every behaviour switch can be changed while the server runs; a switch is read when it is needed, so a change
 * affects the commands (or, for the greeting, TLS and tarpit, the connections) that follow it. One daemon thread
 * serves each connection. MAIL, RCPT and DATA need an EHLO/HELO first (503 otherwise).
 */
public final class TestSmtpServer implements AutoCloseable {

    /** Name the server gives itself in EHLO/HELO replies. */
    public static final String SERVER_NAME = "mx.test";

    private static final int PORT_ATTEMPTS = 20;
    private static final int MAX_LINE = 1_000_000;

    /**
     * One mail transaction the server accepted (its final dot answered 2xx).
     *
     * @param mailFrom         the reverse path without brackets, empty for the null sender
     * @param recipients       the recipients the server accepted, without brackets
     * @param data             the message as transmitted, dot-stuffing and the terminating ".\r\n" removed
     * @param tls              whether the transaction went over TLS
     * @param authUser         the user the session authenticated as, or null
     * @param helo             the argument of the last EHLO or HELO
     * @param ehloOrHelo       "EHLO" or "HELO"
     * @param connectionNumber the 1-based number of the TCP connection that carried it, to tell reuse apart
     */
    public record Received(String mailFrom, List<String> recipients, byte[] data, boolean tls, String authUser,
            String helo, String ehloOrHelo, int connectionNumber) {

        /** Copies the mutable parts so the record stays immutable. */
        public Received {
            recipients = List.copyOf(recipients);
            data = data.clone();
        }

        /** A copy of the message bytes, so callers cannot change the record. */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The message decoded as UTF-8, for assertions on headers and body text. */
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        /** Compares the message bytes by content, so equal transactions are equal records. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Received r && mailFrom.equals(r.mailFrom) && recipients.equals(r.recipients)
                    && Arrays.equals(data, r.data) && tls == r.tls && Objects.equals(authUser, r.authUser)
                    && Objects.equals(helo, r.helo) && Objects.equals(ehloOrHelo, r.ehloOrHelo)
                    && connectionNumber == r.connectionNumber;
        }

        /** Consistent with {@link #equals(Object)}. */
        @Override
        public int hashCode() {
            return Objects.hash(mailFrom, recipients, Arrays.hashCode(data), tls, authUser, helo, ehloOrHelo,
                    connectionNumber);
        }

        /** Summary without the message bytes, for readable assertion failures. */
        @Override
        public String toString() {
            return "Received[from=" + mailFrom + ", to=" + recipients + ", bytes=" + data.length + ", tls=" + tls
                    + ", authUser=" + authUser + ", " + ehloOrHelo + " " + helo + ", connection=" + connectionNumber
                    + "]";
        }
    }

    private final ServerSocket serverSocket;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private final AtomicInteger dataTransactions = new AtomicInteger();
    private final AtomicInteger rsets = new AtomicInteger();
    private final List<Received> messages = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Received> arrivals = new LinkedBlockingQueue<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private volatile String greeting = "220 " + SERVER_NAME + " ESMTP";
    private volatile boolean tarpit;
    private volatile String ehloReply;
    private final Set<String> offered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<String> withheld = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean heloFailsToo;
    private volatile SSLContext startTls;
    private volatile SSLContext implicitTls;
    private volatile String[] credentials;
    private volatile String bearerUser;
    private volatile Predicate<String> bearerAccepted;
    private final List<String> bearerTokens = new CopyOnWriteArrayList<>();
    private volatile boolean authBeforeTls;
    private volatile String mailFromReply;
    private volatile Function<String, String> rcptReply = address -> "250 2.1.5 OK";
    private volatile int maxRecipients = Integer.MAX_VALUE;
    private volatile Function<Integer, String> dataReply = n -> "250 2.0.0 queued as " + n;
    private volatile String dataStartReply = "354 End data with <CR><LF>.<CR><LF>";
    private volatile boolean closeAfterData;
    private volatile boolean dropAfterFinalDot;
    private volatile boolean silentAfterDataStart;
    private volatile boolean pipelining = true;
    private volatile boolean dataWithoutRecipients;

    private TestSmtpServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
    }

    /**
     * Starts a server on {@code bindAddress} (a loopback literal such as "127.0.0.2") and {@code port} (0 for an
     * ephemeral one); close it when the test ends.
     */
    public static TestSmtpServer start(String bindAddress, int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port));
            TestSmtpServer server = new TestSmtpServer(socket);
            Thread acceptor = new Thread(server::acceptLoop, "test-smtp-" + bindAddress + ":" + socket.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + bindAddress + ":" + port, e);
        }
    }

    /**
     * A port free on every given address at the time of the call, because the component uses one {@code mxPort}
     * for all MX hosts and a test binds one server per host address on that same port.
     */
    public static int freePortOnAll(String... addresses) {
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port;
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(addresses[0]))) {
                port = first.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind " + addresses[0], e);
            }
            if (freeOnAll(port, addresses)) {
                return port;
            }
        }
        throw new IllegalStateException("no port free on all of " + String.join(", ", addresses));
    }

    private static boolean freeOnAll(int port, String... addresses) {
        for (String address : addresses) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** The port the server listens on. */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /** The address the server listens on, as a literal. */
    public String host() {
        return serverSocket.getInetAddress().getHostAddress();
    }

    // ---------------------------------------------------------------- behaviour switches

    /** Sets the greeting line, e.g. "421 4.3.2 busy"; a greeting that is not 2xx is sent and the connection closed. */
    public TestSmtpServer greeting(String line) {
        this.greeting = line;
        return this;
    }

    /** When true, new connections are accepted but never greeted nor read, to test connect/greeting timeouts. */
    public TestSmtpServer tarpit(boolean enabled) {
        this.tarpit = enabled;
        return this;
    }

    /** Makes EHLO answer this line (e.g. "451 4.3.0 try later") instead of succeeding; null restores the default. */
    public TestSmtpServer ehloReply(String line) {
        this.ehloReply = line;
        return this;
    }

    /** When true, HELO gets the {@link #ehloReply} as well, so a client's HELO fallback fails too. */
    public TestSmtpServer heloFailsToo(boolean enabled) {
        this.heloFailsToo = enabled;
        return this;
    }

    /** Advertises and performs STARTTLS with this server context; null stops offering it. */
    public TestSmtpServer advertiseStartTls(SSLContext ctx) {
        this.startTls = ctx;
        return this;
    }

    /** Speaks TLS from the first byte of new connections (SMTPS); null returns to plaintext. */
    public TestSmtpServer implicitTls(SSLContext ctx) {
        this.implicitTls = ctx;
        return this;
    }

    /** Requires AUTH (PLAIN or LOGIN) with exactly these credentials before MAIL FROM. */
    public TestSmtpServer requireAuth(String user, String password) {
        this.credentials = new String[] {user, password};
        return this;
    }

    /**
     * Requires AUTH XOAUTH2 or OAUTHBEARER (RFC 7628), both offered, as {@code user} with a token that
     * {@code accepted} takes, before MAIL FROM. A refused token gets the 334 error challenge with a JSON status, and
     * after the client's answer to it (an empty line for XOAUTH2, %x01 for OAUTHBEARER) 535; an AUTH line longer than
     * the 512 octets of RFC 5321 gets 500, as Dovecot answers. Every token presented is in {@link #bearerTokens()}.
     */
    public TestSmtpServer requireBearer(String user, Predicate<String> accepted) {
        this.bearerUser = Objects.requireNonNull(user, "user");
        this.bearerAccepted = Objects.requireNonNull(accepted, "accepted");
        return this;
    }

    /**
     * When true, AUTH is offered and accepted before STARTTLS too, as by a server (or a man in the middle) that takes
     * the password in plain text although it offers TLS.
     */
    public TestSmtpServer authBeforeTls(boolean enabled) {
        this.authBeforeTls = enabled;
        return this;
    }

    /** Answers MAIL FROM with this line instead of "250 2.1.0 OK"; a non-2xx line starts no transaction. */
    public TestSmtpServer mailFromReply(String line) {
        this.mailFromReply = line;
        return this;
    }

    /** Maps each recipient address (no brackets) to its full RCPT reply line; 2xx replies accept it. */
    public TestSmtpServer rcptReply(Function<String, String> reply) {
        this.rcptReply = reply;
        return this;
    }

    /** Answers "452 4.5.3 Too many recipients" once a transaction already has {@code n} accepted recipients. */
    public TestSmtpServer maxRecipientsPerTransaction(int n) {
        this.maxRecipients = n;
        return this;
    }

    /** Maps the 1-based number of the DATA transaction on this server to the reply to its final dot. */
    public TestSmtpServer dataReply(Function<Integer, String> reply) {
        this.dataReply = reply;
        return this;
    }

    /** Answers DATA itself with this line; anything but 354 makes the server not read a message. */
    public TestSmtpServer dataStartReply(String line) {
        this.dataStartReply = line;
        return this;
    }

    /**
     * Adds an EHLO keyword (such as {@code DSN}, {@code SMTPUTF8}, {@code CHUNKING}, {@code BINARYMIME}) to what EHLO
     * announces; the server accepts whatever the client then sends with it (parameters are recorded in
     * {@link #commands()}), and BDAT once CHUNKING is offered.
     */
    public TestSmtpServer offer(String keyword) {
        withheld.remove(keyword);
        offered.add(keyword);
        return this;
    }

    /** Leaves a keyword EHLO announces by default (such as {@code 8BITMIME}) out. */
    public TestSmtpServer withhold(String keyword) {
        offered.remove(keyword);
        withheld.add(keyword);
        return this;
    }

    /** Whether EHLO announces PIPELINING (RFC 2920); on by default, as on most servers. */
    public TestSmtpServer pipelining(boolean enabled) {
        this.pipelining = enabled;
        return this;
    }

    /**
     * When true, DATA is answered 354 even when no recipient was accepted, as some servers do (RFC 2920 3.1 lets
     * them); the message read then is discarded, never counted as received.
     */
    public TestSmtpServer dataWithoutRecipients(boolean enabled) {
        this.dataWithoutRecipients = enabled;
        return this;
    }

    /**
     * When true, the server takes the message (it counts as received when the data reply would have been positive)
     * and closes the connection without replying to the final dot: the client cannot know whether it was delivered.
     */
    public TestSmtpServer dropAfterFinalDot(boolean enabled) {
        this.dropAfterFinalDot = enabled;
        return this;
    }

    /** When true, the server closes the connection right after replying to the final dot. */
    public TestSmtpServer closeAfterData(boolean enabled) {
        this.closeAfterData = enabled;
        return this;
    }

    /**
     * When true, the server answers DATA with 354 and then neither reads nor answers until it is closed: the client
     * waits for the reply to its final dot, or, with a message larger than the socket buffers, for its write.
     */
    public TestSmtpServer silentAfterDataStart(boolean enabled) {
        this.silentAfterDataStart = enabled;
        return this;
    }

    // ---------------------------------------------------------------- what happened

    /** A snapshot of the transactions accepted so far, in order. */
    public List<Received> messages() {
        return List.copyOf(messages);
    }

    /**
     * Waits for the next accepted transaction not yet taken by an await call, so tests need no sleeps.
     *
     * @throws AssertionError if none arrives within {@code timeout}
     */
    public Received awaitMessage(Duration timeout) {
        try {
            Received received = arrivals.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (received == null) {
                throw new AssertionError("no message reached " + host() + ":" + port() + " within " + timeout);
            }
            return received;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a message", e);
        }
    }

    /** Waits for the next {@code count} accepted transactions, all within {@code timeout}. */
    public List<Received> awaitMessages(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Received> result = new ArrayList<>();
        while (result.size() < count) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            result.add(awaitMessage(left));
        }
        return result;
    }

    /** Number of TCP connections accepted so far (tarpitted ones included). */
    public int connections() {
        return connections.get();
    }

    /** Connections currently open; tarpitted ones stay counted until {@link #close()}. */
    public int openConnections() {
        return clients.size();
    }

    /** The most connections that were open at once since the server started. */
    public int mostOpenConnections() {
        return mostOpen.get();
    }

    /** The bearer tokens AUTH XOAUTH2 and OAUTHBEARER presented, in order, refused ones too. */
    public List<String> bearerTokens() {
        return List.copyOf(bearerTokens);
    }

    /** Every command line received, in order, with AUTH lines logged as "AUTH ***". */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** Number of RSET commands received, to check a reused connection is reset between transactions. */
    public int rsetCount() {
        return rsets.get();
    }

    /** Clears recorded messages, commands, bearer tokens and the RSET count; behaviour switches and connection numbers stay. */
    public void reset() {
        messages.clear();
        arrivals.clear();
        commands.clear();
        bearerTokens.clear();
        rsets.set(0);
    }

    /** Closes the listening socket and every client connection. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(serverSocket);
        clients.forEach(TestSmtpServer::closeQuietly);
    }

    // ---------------------------------------------------------------- serving

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = serverSocket.accept();
                int number = connections.incrementAndGet();
                clients.add(socket);
                mostOpen.accumulateAndGet(clients.size(), Math::max);
                if (tarpit) {
                    continue;
                }
                Thread thread = new Thread(() -> serve(socket, number), "test-smtp-" + host() + "-conn-" + number);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket socket, int number) {
        try {
            new Session(socket, number).run();
        } catch (IOException e) {
            // the client went away, the TLS handshake failed, or the server closed
        } finally {
            clients.remove(socket);
            closeQuietly(socket);
        }
    }

    private static SSLSocket wrap(SSLContext ctx, Socket plain) throws IOException {
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory()
                .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        tls.setUseClientMode(false);
        tls.startHandshake();
        return tls;
    }

    /** The state of one SMTP connection. */
    private final class Session {
        private final int number;
        private Socket socket;
        private LineReader in;
        private OutputStream out;
        private boolean tls;
        private String helo;
        private String ehloOrHelo;
        private String authUser;
        private String mailFrom;
        private final List<String> recipients = new ArrayList<>();

        Session(Socket socket, int number) {
            this.socket = socket;
            this.number = number;
        }

        void run() throws IOException {
            SSLContext implicit = implicitTls;
            if (implicit != null) {
                socket = wrap(implicit, socket);
                tls = true;
            }
            attachStreams();
            String greet = greeting;
            reply(greet);
            if (!greet.startsWith("2")) {
                return;
            }
            byte[] raw;
            while ((raw = in.readLine()) != null) {
                if (!handle(stripEol(raw))) {
                    return;
                }
            }
        }

        /** Handles one command line; false ends the session. */
        private boolean handle(String line) throws IOException {
            String verb = verb(line);
            commands.add(verb.equals("AUTH") ? "AUTH ***" : line);
            switch (verb) {
                case "EHLO" -> ehlo(argument(line));
                case "HELO" -> helo(argument(line));
                case "STARTTLS" -> startTls();
                case "AUTH" -> auth(argument(line), line);
                case "MAIL" -> mail(line);
                case "RCPT" -> rcpt(line);
                case "DATA" -> {
                    return data();
                }
                case "BDAT" -> {
                    return bdat(line);
                }
                case "RSET" -> {
                    rsets.incrementAndGet();
                    clearTransaction();
                    reply("250 2.0.0 OK");
                }
                case "NOOP" -> reply("250 2.0.0 OK");
                case "QUIT" -> {
                    reply("221 2.0.0 Bye");
                    return false;
                }
                default -> reply("502 5.5.2 Command not recognized");
            }
            return true;
        }

        private void ehlo(String argument) throws IOException {
            String failure = ehloReply;
            if (failure != null) {
                reply(failure);
                return;
            }
            greeted(argument, "EHLO");
            List<String> lines = new ArrayList<>(List.of(SERVER_NAME + " Hello " + argument,
                    "8BITMIME", "SIZE 52428800", "ENHANCEDSTATUSCODES"));
            lines.removeAll(withheld);
            lines.addAll(offered);
            if (pipelining) {
                lines.add(1, "PIPELINING");
            }
            if (startTls != null && !tls) {
                lines.add("STARTTLS");
            }
            if (authOffered()) {
                String mechanisms = (credentials != null ? " PLAIN LOGIN" : "") + (bearerUser != null ? " XOAUTH2 OAUTHBEARER" : "");
                lines.add("AUTH" + mechanisms);
            }
            StringBuilder reply = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                reply.append(i < lines.size() - 1 ? "250-" : "250 ").append(lines.get(i));
                if (i < lines.size() - 1) {
                    reply.append("\r\n");
                }
            }
            reply(reply.toString());
        }

        private void helo(String argument) throws IOException {
            String failure = ehloReply;
            if (failure != null && heloFailsToo) {
                reply(failure);
                return;
            }
            greeted(argument, "HELO");
            reply("250 " + SERVER_NAME);
        }

        private void greeted(String argument, String how) {
            helo = argument;
            ehloOrHelo = how;
            clearTransaction();
        }

        /** AUTH is offered when required and either TLS is active or the server offers no TLS at all. */
        private boolean authOffered() {
            return (credentials != null || bearerUser != null) && (tls || authBeforeTls || (startTls == null && implicitTls == null));
        }

        private void startTls() throws IOException {
            SSLContext ctx = startTls;
            if (ctx == null) {
                reply("502 5.5.1 STARTTLS not offered");
                return;
            }
            if (tls) {
                reply("503 5.5.1 TLS already active");
                return;
            }
            reply("220 2.0.0 Ready to start TLS");
            // anything the client pipelined after STARTTLS is still in the old reader's buffer and is discarded
            socket = wrap(ctx, socket);
            tls = true;
            helo = null;
            ehloOrHelo = null;
            authUser = null;
            clearTransaction();
            attachStreams();
        }

        private void auth(String argument, String line) throws IOException {
            String[] expected = credentials;
            if (!authOffered()) {
                reply("503 5.5.1 AUTH not available");
                return;
            }
            if (authUser != null) {
                reply("503 5.5.1 Already authenticated");
                return;
            }
            String[] parts = argument.split(" ", 2);
            String mechanism = parts[0].toUpperCase(Locale.ROOT);
            String initial = parts.length > 1 ? parts[1].trim() : null;
            if (bearerUser != null && (mechanism.equals("XOAUTH2") || mechanism.equals("OAUTHBEARER"))) {
                bearer(mechanism, initial, line);
                return;
            }
            if (expected == null || !mechanism.equals("PLAIN") && !mechanism.equals("LOGIN")) {
                reply("504 5.5.4 Unrecognized authentication type");
                return;
            }
            String[] given;
            try {
                given = mechanism.equals("PLAIN") ? plain(initial) : login(initial);
            } catch (IllegalArgumentException e) {
                reply("501 5.5.2 Cannot decode response");
                return;
            }
            if (given == null) {
                reply("501 5.7.0 Authentication cancelled");
            } else if (given[0].equals(expected[0]) && given[1].equals(expected[1])) {
                authUser = given[0];
                reply("235 2.7.0 Authentication successful");
            } else {
                reply("535 5.7.8 Authentication credentials invalid");
            }
        }

        /** XOAUTH2 or OAUTHBEARER: the token checked, and a refusal as Gmail gives it, error challenge and all. */
        private void bearer(String mechanism, String initial, String line) throws IOException {
            if (line.getBytes(StandardCharsets.UTF_8).length + 2 > 512) {
                reply("500 5.5.2 Line too long");
                return;
            }
            String response = initial != null ? initial : challenge("");
            if (response == null) {
                reply("501 5.7.0 Authentication cancelled");
                return;
            }
            String[] given;
            try {
                given = mechanism.equals("XOAUTH2") ? xoauth2(decode(response)) : oauthBearer(decode(response));
            } catch (IllegalArgumentException e) {
                reply("501 5.5.2 Malformed " + mechanism + " response: " + e.getMessage());
                return;
            }
            bearerTokens.add(given[1]);
            if (given[0].equals(bearerUser) && bearerAccepted.test(given[1])) {
                authUser = given[0];
                reply("235 2.7.0 Accepted");
                return;
            }
            String status = "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.test/\"}";
            reply("334 " + Base64.getEncoder().encodeToString(status.getBytes(StandardCharsets.UTF_8)));
            byte[] raw = in.readLine();
            if (raw == null) {
                throw new SocketException("client closed during AUTH");
            }
            // RFC 7628 3.2.3: the client answers the error with %x01; Google's XOAUTH2 with an empty line
            String expected = mechanism.equals("XOAUTH2") ? "" : "AQ==";
            String answer = stripEol(raw);
            reply(answer.equals(expected) ? "535 5.7.8 Username and Password not accepted"
                    : "501 5.5.2 Expected '" + expected + "' after the error challenge but found '" + answer + "'");
        }

        /** {user, token} of user=U^Aauth=Bearer T^A^A. */
        private static String[] xoauth2(String decoded) {
            String[] f = decoded.split("\u0001", -1);
            if (f.length != 4 || !f[0].startsWith("user=") || !f[1].startsWith("auth=Bearer ") || !f[2].isEmpty()
                || !f[3].isEmpty()) {
                throw new IllegalArgumentException("expected user=U^Aauth=Bearer T^A^A");
            }
            return new String[] {f[0].substring(5), f[1].substring(12)};
        }

        /** {user, token} of n,a=U,^A*(key=value^A)^A with an auth=Bearer T pair (RFC 7628 3.1). */
        private static String[] oauthBearer(String decoded) {
            String[] f = decoded.split("\u0001", -1);
            java.util.regex.Matcher gs2 = java.util.regex.Pattern.compile("n,a=([^,]+),").matcher(f[0]);
            if (f.length < 4 || !gs2.matches() || !f[f.length - 1].isEmpty() || !f[f.length - 2].isEmpty()) {
                throw new IllegalArgumentException("expected n,a=U,^A key=value pairs ^A^A");
            }
            String token = null;
            for (int i = 1; i < f.length - 2; i++) {
                if (!f[i].matches("[A-Za-z]+=.*")) {
                    throw new IllegalArgumentException("expected key=value but found a pair without");
                }
                if (f[i].startsWith("auth=Bearer ")) {
                    token = f[i].substring(12);
                }
            }
            if (token == null) {
                throw new IllegalArgumentException("expected an auth=Bearer pair");
            }
            return new String[] {gs2.group(1).replace("=2C", ",").replace("=3D", "="), token};
        }

        /** Returns {user, password}, or null if the client cancelled. */
        private String[] plain(String initial) throws IOException {
            String response = initial != null ? initial : challenge("");
            if (response == null) {
                return null;
            }
            String decoded = response.equals("=") ? "" : decode(response);
            String[] fields = decoded.split("\0", -1);
            if (fields.length != 3) {
                throw new IllegalArgumentException("PLAIN needs authzid NUL authcid NUL passwd");
            }
            return new String[] {fields[1], fields[2]};
        }

        /** Returns {user, password}, or null if the client cancelled. */
        private String[] login(String initial) throws IOException {
            String user = initial != null ? initial : challenge("VXNlcm5hbWU6");
            if (user == null) {
                return null;
            }
            String password = challenge("UGFzc3dvcmQ6");
            return password == null ? null : new String[] {decode(user), decode(password)};
        }

        /** Sends a 334 challenge and reads the answer; null when the client cancels with "*" or hangs up. */
        private String challenge(String base64) throws IOException {
            reply("334 " + base64);
            byte[] raw = in.readLine();
            if (raw == null) {
                throw new SocketException("client closed during AUTH");
            }
            String answer = stripEol(raw).trim();
            return answer.equals("*") ? null : answer;
        }

        private void mail(String line) throws IOException {
            if (!line.toUpperCase(Locale.ROOT).startsWith("MAIL FROM:")) {
                reply("501 5.5.4 Syntax: MAIL FROM:<address>");
            } else if (helo == null) {
                reply("503 5.5.1 Send EHLO/HELO first");
            } else if ((credentials != null || bearerUser != null) && authUser == null) {
                reply("530 5.7.0 Authentication required");
            } else if (mailFrom != null) {
                reply("503 5.5.1 Nested MAIL command");
            } else {
                String address = path(line.substring("MAIL FROM:".length()));
                if (address == null) {
                    reply("501 5.1.7 Bad sender address syntax");
                    return;
                }
                String override = mailFromReply;
                String answer = override != null ? override : "250 2.1.0 OK";
                if (answer.startsWith("2")) {
                    mailFrom = address;
                }
                reply(answer);
            }
        }

        private void rcpt(String line) throws IOException {
            if (!line.toUpperCase(Locale.ROOT).startsWith("RCPT TO:")) {
                reply("501 5.5.4 Syntax: RCPT TO:<address>");
            } else if (mailFrom == null) {
                reply("503 5.5.1 Need MAIL command");
            } else {
                String address = path(line.substring("RCPT TO:".length()));
                if (address == null || address.isEmpty()) {
                    reply("501 5.1.3 Bad recipient address syntax");
                } else if (recipients.size() >= maxRecipients) {
                    reply("452 4.5.3 Too many recipients");
                } else {
                    String answer = rcptReply.apply(address);
                    if (answer.startsWith("2")) {
                        recipients.add(address);
                    }
                    reply(answer);
                }
            }
        }

        /** Handles DATA up to the reply to the final dot; false ends the session. */
        private boolean data() throws IOException {
            if (mailFrom == null) {
                reply("503 5.5.1 Need MAIL command");
                return true;
            }
            if (recipients.isEmpty() && !dataWithoutRecipients) {
                reply("554 5.5.1 No valid recipients");
                return true;
            }
            String start = dataStartReply;
            reply(start);
            if (!start.startsWith("354")) {
                return true;
            }
            if (silentAfterDataStart) {
                while (!closed && !socket.isClosed()) {
                    LockSupport.parkNanos(20_000_000L);
                }
                return false;
            }
            byte[] content = readMessage();
            if (content == null) {
                return false;
            }
            if (recipients.isEmpty()) {
                clearTransaction();
                reply("554 5.5.1 No valid recipients, message discarded");
                return true;
            }
            String answer = dataReply.apply(dataTransactions.incrementAndGet());
            if (answer.startsWith("2")) {
                Received received = new Received(mailFrom, recipients, content, tls, authUser, helo, ehloOrHelo,
                        number);
                messages.add(received);
                arrivals.add(received);
            }
            clearTransaction();
            if (dropAfterFinalDot) {
                return false;
            }
            reply(answer);
            return !closeAfterData;
        }

        private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();

        /** BDAT (RFC 3030) once CHUNKING is offered: the octets as they are, the message complete at LAST. */
        private boolean bdat(String line) throws IOException {
            String[] parts = line.trim().split(" +");
            if (!offered.contains("CHUNKING")) {
                reply("502 5.5.1 BDAT not offered");
                return true;
            }
            if (parts.length < 2 || parts.length > 3 || !parts[1].matches("\\d{1,10}")
                || parts.length == 3 && !parts[2].equalsIgnoreCase("LAST")) {
                reply("501 5.5.4 Syntax: BDAT size [LAST]");
                return true;
            }
            byte[] octets = in.readExactly(Integer.parseInt(parts[1]));
            if (octets == null) {
                return false;
            }
            if (mailFrom == null || recipients.isEmpty()) {
                chunks.reset();
                reply("503 5.5.1 Need MAIL and RCPT");
                return true;
            }
            chunks.write(octets);
            if (parts.length == 2) {
                reply("250 2.0.0 " + octets.length + " octets received");
                return true;
            }
            byte[] content = chunks.toByteArray();
            chunks.reset();
            String answer = dataReply.apply(dataTransactions.incrementAndGet());
            if (answer.startsWith("2")) {
                Received received = new Received(mailFrom, recipients, content, tls, authUser, helo, ehloOrHelo, number);
                messages.add(received);
                arrivals.add(received);
            }
            clearTransaction();
            reply(answer);
            return true;
        }

        /** Reads message lines up to the lone dot, removing dot-stuffing; null if the client hung up first. */
        private byte[] readMessage() throws IOException {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            byte[] raw;
            while ((raw = in.readLine()) != null) {
                if (stripEol(raw).equals(".")) {
                    return content.toByteArray();
                }
                // RFC 5321 4.5.2: the first dot of any line starting with one is removed
                int skip = raw.length > 0 && raw[0] == '.' ? 1 : 0;
                content.write(raw, skip, raw.length - skip);
            }
            return null;
        }

        private void clearTransaction() {
            mailFrom = null;
            recipients.clear();
            chunks.reset();
        }

        private void attachStreams() throws IOException {
            in = new LineReader(socket.getInputStream());
            out = socket.getOutputStream();
        }

        private void reply(String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    // ---------------------------------------------------------------- parsing helpers

    private static String verb(String line) {
        int space = line.indexOf(' ');
        return (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    }

    private static String argument(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? "" : line.substring(space + 1).trim();
    }

    /** The address inside the angle brackets of a MAIL/RCPT path (parameters ignored), or null if malformed. */
    private static String path(String rest) {
        String trimmed = rest.trim();
        int close = trimmed.indexOf('>');
        if (!trimmed.startsWith("<") || close < 0) {
            return null;
        }
        return trimmed.substring(1, close);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static String stripEol(byte[] raw) {
        int end = raw.length;
        if (end > 0 && raw[end - 1] == '\n') {
            end--;
        }
        if (end > 0 && raw[end - 1] == '\r') {
            end--;
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing at the end of a test: nothing useful to do
        }
    }

    /** Reads lines as raw bytes, terminator included, so DATA can be recorded byte for byte. */
    private static final class LineReader {
        private final InputStream in;

        LineReader(InputStream in) {
            this.in = new BufferedInputStream(in);
        }

        /** Exactly {@code n} octets, or null when the stream ends first. */
        byte[] readExactly(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            return b.length == n ? b : null;
        }

        /** The next line with its terminator, the partial last line at end of stream, or null at end of stream. */
        byte[] readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
                if (line.size() > MAX_LINE) {
                    throw new IOException("line longer than " + MAX_LINE + " bytes");
                }
            }
            return line.size() == 0 ? null : line.toByteArray();
        }
    }
}
