/**
 * Content enrichment before delivery, as Camel processors usable in any route: the headers a message must have
 * (Message-ID, Date), configured extra headers, and DKIM signing (RFC 6376) with Apache James jDKIM, which must
 * run last because any later change to the signed headers or the body breaks the signature.
 */
package io.github.camelrelay.smtprelay.enrich;
