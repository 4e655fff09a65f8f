import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The mail queue page in a real browser (Debian's chromium, driven by chromedriver through Selenium WebDriver): the
 * relay server jar runs with the page on, a real SMTP relay host defers a message, and the page must show it with its
 * reason; Hold must move it to HELD, Release back, and Flush (once the relay host accepts) deliver it. Saves a
 * screenshot of the page with the held message. Run by .ci/browser-test.sh.
 * <p>
 * Arguments: the relay server jar, a working directory, the screenshot's path. Exit status 0 when every check held.
 */
public class BrowserTest {

    static final Set<String> ACCEPTED = ConcurrentHashMap.newKeySet();

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path work = Path.of(args[1]);
        Path screenshot = Path.of(args[2]);
        Files.createDirectories(work);
        try (TestSmtpServer relayHost = TestSmtpServer.start("127.0.0.1", 0)
                .rcptReply(r -> ACCEPTED.contains(r) ? "250 2.1.5 OK" : "451 4.2.1 <" + r + ">: mailbox busy, try later")) {
            int smtpPort = freePort();
            int httpPort = freePort();
            ProcessBuilder server = new ProcessBuilder("java", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("relay-server.log").toFile());
            server.environment().put("RELAY_HOST", "127.0.0.1");
            server.environment().put("RELAY_PORT", String.valueOf(relayHost.port()));
            server.environment().put("RELAY_TLS", "NONE");
            server.environment().put("SMTP_PORT", String.valueOf(smtpPort));
            server.environment().put("MANAGEMENT_PORT", String.valueOf(httpPort));
            server.environment().put("MAILQUEUE_PAGE", "true");
            server.environment().put("RELAY_DATA_DIR", work.resolve("data").toString());
            server.environment().put("RETRY_INITIAL_DELAY", "1h");
            server.environment().put("HELO_NAME", "relay.example.test");
            server.environment().put("REPORTING_MTA", "relay.example.test");
            Process relay = server.start();
            WebDriver browser = null;
            try {
                String base = "http://127.0.0.1:" + httpPort;
                until("the relay server answers " + base + "/actuator/health", Duration.ofSeconds(120),
                        () -> relay.isAlive() && ok(base + "/actuator/health"));
                String reply = send(smtpPort, "alice@example.com", "bob@example.net");
                check(reply.startsWith("250"), "Expected 250 for the message but the relay server said: " + reply);

                ChromeOptions options = new ChromeOptions();
                options.setBinary(System.getProperty("chromium", "/usr/bin/chromium"));
                options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
                ChromeDriverService service = new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(System.getProperty("chromedriver", "/usr/bin/chromedriver")))
                        .usingAnyFreePort().build();
                browser = new ChromeDriver(service, options);
                browser.manage().window().setSize(new Dimension(1400, 700));
                browser.get(base + "/mailqueue/");
                WebDriver page = browser;

                await(page, "the deferred message with its reason", () -> {
                    refresh(page);
                    WebElement r = row(page, "bob@example.net");
                    return r != null && "DEFERRED".equals(r.getAttribute("data-state"))
                           && field(r, "reason").contains("451 4.2.1 <bob@example.net>: mailbox busy") ? r : null;
                });
                System.out.println("deferred, with its reason (451 4.2.1 mailbox busy)");

                click(page, "bob@example.net", "hold");
                await(page, "the message held", () -> {
                    refresh(page);
                    WebElement r = row(page, "bob@example.net");
                    return r != null && "HELD".equals(r.getAttribute("data-state")) ? r : null;
                });
                System.out.println("held");
                Files.createDirectories(screenshot.toAbsolutePath().getParent());
                Files.copy(((TakesScreenshot) page).getScreenshotAs(OutputType.FILE).toPath(), screenshot,
                        StandardCopyOption.REPLACE_EXISTING);

                click(page, "bob@example.net", "release");
                // released mail is due at once: the relay host defers it again, a second attempt
                await(page, "the message released and tried again", () -> {
                    refresh(page);
                    WebElement r = row(page, "bob@example.net");
                    return r != null && "DEFERRED".equals(r.getAttribute("data-state"))
                           && r.findElements(By.cssSelector("td")).get(6).getText().equals("2") ? r : null;
                });
                System.out.println("released and tried again");

                ACCEPTED.add("bob@example.net");
                click(page, "bob@example.net", "flush");
                until("the relay host to get the flushed message", Duration.ofSeconds(30),
                        () -> relayHost.messages().stream().anyMatch(m -> m.recipients().contains("bob@example.net")));
                await(page, "the delivered message off the page", () -> {
                    refresh(page);
                    return row(page, "bob@example.net") == null ? Boolean.TRUE : null;
                });
                System.out.println("flushed and delivered");
                System.out.println("browser test passed; screenshot " + screenshot);
            } finally {
                if (browser != null) {
                    browser.quit();
                }
                relay.destroy();
                if (!relay.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    relay.destroyForcibly();
                }
            }
        }
    }

    /** Clicks Refresh and waits until the page rendered the answer, so what is read next is the new table. */
    private static void refresh(WebDriver page) {
        String before = page.findElement(By.tagName("body")).getAttribute("data-renders");
        page.findElement(By.id("refresh")).click();
        new WebDriverWait(page, Duration.ofSeconds(20), Duration.ofMillis(50))
                .withMessage("waiting for the page to render the refreshed queue")
                .until(d -> !java.util.Objects.equals(before, d.findElement(By.tagName("body")).getAttribute("data-renders")));
    }

    /** The entry row whose recipients include the address, or null. */
    private static WebElement row(WebDriver page, String recipient) {
        for (WebElement r : page.findElements(By.cssSelector("#entries tbody tr"))) {
            if (field(r, "recipients").lines().anyMatch(recipient::equals)) {
                return r;
            }
        }
        return null;
    }

    private static String field(WebElement row, String name) {
        return row.findElement(By.cssSelector("td[data-field='" + name + "']")).getText();
    }

    /** Clicks the action's button on the recipient's row, finding it again when the page re-rendered meanwhile. */
    private static void click(WebDriver page, String recipient, String action) {
        await(page, "the " + action + " button of " + recipient, () -> {
            WebElement r = row(page, recipient);
            if (r == null) {
                return null;
            }
            r.findElement(By.cssSelector("button[data-action='" + action + "']")).click();
            return Boolean.TRUE;
        });
    }

    /** Polls the page until the condition gives a value, at most 30 s; stale elements of a re-rendered page are retried. */
    private static <T> T await(WebDriver page, String what, java.util.function.Supplier<T> condition) {
        return new WebDriverWait(page, Duration.ofSeconds(30), Duration.ofMillis(300))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .withMessage("waiting for " + what)
                .until(d -> condition.get());
    }

    private static void until(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(bound);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new IllegalStateException("Timed out after " + bound + " waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static boolean ok(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** One message over SMTP; returns the reply to the end of data. */
    private static String send(int port, String from, String to) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            read(in);
            for (String command : List.of("EHLO client.example.com", "MAIL FROM:<" + from + ">", "RCPT TO:<" + to + ">", "DATA")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                read(in);
            }
            out.write(("From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: page test\r\n\r\nHello\r\n.\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = read(in);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply;
        }
    }

    private static String read(BufferedReader in) throws IOException {
        String line;
        StringBuilder all = new StringBuilder();
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed; so far: " + all);
            }
            all.append(line).append('\n');
        } while (line.length() > 3 && line.charAt(3) == '-');
        return all.toString().strip();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
