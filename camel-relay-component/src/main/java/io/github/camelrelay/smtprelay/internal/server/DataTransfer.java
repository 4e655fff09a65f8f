package io.github.camelrelay.smtprelay.internal.server;

import java.io.IOException;

import io.netty.buffer.ByteBuf;

/** Message data on its way in after 354: read as it arrives until the final dot, or abandoned with the connection. */
interface DataTransfer {

    /** Reads what {@code in} holds; true once the final dot was read (the bytes after it stay in {@code in}). */
    boolean read(ByteBuf in) throws IOException;

    /** The data is complete: refuse or commit it and reply. */
    void finish();

    /** The connection ended or failed before the end of the data: nothing is delivered. */
    void abandon();
}
