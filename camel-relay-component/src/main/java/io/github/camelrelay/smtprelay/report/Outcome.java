package io.github.camelrelay.smtprelay.report;

/** The fate of one recipient after one delivery attempt. */
public enum Outcome {
    /** The receiving server accepted the message for this recipient (2xx); it is never sent again. */
    DELIVERED,
    /** A temporary failure (4xx, network, DNS); a later attempt may succeed. */
    DEFERRED,
    /** A permanent failure (5xx, no such domain, null MX); retrying will not help, the sender should get a bounce. */
    FAILED
}
