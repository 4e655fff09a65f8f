package io.github.camelrelay.smtprelay.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One SMTP transaction with the relay's listener over a real socket, commands and message in UTF-8. */
final class SmtpClientSession {

    private SmtpClientSession() {
    }

    /** EHLO, the MAIL command as given, the RCPT commands, DATA and the message; the reply to the final dot. */
    static String transaction(int port, String mailFrom, List<String> rcpts, String message) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            reply(in);
            List<String> commands = new ArrayList<>(List.of("EHLO client.test", mailFrom));
            commands.addAll(rcpts);
            commands.add("DATA");
            for (String command : commands) {
                out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(reply(in)).as(command).matches("(250|354) .*");
            }
            out.write((message + ".\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply(in);
        }
    }

    /** The last line of a reply. */
    static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
