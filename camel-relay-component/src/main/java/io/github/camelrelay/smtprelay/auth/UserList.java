package io.github.camelrelay.smtprelay.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.camelrelay.smtprelay.internal.server.Replies;

/**
 * The built-in user list of the {@code users} option: {@code alice:{pbkdf2}...,bob:{pbkdf2}...}. Only hashed
 * passwords ({@link PasswordHash}) are accepted, so no password is ever stored in clear text.
 */
public final class UserList implements SmtpRelayAuthenticator {

    private final Map<String, PasswordHash> users;
    private final int dummyIterations;
    // checked when the user is unknown, so a wrong user name costs as long as a wrong password
    private volatile PasswordHash dummy;

    private UserList(Map<String, PasswordHash> users) {
        this.users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
        this.dummyIterations = users.values().stream().mapToInt(PasswordHash::iterations).max()
                .orElse(PasswordHash.DEFAULT_ITERATIONS);
    }

    /**
     * Parses {@code user:{pbkdf2}hash} entries separated by commas; null or blank gives an empty list.
     *
     * @throws IllegalArgumentException naming the user whose entry is wrong, never repeating the value
     */
    public static UserList parse(String text) {
        Map<String, PasswordHash> map = new LinkedHashMap<>();
        if (text != null) {
            for (String entry : text.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                String e = entry.strip();
                int colon = e.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("Expected user:" + PasswordHash.PREFIX
                                                       + "hash entries but found one without a user name");
                }
                String user = e.substring(0, colon);
                try {
                    if (map.put(user, PasswordHash.parse(e.substring(colon + 1))) != null) {
                        throw new IllegalArgumentException("Expected each user once but found '" + Replies.printable(user)
                                                           + "' twice");
                    }
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("User '" + Replies.printable(user) + "': " + ex.getMessage(), ex);
                }
            }
        }
        return new UserList(map);
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    @Override
    public boolean authenticate(String user, String password) {
        PasswordHash hash = users.get(user);
        if (hash == null) {
            PasswordHash d = dummy;
            if (d == null) {
                d = PasswordHash.of("no such user", dummyIterations);
                dummy = d;
            }
            d.matches(password);
            return false;
        }
        return hash.matches(password);
    }

    @Override
    public String toString() {
        return "UserList" + users.keySet();
    }
}
