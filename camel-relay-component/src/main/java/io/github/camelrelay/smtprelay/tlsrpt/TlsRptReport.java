package io.github.camelrelay.smtprelay.tlsrpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;

/**
 * One aggregate report: a policy domain's counts in one window as the JSON of RFC 8460 section 4.4, its id, and the
 * file name of section 5.1. The date range is the window's, from its first second to its last
 * ({@code 2026-07-10T00:00:00Z} to {@code 2026-07-10T23:59:59Z} for a day, as the RFC's example writes it).
 */
final class TlsRptReport {

    private final ReportWindow window;
    private final String domain;
    private final String organizationName;
    private final String contactInfo;
    private final String submitter;
    private final String sendingMtaIp;

    TlsRptReport(ReportWindow window, String domain, String organizationName, String contactInfo, String submitter,
                 String sendingMtaIp) {
        this.window = window;
        this.domain = domain;
        this.organizationName = organizationName;
        this.contactInfo = contactInfo;
        this.submitter = submitter;
        this.sendingMtaIp = sendingMtaIp;
    }

    String domain() {
        return domain;
    }

    String submitter() {
        return submitter;
    }

    Instant start() {
        return window.start;
    }

    /** The last second of the window. */
    Instant end() {
        return window.end.minusSeconds(1);
    }

    /** The same for every send of this report, so a receiver can tell a retry from a new report. */
    String id() {
        return start() + "_" + domain + "@" + submitter;
    }

    /** {@code submitter!policy-domain!begin!end.json.gz}, the timestamps in seconds since the epoch (section 5.1). */
    String fileName() {
        return submitter + "!" + domain + "!" + start().getEpochSecond() + "!" + end().getEpochSecond() + ".json.gz";
    }

    JsonObject json() {
        JsonObject report = new JsonObject();
        report.put("organization-name", organizationName);
        JsonObject range = new JsonObject();
        range.put("start-datetime", start().toString());
        range.put("end-datetime", end().toString());
        report.put("date-range", range);
        report.put("contact-info", contactInfo);
        report.put("report-id", id());
        JsonArray policies = new JsonArray();
        window.policies.forEach((key, counts) -> {
            if (!key.domain().equals(domain)) {
                return;
            }
            JsonObject policy = new JsonObject();
            policy.put("policy-type", key.type().value());
            if (!key.strings().isEmpty()) {
                policy.put("policy-string", new JsonArray(key.strings()));
            }
            policy.put("policy-domain", key.domain());
            if (!key.mxHosts().isEmpty()) {
                policy.put("mx-host", new JsonArray(key.mxHosts()));
            }
            JsonObject summary = new JsonObject();
            summary.put("total-successful-session-count", counts.successes);
            summary.put("total-failure-session-count", counts.failures);
            JsonObject entry = new JsonObject();
            entry.put("policy", policy);
            entry.put("summary", summary);
            if (!counts.details.isEmpty()) {
                JsonArray details = new JsonArray();
                counts.details.forEach((row, n) -> {
                    JsonObject d = new JsonObject();
                    d.put("result-type", row.type().value());
                    putIfSet(d, "sending-mta-ip", sendingMtaIp);
                    putIfSet(d, "receiving-mx-hostname", row.mxHost());
                    putIfSet(d, "receiving-ip", row.ip());
                    d.put("failed-session-count", n);
                    // the RFC's text field for an error message; additional-information is for a URI, which we have none of
                    putIfSet(d, "failure-reason-code", row.reason());
                    details.add(d);
                });
                entry.put("failure-details", details);
            }
            policies.add(entry);
        });
        report.put("policies", policies);
        return report;
    }

    /** The JSON, gzip-compressed (section 5.2). */
    byte[] gzip() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(json().toJson().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void putIfSet(JsonObject o, String name, String value) {
        if (value != null && !value.isEmpty()) {
            o.put(name, value);
        }
    }
}
