package io.github.camelrelay.examples.server;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.camelrelay.springboot.mailqueue.MailqListing;
import io.github.camelrelay.springboot.mailqueue.QueueEntry;
import org.apache.camel.util.json.DeserializationException;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;

/**
 * The command line of a running relay server, in Postfix's shape: {@code relay-server mailq} lists the queue as
 * Postfix's {@code mailq} does, {@code relay-server queue flush|hold|release|delete|requeue|bounce ...} manages it as
 * {@code postqueue} and {@code postsuper} do. It talks to the server's {@code /actuator/mailqueue} over HTTP
 * (java.net.http), so it works against any instance, local or not, that serves it.
 */
public final class RelayServerCli {

    /** The commands this class answers; anything else starts the server. */
    static final List<String> COMMANDS = List.of("mailq", "queue");

    static final String USAGE = """
            Usage: relay-server mailq [--destination D] [--sender S] [--recipient R] [--state active|deferred|held|dead]
                   relay-server queue flush   [ID|ALL] [--destination D] [--sender S]
                   relay-server queue hold    ID|ALL | --destination D | --sender S
                   relay-server queue release ID|ALL | --destination D | --sender S
                   relay-server queue delete  ID|ALL | --destination D | --sender S  [--bounce]
                   relay-server queue requeue ID|ALL | --destination D | --sender S
                   relay-server queue bounce  ID|ALL | --destination D | --sender S
            Options: --url URL (default $RELAY_SERVER_URL, else http://127.0.0.1:$MANAGEMENT_PORT, port 8025)
                     --user NAME:PASSWORD (HTTP basic authentication; default $RELAY_SERVER_USER)
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final ZoneId zone;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    RelayServerCli(PrintStream out, PrintStream err, Map<String, String> env, ZoneId zone) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.zone = zone;
    }

    /** Whether the arguments ask for a command of this tool rather than the server. */
    static boolean isCommand(String[] args) {
        return args.length > 0 && COMMANDS.contains(args[0]);
    }

    /** Runs the command; the exit status: 0 done, 1 the server could not do it, 2 a usage error. */
    int run(String... args) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--bounce")) {
                options.put("bounce", "true");
            } else if (a.startsWith("--")) {
                String name = a.substring(2);
                int eq = name.indexOf('=');
                if (eq > 0) {
                    options.put(name.substring(0, eq), name.substring(eq + 1));
                } else if (i + 1 < args.length) {
                    options.put(name, args[++i]);
                } else {
                    return usage("Expected a value after " + a + " but found none");
                }
            } else {
                words.add(a);
            }
        }
        String url = options.remove("url");
        if (url == null) {
            url = env.getOrDefault("RELAY_SERVER_URL", "http://127.0.0.1:" + env.getOrDefault("MANAGEMENT_PORT", "8025"));
        }
        String endpoint = url.replaceAll("/+$", "") + "/actuator/mailqueue";
        String user = options.remove("user");
        if (user == null) {
            user = env.get("RELAY_SERVER_USER");
        }
        try {
            if (words.isEmpty()) {
                return usage("Expected a command but found none");
            }
            if (words.get(0).equals("mailq")) {
                if (words.size() > 1) {
                    return usage("Expected no argument after mailq but found " + words.subList(1, words.size()));
                }
                return mailq(endpoint, user, options);
            }
            if (words.get(0).equals("queue")) {
                if (words.size() < 2 || words.size() > 3) {
                    return usage("Expected queue ACTION [ID] but found " + String.join(" ", words));
                }
                return queue(endpoint, user, words.get(1), words.size() == 3 ? words.get(2) : null, options);
            }
            return usage("Expected mailq or queue but found " + words.get(0));
        } catch (ConnectException e) {
            err.println("relay-server: cannot connect to " + endpoint + ": is the relay server running, with its management"
                        + " HTTP server on that port (MANAGEMENT_PORT)?");
            return 1;
        } catch (IOException e) {
            err.println("relay-server: " + endpoint + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (ServerRefused e) {
            err.println("relay-server: " + e.getMessage());
            return 1;
        }
    }

    private int usage(String problem) {
        err.println("relay-server: " + problem);
        err.print(USAGE);
        return 2;
    }

    private int mailq(String endpoint, String user, Map<String, String> filters) throws IOException, InterruptedException {
        for (String name : filters.keySet()) {
            if (!List.of("destination", "sender", "recipient", "state").contains(name)) {
                return usage("Expected --destination, --sender, --recipient or --state for mailq but found --" + name);
            }
        }
        StringBuilder query = new StringBuilder();
        filters.forEach((k, v) -> query.append(query.isEmpty() ? "?" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        JsonObject listing = send(request(endpoint + query, user).GET(), "list the queue");
        out.print(listing(listing, zone));
        return 0;
    }

    private int queue(String endpoint, String user, String action, String id, Map<String, String> options)
            throws IOException, InterruptedException {
        String a = action.toLowerCase(Locale.ROOT);
        if (!List.of("flush", "hold", "release", "delete", "requeue", "bounce").contains(a)) {
            return usage("Expected a queue action flush, hold, release, delete, requeue or bounce but found " + action);
        }
        JsonObject body = new JsonObject();
        body.put("action", a);
        for (Map.Entry<String, String> o : options.entrySet()) {
            switch (o.getKey()) {
                case "destination", "sender" -> body.put(o.getKey(), o.getValue());
                case "bounce" -> body.put("bounce", true);
                default -> {
                    return usage("Expected --destination, --sender or --bounce for queue but found --" + o.getKey());
                }
            }
        }
        if (id != null) {
            body.put("id", id);
        } else if (a.equals("flush") && !body.containsKey("destination") && !body.containsKey("sender")) {
            // postqueue -f: flush the whole queue
            body.put("id", "ALL");
        }
        if (!body.containsKey("id") && !body.containsKey("destination") && !body.containsKey("sender")) {
            return usage("Expected an ID (ALL for every message), --destination or --sender for queue " + a + " but found none");
        }
        JsonObject result = send(request(endpoint, user).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toJson())), a);
        out.println(summary(result));
        return 0;
    }

    /** One line on what an operation did, and one more when some entries were being delivered. */
    static String summary(JsonObject result) {
        int count = ((Number) result.get("count")).intValue();
        StringBuilder sb = new StringBuilder().append(result.get("action")).append(": ").append(count)
                .append(count == 1 ? " entry" : " entries");
        JsonArray ids = (JsonArray) result.get("ids");
        if (ids != null && !ids.isEmpty()) {
            sb.append(" (").append(String.join(", ", ids.stream().map(String::valueOf).toList())).append(')');
        }
        JsonArray busy = (JsonArray) result.get("inDelivery");
        if (busy != null && !busy.isEmpty()) {
            sb.append(System.lineSeparator()).append("being delivered, done when that attempt ends: ")
                    .append(String.join(", ", busy.stream().map(String::valueOf).toList()));
        }
        if (result.get("note") != null) {
            sb.append(System.lineSeparator()).append(result.get("note"));
        }
        return sb.toString();
    }

    /** The listing in Postfix's mailq format, from the endpoint's JSON. */
    static String listing(JsonObject listing, ZoneId zone) {
        JsonArray entries = (JsonArray) listing.get("entries");
        List<QueueEntry> parsed = new ArrayList<>();
        if (entries != null) {
            for (Object o : entries) {
                parsed.add(entry((JsonObject) o));
            }
        }
        return MailqListing.format(parsed, zone);
    }

    /** One entry of the endpoint's JSON, as the starter's type. */
    private static QueueEntry entry(JsonObject e) {
        List<String> recipients = new ArrayList<>();
        if (e.get("recipients") instanceof JsonArray a) {
            a.forEach(r -> recipients.add(String.valueOf(r)));
        }
        return new QueueEntry(text(e, "queueId"), String.valueOf(e.get("brokerId")), instant(e, "arrival"),
                e.get("size") instanceof Number n ? n.longValue() : 0, text(e, "sender"), text(e, "destination"), recipients,
                e.get("attempts") instanceof Number n ? n.intValue() : 0, instant(e, "nextAttempt"), text(e, "lastReply"),
                QueueEntry.State.valueOf(String.valueOf(e.get("state")).toUpperCase(Locale.ROOT)));
    }

    private static String text(JsonObject e, String key) {
        return e.get(key) == null ? null : e.get(key).toString();
    }

    private static Instant instant(JsonObject e, String key) {
        return e.get(key) == null ? null : Instant.parse(e.get(key).toString());
    }

    private HttpRequest.Builder request(String uri, String user) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(2))
                .header("Accept", "application/json");
        if (user != null && !user.isBlank()) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private JsonObject send(HttpRequest.Builder request, String what) throws IOException, InterruptedException {
        HttpRequest r = request.build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new ServerRefused(r.uri() + " refused to " + what + " (HTTP " + response.statusCode()
                                    + "): give --user NAME:PASSWORD or RELAY_SERVER_USER");
        }
        if (response.statusCode() == 404) {
            throw new ServerRefused(r.uri() + " is not there (HTTP 404): is mailqueue in management.endpoints.web.exposure.include?");
        }
        if (response.statusCode() != 200) {
            throw new ServerRefused("the server could not " + what + " (HTTP " + response.statusCode() + "): " + message(response.body()));
        }
        try {
            return (JsonObject) Jsoner.deserialize(response.body());
        } catch (DeserializationException | ClassCastException e) {
            throw new ServerRefused("Expected a JSON object from " + r.uri() + " but found: " + response.body());
        }
    }

    /** The error's message from Spring Boot's error body, else the body. */
    private static String message(String body) {
        try {
            Object parsed = Jsoner.deserialize(body);
            if (parsed instanceof JsonObject o && o.get("message") != null) {
                return o.get("message").toString();
            }
        } catch (DeserializationException e) {
            // not JSON: shown as it is
        }
        return body;
    }

    /** The server answered, but not with what was asked. */
    static final class ServerRefused extends RuntimeException {

        ServerRefused(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        System.exit(new RelayServerCli(System.out, System.err, System.getenv(), ZoneId.systemDefault()).run(args));
    }
}
