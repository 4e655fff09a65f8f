package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.util.Locale;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * Decides, per RCPT TO, whether this server takes the recipient: anyone may send to {@link LocalDomains}; only
 * clients in {@link RelayNetworks} and authenticated users may send anywhere else.
 * <p>
 * The address is resolved before the check, the way the next hop would read it, so no spelling gets around it: a
 * recipient that is not a plain {@code local-part@domain} (dot-atom or quoted string) is refused with 501 5.1.3,
 * which covers source routes, bang paths, bare names and two {@code @} signs; a local part holding {@code %},
 * {@code !} or {@code @} (even quoted) would be routed onwards by many servers, so it counts as relaying; and a
 * domain is local only if it canonicalises (lower case, no trailing dot, A-labels) to one of the local domains.
 */
public final class RelayPolicy {

    private final RelayNetworks relayNetworks;
    private final LocalDomains localDomains;

    public RelayPolicy(RelayNetworks relayNetworks, LocalDomains localDomains) {
        this.relayNetworks = relayNetworks;
        this.localDomains = localDomains;
    }

    /** Whether a client may send to any domain: it authenticated, or its address is in the relay networks. */
    public boolean mayRelay(InetAddress client, boolean authenticated) {
        return authenticated || relayNetworks.contains(client);
    }

    /**
     * Resolves the path of a RCPT TO command (the text between the angle brackets) to the recipient this server
     * will deliver to.
     *
     * @throws RejectException 501 5.1.3 for a path that is not a plain address, 554 5.7.1 for relaying that the
     *                         client may not do, 550 5.1.1 for a bare postmaster with no local domain
     */
    public MailAddress recipient(String path, boolean mayRelay) throws RejectException {
        if (path.isEmpty()) {
            throw new RejectException(501, "5.1.3 Expected a recipient address like <user@example.com> but found <>");
        }
        if (path.startsWith("@")) {
            throw new RejectException(501, "5.1.3 Source routes are not accepted: expected <user@domain> but found <"
                                           + Replies.printable(path) + ">");
        }
        if (path.indexOf('@') < 0) {
            if (path.toLowerCase(Locale.ROOT).equals("postmaster")) {
                // RFC 5321 4.5.1: <Postmaster> without a domain must be accepted; it is the first local domain's
                return MailAddress.of("postmaster@" + localDomains.first()
                        .orElseThrow(() -> new RejectException(550, "5.1.1 <postmaster>: no local domain is configured"))
                        .name());
            }
            throw new RejectException(501, "5.1.3 Expected a recipient address like <user@domain> but found <"
                                           + Replies.printable(path) + ">");
        }
        MailAddress address;
        try {
            address = MailAddress.of(path);
        } catch (IllegalArgumentException e) {
            throw new RejectException(501, "5.1.3 Bad recipient address syntax: " + Replies.printable(e.getMessage()));
        }
        if (mayRelay) {
            return address;
        }
        String local = address.localPart();
        boolean routesOnwards = local.indexOf('%') >= 0 || local.indexOf('!') >= 0 || local.indexOf('@') >= 0;
        if (routesOnwards || !localDomains.contains(address.domain())) {
            throw new RejectException(554, "5.7.1 <" + Replies.printable(path) + ">: Relay access denied");
        }
        return address;
    }

    /**
     * Resolves the path of a MAIL FROM command; the empty path is the null sender of bounces.
     *
     * @throws RejectException 501 5.1.7 for anything but a plain address or {@code <>}
     */
    public static MailAddress sender(String path) throws RejectException {
        if (path.startsWith("@")) {
            throw new RejectException(501, "5.1.7 Source routes are not accepted: expected <user@domain> or <> but found <"
                                           + Replies.printable(path) + ">");
        }
        try {
            return MailAddress.of(path, true);
        } catch (IllegalArgumentException e) {
            throw new RejectException(501, "5.1.7 Bad sender address syntax: " + Replies.printable(e.getMessage()));
        }
    }
}
