/**
 * MX resolution (RFC 5321 section 5.1) with dnsjava: preference order with equal preferences shuffled, implicit
 * MX, null MX (RFC 7505), the difference between a domain that does not exist and a DNS server that failed, and
 * answers cached for their TTL; and look-ups validated with DNSSEC ({@link io.github.camelrelay.smtprelay.dns.DnssecLookup},
 * from the root's trust anchors shipped in {@code root-anchors.txt}) for DANE. Internal to the component.
 */
package io.github.camelrelay.smtprelay.dns;
