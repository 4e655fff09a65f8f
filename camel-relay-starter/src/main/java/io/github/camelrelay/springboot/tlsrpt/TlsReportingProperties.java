package io.github.camelrelay.springboot.tlsrpt;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code camel.smtprelay.tls-reporting.*} properties: SMTP TLS Reporting (RFC 8460). The producer's TLS sessions
 * in MX mode are counted per policy domain and policy, in a directory, and once a day each domain that publishes an
 * {@code _smtp._tls} TXT record gets its report: mailed through the relay's queue (rua=mailto:) or POSTed (rua=https:).
 * Nothing happens unless {@code camel.smtprelay.tls-reporting.enabled=true}. The TXT records are looked up through
 * {@code camel.component.smtprelay.dns-servers}, as the MX records are.
 */
@ConfigurationProperties(prefix = "camel.smtprelay.tls-reporting")
public class TlsReportingProperties {

    /** Whether to count TLS sessions and send TLS-RPT reports. */
    private boolean enabled;

    /** The reports' organization-name: who runs this relay. Required. */
    private String organizationName;

    /** The reports' contact-info: an address for questions about the reports. Required. */
    private String contactInfo;

    /**
     * This relay's domain as the reports' submitter (the mail's TLS-Report-Submitter, the attachment's file name). Unset
     * means camel.smtprelay.relay.reporting-mta (by default the local host name).
     */
    private String submitter;

    /** The report window: one day, on UTC day boundaries, as RFC 8460 asks; a shorter one must divide a day. */
    private Duration interval = Duration.ofDays(1);

    /** The directory the counts are kept in, so they survive restarts; one relay instance per directory. Required. */
    private String directory;

    /** The From and envelope sender of mailed reports, such as tlsrpt-noreply@relay.example.com. Required. */
    private String reportSender;

    /**
     * The queue mailed reports are put on, in the relay queue's format (the relay's DKIM signing and retries apply to
     * them). Unset means the relay routes' queue.
     */
    private String queueUri;

    /** This relay's outbound IP address, reported as sending-mta-ip in the failure details; left out when unset. */
    private String sendingMtaIp;

    /** How long after its window a report that could not be sent is still tried (hourly). */
    private Duration retryFor = Duration.ofDays(1);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getOrganizationName() {
        return organizationName;
    }

    public void setOrganizationName(String organizationName) {
        this.organizationName = organizationName;
    }

    public String getContactInfo() {
        return contactInfo;
    }

    public void setContactInfo(String contactInfo) {
        this.contactInfo = contactInfo;
    }

    public String getSubmitter() {
        return submitter;
    }

    public void setSubmitter(String submitter) {
        this.submitter = submitter;
    }

    public Duration getInterval() {
        return interval;
    }

    public void setInterval(Duration interval) {
        this.interval = interval;
    }

    public String getDirectory() {
        return directory;
    }

    public void setDirectory(String directory) {
        this.directory = directory;
    }

    public String getReportSender() {
        return reportSender;
    }

    public void setReportSender(String reportSender) {
        this.reportSender = reportSender;
    }

    public String getQueueUri() {
        return queueUri;
    }

    public void setQueueUri(String queueUri) {
        this.queueUri = queueUri;
    }

    public String getSendingMtaIp() {
        return sendingMtaIp;
    }

    public void setSendingMtaIp(String sendingMtaIp) {
        this.sendingMtaIp = sendingMtaIp;
    }

    public Duration getRetryFor() {
        return retryFor;
    }

    public void setRetryFor(Duration retryFor) {
        this.retryFor = retryFor;
    }
}
