package io.github.camelrelay.smtprelay.delivery;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.WrappedFile;
import org.apache.camel.converter.stream.CachedOutputStream;

/**
 * The bytes of an RFC 5322 message, readable as often as there are transactions (one per domain and batch), without
 * holding more than one copy in memory: a byte array, a file, or a Camel stream cache that spills to disk.
 */
public interface MessageContent {

    /** Size in octets, or -1 when not known without reading it. */
    long size();

    /** Writes the whole message, from its first byte. */
    void writeTo(OutputStream out) throws IOException;

    /** A fresh stream over the message, for reading its header section. */
    InputStream open() throws IOException;

    /**
     * This content with every occurrence of one header field (folded lines included) left out of the bytes, as Jakarta
     * Mail's transport leaves out Bcc; the content itself when it has no such field.
     */
    static MessageContent withoutField(MessageContent content, String fieldName) throws IOException {
        return WithoutHeaderField.of(content, fieldName);
    }

    /**
     * The exchange body in any form a complete message can come in (bytes, String, file, stream cache, stream,
     * MimeMessage), made replayable: a one-shot stream or a MimeMessage is spooled into a Camel stream cache (which
     * spills to disk when large) and the exchange body replaced by it.
     *
     * @throws IllegalArgumentException when the body is of a type that cannot hold a message
     */
    public static MessageContent of(Exchange exchange) throws IOException, MessagingException {
        Object body = exchange.getMessage().getBody();
        if (body instanceof byte[] bytes) {
            return of(bytes);
        }
        if (body instanceof String s) {
            return of(s.getBytes(StandardCharsets.UTF_8));
        }
        if (body instanceof File f) {
            return of(f.toPath());
        }
        if (body instanceof WrappedFile<?> wf && wf.getFile() instanceof File f) {
            return of(f.toPath());
        }
        if (body instanceof StreamCache sc) {
            return of(sc);
        }
        CachedOutputStream out = new CachedOutputStream(exchange);
        if (body instanceof MimeMessage m) {
            m.writeTo(out);
        } else {
            InputStream in = body == null ? null : exchange.getMessage().getBody(InputStream.class);
            if (in == null) {
                throw new IllegalArgumentException("Expected the body to be an RFC 5322 message (MimeMessage, bytes, stream, "
                                                   + "String or file) but found " + (body == null ? "none" : body.getClass().getName()));
            }
            try (in) {
                in.transferTo(out);
            }
        }
        StreamCache cache = out.newStreamCache();
        // the original is consumed; the cache can be read again by later processors
        exchange.getMessage().setBody(cache);
        return of(cache);
    }

    public static MessageContent of(byte[] bytes) {
        return new MessageContent() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes);
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }
        };
    }

    public static MessageContent of(Path file) {
        return new MessageContent() {
            @Override
            public long size() {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return -1;
                }
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                Files.copy(file, out);
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }

    /** A Camel stream cache; reset before every use so each transaction sends the message from its start. */
    public static MessageContent of(StreamCache cache) {
        return new MessageContent() {
            @Override
            public long size() {
                return cache.length() > 0 ? cache.length() : -1;
            }

            @Override
            public synchronized void writeTo(OutputStream out) throws IOException {
                cache.reset();
                cache.writeTo(out);
            }

            @Override
            public synchronized InputStream open() throws IOException {
                cache.reset();
                if (cache instanceof InputStream in) {
                    // closing a file-backed cache would delete its spool file; the cache is closed with the exchange
                    return new FilterInputStream(in) {
                        @Override
                        public void close() {
                        }

                        // a reader's mark() (InternetHeaders does one per CR) would move the point that the cache's
                        // reset() returns to, and the header section would be missing from what writeTo() sends
                        @Override
                        public boolean markSupported() {
                            return false;
                        }

                        @Override
                        public void mark(int readlimit) {
                        }

                        @Override
                        public void reset() throws IOException {
                            throw new IOException("mark/reset not supported");
                        }
                    };
                }
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                cache.writeTo(bos);
                return new ByteArrayInputStream(bos.toByteArray());
            }
        };
    }
}
