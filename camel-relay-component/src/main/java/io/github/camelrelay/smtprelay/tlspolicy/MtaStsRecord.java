package io.github.camelrelay.smtprelay.tlspolicy;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A domain's {@code _mta-sts} TXT record (RFC 8461 section 3.1): {@code v=STSv1; id=<1-32 letters and digits>;}
 * with possible extension fields. The id changes whenever the policy does, which is how a sender knows to fetch it
 * again. Immutable; made by {@link #parse}.
 */
public final class MtaStsRecord {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\\x21-\\x3A\\x3C\\x3E-\\x7E]{1,200}");

    private final String id;

    private MtaStsRecord(String id) {
        this.id = id;
    }

    /**
     * @param txt the record's text, its character-strings joined
     * @throws IllegalArgumentException when it is not an STSv1 record, naming what was found
     */
    public static MtaStsRecord parse(String txt) {
        Objects.requireNonNull(txt, "txt");
        String[] fields = txt.strip().split("\\s*;\\s*", -1);
        if (fields.length == 0 || !fields[0].equals("v=STSv1")) {
            throw new IllegalArgumentException("Expected an MTA-STS record starting 'v=STSv1;' but found '" + txt + "'");
        }
        String id = null;
        for (int i = 1; i < fields.length; i++) {
            String f = fields[i];
            if (f.isEmpty() && i == fields.length - 1) {
                continue;
            }
            if (f.startsWith("id=")) {
                if (!ID.matcher(f.substring(3)).matches()) {
                    throw new IllegalArgumentException("Expected an MTA-STS id of 1 to 32 letters and digits but found '"
                                                       + f.substring(3) + "' in '" + txt + "'");
                }
                id = f.substring(3);
            } else if (!FIELD.matcher(f).matches()) {
                throw new IllegalArgumentException("Expected 'name=value' fields in the MTA-STS record but found '" + f
                                                   + "' in '" + txt + "'");
            }
        }
        if (id == null) {
            throw new IllegalArgumentException("Expected an 'id=' field in the MTA-STS record but found '" + txt + "'");
        }
        return new MtaStsRecord(id);
    }

    /** Whether a TXT record is meant as MTA-STS at all: others at the name are ignored (section 3.1). */
    public static boolean isStsRecord(String txt) {
        return txt.strip().startsWith("v=STSv1");
    }

    public String id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MtaStsRecord r && id.equals(r.id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "v=STSv1; id=" + id + ";";
    }
}
