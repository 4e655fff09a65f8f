package io.github.camelrelay.smtprelay.dsn;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import org.apache.camel.Message;
import org.apache.camel.util.json.DeserializationException;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;

/**
 * The DSN request of one message (RFC 3461): RET and ENVID from MAIL FROM, NOTIFY and ORCPT per recipient, and a
 * NOTIFY for every recipient without its own. Read from and written to the exchange headers
 * {@link SmtpRelayConstants#DSN_RET}, {@link SmtpRelayConstants#DSN_ENVID}, {@link SmtpRelayConstants#DSN_NOTIFY}
 * and {@link SmtpRelayConstants#DSN_RECIPIENTS}, all Strings, so they travel through a JMS queue unchanged; an entry
 * without them asks for nothing (the defaults of RFC 3461).
 *
 * @param ret           RET, or null when not given
 * @param envid         ENVID decoded, or null
 * @param defaultNotify the NOTIFY of recipients without their own, empty for none
 * @param recipients    the requests of recipients that gave NOTIFY or ORCPT, by address
 */
public record DsnRequest(Ret ret, String envid, Set<Notify> defaultNotify, Map<String, DsnRecipient> recipients) {

    /** A message that asks for nothing. */
    public static final DsnRequest NONE = new DsnRequest(null, null, Set.of(), Map.of());

    public DsnRequest {
        defaultNotify = Set.copyOf(defaultNotify);
        // in the order of the RCPT commands, as the header's JSON shows them
        recipients = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(recipients));
        if (envid != null) {
            checkEnvid(envid);
        }
    }

    /**
     * The ENVID parameter's value as sent, decoded: at most 100 characters of xtext standing for printable ASCII
     * (RFC 3461 4.4).
     *
     * @throws IllegalArgumentException when it is not
     */
    public static String parseEnvid(String xtext) {
        if (xtext.length() > 100) {
            throw new IllegalArgumentException("Expected ENVID of at most 100 characters but found " + xtext.length());
        }
        String decoded = Xtext.decode(xtext);
        checkEnvid(decoded);
        return decoded;
    }

    private static void checkEnvid(String envid) {
        for (int i = 0; i < envid.length(); i++) {
            char c = envid.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("Expected an ENVID of printable ASCII but found "
                                                   + String.format("U+%04X", (int) c) + " at " + i);
            }
        }
    }

    /** What this recipient asked for: its own NOTIFY and ORCPT, else the message's NOTIFY. */
    public DsnRecipient recipient(MailAddress recipient) {
        DsnRecipient own = recipients.get(recipient.address());
        if (own == null) {
            return defaultNotify.isEmpty() ? DsnRecipient.NONE : new DsnRecipient(defaultNotify, null);
        }
        return own.notifyGiven() || defaultNotify.isEmpty() ? own : new DsnRecipient(defaultNotify, own.orcpt());
    }

    /** The MAIL FROM parameters that pass RET and ENVID on, each after a space; empty when there are none. */
    public String mailParameters() {
        return (ret == null ? "" : " RET=" + ret) + (envid == null ? "" : " ENVID=" + Xtext.encode(envid));
    }

    /**
     * The request in the exchange's headers.
     *
     * @throws IllegalArgumentException when a header holds something else than its documented form
     */
    public static DsnRequest of(Message in) {
        String ret = in.getHeader(SmtpRelayConstants.DSN_RET, String.class);
        String envid = in.getHeader(SmtpRelayConstants.DSN_ENVID, String.class);
        String notify = in.getHeader(SmtpRelayConstants.DSN_NOTIFY, String.class);
        String json = in.getHeader(SmtpRelayConstants.DSN_RECIPIENTS, String.class);
        if (ret == null && envid == null && notify == null && json == null) {
            return NONE;
        }
        return new DsnRequest(ret == null || ret.isBlank() ? null : Ret.parse(ret), envid == null || envid.isEmpty() ? null : envid,
                notify == null || notify.isBlank() ? Set.of() : Notify.parse(notify), json == null ? Map.of() : decode(json));
    }

    /** Sets the headers of this request, removing those it does not need. */
    public void writeTo(Message out) {
        set(out, SmtpRelayConstants.DSN_RET, ret == null ? null : ret.name());
        set(out, SmtpRelayConstants.DSN_ENVID, envid);
        set(out, SmtpRelayConstants.DSN_NOTIFY, defaultNotify.isEmpty() ? null : Notify.format(EnumSet.copyOf(defaultNotify)));
        set(out, SmtpRelayConstants.DSN_RECIPIENTS, recipients.isEmpty() ? null : encode(recipients));
    }

    private static void set(Message out, String name, String value) {
        if (value == null) {
            out.removeHeader(name);
        } else {
            out.setHeader(name, value);
        }
    }

    /** The per-recipient requests as the header's JSON object: {"address": {"notify": "...", "orcpt": "..."}}. */
    public static String encode(Map<String, DsnRecipient> recipients) {
        JsonObject all = new JsonObject();
        for (Map.Entry<String, DsnRecipient> e : recipients.entrySet()) {
            JsonObject one = new JsonObject();
            if (e.getValue().notifyGiven()) {
                one.put("notify", Notify.format(EnumSet.copyOf(e.getValue().conditions())));
            }
            if (e.getValue().orcpt() != null) {
                one.put("orcpt", e.getValue().orcpt());
            }
            all.put(e.getKey(), one);
        }
        return Jsoner.serialize(all);
    }

    /** @throws IllegalArgumentException when the text is not the header's JSON object */
    public static Map<String, DsnRecipient> decode(String json) {
        Object parsed;
        try {
            parsed = Jsoner.deserialize(json);
        } catch (DeserializationException e) {
            throw new IllegalArgumentException("Expected the DSN recipients as a JSON object but found '" + json + "': "
                                               + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("Expected the DSN recipients as a JSON object but found '" + json + "'");
        }
        Map<String, DsnRecipient> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> one)) {
                throw new IllegalArgumentException("Expected an object for " + e.getKey() + " in '" + json + "'");
            }
            Object notify = one.get("notify");
            Object orcpt = one.get("orcpt");
            out.put(String.valueOf(e.getKey()), new DsnRecipient(notify == null ? Set.of() : Notify.parse(notify.toString()),
                    orcpt == null ? null : orcpt.toString()));
        }
        return out;
    }
}
