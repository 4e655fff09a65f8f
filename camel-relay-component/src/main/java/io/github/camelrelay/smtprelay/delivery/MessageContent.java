package io.github.camelrelay.smtprelay.delivery;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.StreamCache;

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

    static MessageContent of(byte[] bytes) {
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

    static MessageContent of(Path file) {
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
    static MessageContent of(StreamCache cache) {
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
