import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The crash test's relay host: accepts everything and, for each message, appends its recipients to DELIVERED when it
 * has the final dot (the moment a real MTA commits the message), then answers 250. It writes a second file,
 * DELIVERED.times, with "recipient committed-µs answered-µs" (wall clock), so the script can tell a duplicate the
 * relay could not have avoided (it died while this server had not answered yet, RFC 1047) from one it could (the 250
 * was sent before the kill and the relay had not recorded it). Standalone, for the source launcher:
 * java bench/crash/Sink.java PORT DELIVERED
 */
public final class Sink {

    private static FileOutputStream delivered;
    private static FileOutputStream times;

    public static void main(String[] args) throws IOException {
        delivered = new FileOutputStream(args[1], true);
        times = new FileOutputStream(args[1] + ".times", true);
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]), 200, InetAddress.getByName("127.0.0.1"))) {
            while (true) {
                Socket socket = server.accept();
                Thread t = new Thread(() -> session(socket));
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void session(Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream());
             OutputStream out = socket.getOutputStream()) {
            reply(out, "220 sink.test ESMTP");
            List<String> rcpts = new ArrayList<>();
            for (String line; (line = readLine(in)) != null; ) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250-sink.test\r\n250-PIPELINING\r\n250 8BITMIME");
                    case "MAIL", "RSET" -> {
                        rcpts.clear();
                        reply(out, "250 2.0.0 ok");
                    }
                    case "RCPT" -> {
                        rcpts.add(line.substring(line.indexOf('<') + 1, line.indexOf('>')));
                        reply(out, "250 2.1.5 ok");
                    }
                    case "DATA" -> {
                        reply(out, "354 go ahead");
                        for (String data; !".".equals(data = readLine(in)); ) {
                            if (data == null) {
                                return;
                            }
                        }
                        long committed = micros();
                        record(delivered, rcpts, r -> r);
                        reply(out, "250 2.0.0 queued");
                        long answered = micros();
                        record(times, rcpts, r -> r + " " + committed + " " + answered);
                        rcpts.clear();
                    }
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> reply(out, "250 2.0.0 ok");
                }
            }
        } catch (IOException e) {
            // the relay was killed or closed the connection: nothing to record
        }
    }

    private static long micros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    private static void record(FileOutputStream file, List<String> rcpts, java.util.function.UnaryOperator<String> line)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String r : rcpts) {
            sb.append(line.apply(r)).append('\n');
        }
        synchronized (file) {
            file.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }
}
