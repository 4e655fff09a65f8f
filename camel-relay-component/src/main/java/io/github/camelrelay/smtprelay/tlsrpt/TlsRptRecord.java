package io.github.camelrelay.smtprelay.tlsrpt;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * A domain's {@code _smtp._tls} TXT record (RFC 8460 section 3): {@code v=TLSRPTv1; rua=<uri>[,<uri>...]} with
 * possible extension fields, where each report URI is {@code mailto:} (the report mailed as a gzip attachment) or
 * {@code https:} (POSTed). URIs of other schemes are ignored, as a sender does not know what to do with them; a record
 * with none of the two is refused. Immutable; made by {@link #parse}.
 */
public final class TlsRptRecord {

    private static final String VERSION = "v=TLSRPTv1";
    private static final Pattern START = Pattern.compile("v=TLSRPTv1[ \\t]*;");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");

    private final List<MailAddress> mailto;
    private final List<URI> https;

    private TlsRptRecord(List<MailAddress> mailto, List<URI> https) {
        this.mailto = List.copyOf(mailto);
        this.https = List.copyOf(https);
    }

    /** Whether a TXT record at {@code _smtp._tls} is meant as TLS-RPT: the others there are discarded (section 3). */
    public static boolean isTlsRptRecord(String txt) {
        return txt != null && START.matcher(txt.strip()).lookingAt();
    }

    /**
     * @param txt the record's text, its character-strings joined
     * @throws IllegalArgumentException when it is not a TLSRPTv1 record with one rua field naming a mailto: or https:
     *                                  URI, saying what was found
     */
    public static TlsRptRecord parse(String txt) {
        Objects.requireNonNull(txt, "txt");
        String[] fields = txt.strip().split("[ \\t]*;[ \\t]*", -1);
        if (!fields[0].equals(VERSION) || fields.length < 2) {
            throw new IllegalArgumentException("Expected a TLS-RPT record starting 'v=TLSRPTv1;' but found '" + txt + "'");
        }
        String rua = null;
        for (int i = 1; i < fields.length; i++) {
            String f = fields[i];
            if (f.isEmpty() && i == fields.length - 1) {
                continue;
            }
            if (f.startsWith("rua=")) {
                if (rua != null) {
                    throw new IllegalArgumentException("Expected one rua field in the TLS-RPT record but found two in '" + txt + "'");
                }
                rua = f.substring(4);
            } else if (!EXTENSION.matcher(f).matches()) {
                throw new IllegalArgumentException("Expected 'name=value' fields in the TLS-RPT record but found '" + f
                                                   + "' in '" + txt + "'");
            }
        }
        if (rua == null || rua.isBlank()) {
            throw new IllegalArgumentException("Expected a 'rua=' field with report URIs in the TLS-RPT record but found '" + txt + "'");
        }
        List<MailAddress> mailto = new ArrayList<>();
        List<URI> https = new ArrayList<>();
        for (String text : rua.split("[ \\t]*,[ \\t]*", -1)) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("Expected a URI in the rua field of the TLS-RPT record but found '" + text
                                                   + "': " + e.getReason(), e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("mailto")) {
                String address = uri.getSchemeSpecificPart();
                int query = address.indexOf('?');
                try {
                    mailto.add(MailAddress.of(query < 0 ? address : address.substring(0, query)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Expected a mail address in '" + text + "' of the TLS-RPT record: "
                                                       + e.getMessage(), e);
                }
            } else if (scheme.equals("https")) {
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("Expected an https URI with a host in the TLS-RPT record but found '" + text + "'");
                }
                https.add(uri);
            }
        }
        if (mailto.isEmpty() && https.isEmpty()) {
            throw new IllegalArgumentException("Expected a mailto: or https: URI in the rua field of the TLS-RPT record but found '"
                                               + rua + "'");
        }
        return new TlsRptRecord(mailto, https);
    }

    /** The addresses reports are mailed to, in the record's order. */
    public List<MailAddress> mailto() {
        return mailto;
    }

    /** The URIs reports are POSTed to, in the record's order. */
    public List<URI> https() {
        return https;
    }

    /** Every destination as a URI string ({@code mailto:a@b} or the https URI), in the record's order within each kind. */
    public List<String> destinations() {
        List<String> all = new ArrayList<>();
        mailto.forEach(m -> all.add("mailto:" + m.address()));
        https.forEach(u -> all.add(u.toString()));
        return all;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsRptRecord r && mailto.equals(r.mailto) && https.equals(r.https);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mailto, https);
    }

    @Override
    public String toString() {
        return VERSION + "; rua=" + String.join(",", destinations());
    }
}
