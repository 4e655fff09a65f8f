import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The listener benchmark's two halves, each in a JVM of its own (run by bench/run-listener.sh, never by mvn verify):
 * {@code server <port> <maxConnections>} runs smtprelay: with a route that only accepts and answers "stats" on
 * standard input with its heap, threads and open connections; {@code idle <port> <connections> <sources>} opens
 * that many idle connections from 127.0.0.2 onwards, then times one whole message from 127.0.0.1. The same source
 * runs against the Netty listener and the old SubEthaSMTP one (the consumer's URI options are the same).
 */
public final class ListenerBench {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "server" -> server(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "defaults" -> server(Integer.parseInt(args[1]), -1);
            case "idle" -> idle(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("expected server or idle but found " + args[0]);
        }
    }

    /** max -1: the listener's default limits, as a user who sets nothing gets them. */
    private static void server(int port, int max) throws Exception {
        CamelContext context = new DefaultCamelContext();
        AtomicLong accepted = new AtomicLong();
        String options = max < 0 ? "" : "&maxConnections=" + max + "&maxConnectionsPerClient=" + max
                                         + "&idleTimeout=900000&maxErrors=1000000";
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtprelay:in?port=" + port + options).routeId("in").process(e -> accepted.incrementAndGet());
            }
        });
        context.start();
        System.out.println("listening " + port);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            if (line.equals("stats")) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                }
                Runtime rt = Runtime.getRuntime();
                long heap = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
                int threads = ManagementFactory.getThreadMXBean().getThreadCount();
                Object open = context.getRoute("in").getConsumer().getClass().getMethod("getOpenConnections")
                        .invoke(context.getRoute("in").getConsumer());
                System.out.println("stats heapUsedMiB=" + heap + " threads=" + threads + " openConnections=" + open
                                   + " accepted=" + accepted.get());
            }
        }
        context.close();
    }

    private static void idle(int port, int count, int sources) throws Exception {
        List<Socket> idle = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + (2 + i % sources)), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            String greeting = readReply(s.getInputStream());
            if (!greeting.startsWith("220")) {
                throw new IllegalStateException("connection " + i + " got " + greeting);
            }
            idle.add(s);
        }
        System.out.printf("idle %d connections open (%d ms to open)%n", idle.size(), (System.nanoTime() - start) / 1_000_000);
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(30_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                expect(in, "220");
                for (String[] step : new String[][] {{"EHLO bench.test", "250"}, {"MAIL FROM:<a@bench.test>", "250"},
                        {"RCPT TO:<b@example.net>", "250"}, {"DATA", "354"},
                        {"Subject: one\r\n\r\nhello\r\n.", "250"}, {"QUIT", "221"}}) {
                    out.write((step[0] + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    expect(in, step[1]);
                }
            }
            System.out.printf("message %d with %d idle connections open: %.2f ms%n", round + 1, idle.size(),
                    (System.nanoTime() - t0) / 1e6);
        }
        System.out.println("idle done");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
        for (Socket s : idle) {
            s.close();
        }
    }

    private static void expect(InputStream in, String code) throws Exception {
        String reply = readReply(in);
        if (!reply.startsWith(code)) {
            throw new IllegalStateException("expected " + code + " but found " + reply);
        }
    }

    /** One reply, the last line of a multi-line one. */
    private static String readReply(InputStream in) throws Exception {
        while (true) {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IllegalStateException("connection closed after '" + line + "'");
                }
                line.append((char) b);
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line.toString().strip();
            }
        }
    }
}
