package io.github.camelrelay.examples.server.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * A minimal SMTP client on a raw socket, for submitting a message exactly as written (no Message-ID or Date added,
 * as a mail library would) and seeing the server's replies. Fails with the server's reply when a step is refused.
 */
public final class SmtpSubmission {

    private SmtpSubmission() {
    }

    /**
     * Sends one message to 127.0.0.1:{@code port} and returns the server's reply to the end of data.
     *
     * @param message the complete RFC 5322 message with CRLF line ends; dot-stuffing is done here
     */
    public static String send(int port, String from, List<String> to, String message) {
        return send(port, null, null, null, from, to, message);
    }

    /**
     * As {@link #send(int, String, List, String)}, from {@code localAddress} (a loopback address such as 127.0.0.9;
     * null for any) and, when {@code user} is not null, after AUTH PLAIN as that user (the server must offer AUTH
     * without TLS).
     */
    public static String send(int port, String localAddress, String user, String password, String from, List<String> to,
                              String message) {
        try (Socket socket = new Socket()) {
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            expect(in, "220", "greeting");
            command(out, in, "EHLO client.test", "250");
            if (user != null) {
                String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
                command(out, in, "AUTH PLAIN " + plain, "235");
            }
            command(out, in, "MAIL FROM:<" + from + ">", "250");
            for (String rcpt : to) {
                command(out, in, "RCPT TO:<" + rcpt + ">", "250");
            }
            command(out, in, "DATA", "354");
            String stuffed = message.replace("\r\n.", "\r\n..");
            out.write((stuffed.startsWith(".") ? "." + stuffed : stuffed).getBytes(StandardCharsets.UTF_8));
            out.write((message.endsWith("\r\n") ? ".\r\n" : "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = expect(in, "250", "end of data");
            command(out, in, "QUIT", "221");
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException("SMTP submission to 127.0.0.1:" + port + " failed", e);
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String expected) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        expect(in, expected, line);
    }

    /** Reads a (possibly multi-line) reply and checks its code. */
    private static String expect(BufferedReader in, String code, String after) throws IOException {
        StringBuilder reply = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("Expected a " + code + " reply to " + after + " but the server closed the connection");
            }
            reply.append(line).append('\n');
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) {
            throw new AssertionError("Expected a " + code + " reply to " + after + " but found: " + reply.toString().strip());
        }
        return reply.toString().strip();
    }
}
