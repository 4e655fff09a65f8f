package io.github.camelrelay.smtprelay.auth;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password stored as a salted PBKDF2-HMAC-SHA256 hash, written {@code {pbkdf2}iterations$salt$hash} with URL-safe
 * Base64, so it can sit in an endpoint URI or a properties file and the password itself is never stored.
 * <p>
 * Run {@link #main} to make one: {@code java -cp camel-relay-component.jar
 * io.github.camelrelay.smtprelay.auth.PasswordHash} reads the password without echo (or from standard input) and
 * prints the hash.
 */
public final class PasswordHash {

    /** The prefix that marks a hashed password in the users option. */
    public static final String PREFIX = "{pbkdf2}";
    /** Iterations of new hashes: OWASP's figure for PBKDF2-HMAC-SHA256 (about 0.1 s of CPU per check). */
    public static final int DEFAULT_ITERATIONS = 310_000;

    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final int MIN_ITERATIONS = 1_000;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Hashes a password with a new random salt and {@link #DEFAULT_ITERATIONS}. */
    public static PasswordHash of(String password) {
        return of(password, DEFAULT_ITERATIONS);
    }

    /** Hashes a password with a new random salt; fewer iterations are faster to check and faster to crack. */
    public static PasswordHash of(String password, int iterations) {
        checkIterations(iterations, String.valueOf(iterations));
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /**
     * Parses {@code {pbkdf2}iterations$salt$hash}.
     *
     * @throws IllegalArgumentException when the text is not such a hash (the text itself is not repeated, as it may
     *                                  be a password typed in by mistake)
     */
    public static PasswordHash parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("Expected a password hash starting with " + PREFIX
                                               + " (make one with PasswordHash) but found a value without it");
        }
        String[] parts = text.substring(PREFIX.length()).split("\\$", -1);
        if (parts.length != 3 || !parts[0].matches("\\d{1,8}")) {
            throw new IllegalArgumentException("Expected " + PREFIX + "iterations$salt$hash but found "
                                               + parts.length + " $-separated fields");
        }
        int iterations = Integer.parseInt(parts[0]);
        checkIterations(iterations, parts[0]);
        try {
            byte[] salt = B64D.decode(parts[1]);
            byte[] hash = B64D.decode(parts[2]);
            if (salt.length < 8 || hash.length != HASH_BITS / 8) {
                throw new IllegalArgumentException("Expected a salt of at least 8 bytes and a hash of " + HASH_BITS / 8
                                                   + " bytes but found " + salt.length + " and " + hash.length);
            }
            return new PasswordHash(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Expected URL-safe Base64 salt and hash in a " + PREFIX + " value: "
                                               + e.getMessage(), e);
        }
    }

    private static void checkIterations(int iterations, String found) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("Expected from " + MIN_ITERATIONS + " to " + MAX_ITERATIONS
                                               + " PBKDF2 iterations but found " + found);
        }
    }

    /** Whether the password matches, compared in constant time. */
    public boolean matches(String password) {
        return MessageDigest.isEqual(hash, derive(password == null ? "" : password, salt, iterations));
    }

    public int iterations() {
        return iterations;
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    /** The stored form, {@code {pbkdf2}iterations$salt$hash}. */
    @Override
    public String toString() {
        return PREFIX + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * Prints the hash of a password for the users option. The password is read from the console without echo, or
     * as the first line of standard input when there is no console; never from the command line, where it would end
     * up in the shell history. Option {@code --iterations N} changes the work factor.
     */
    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.console(), new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                System.out, System.err));
    }

    static int run(String[] args, Console console, BufferedReader stdin, PrintStream out, PrintStream err) throws IOException {
        int iterations = DEFAULT_ITERATIONS;
        if (args.length == 2 && args[0].equals("--iterations") && args[1].matches("\\d{1,8}")) {
            iterations = Integer.parseInt(args[1]);
        } else if (args.length != 0) {
            err.println("Usage: PasswordHash [--iterations N]   (the password is read from the console or standard input)");
            return 2;
        }
        String password;
        if (console != null) {
            char[] typed = console.readPassword("Password: ");
            password = typed == null ? null : new String(typed);
        } else {
            password = stdin.readLine();
        }
        if (password == null || password.isEmpty()) {
            err.println("Expected a password but read none");
            return 1;
        }
        try {
            out.println(of(password, iterations));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }
}
