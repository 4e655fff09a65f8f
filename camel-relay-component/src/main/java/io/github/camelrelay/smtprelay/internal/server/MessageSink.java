package io.github.camelrelay.smtprelay.internal.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where the listener puts accepted messages: the consumer, which makes each one an exchange. The listener calls
 * {@link #begin} after the 354 reply, writes the message into {@link Delivery#body()} as it arrives, and then calls
 * exactly one of {@link Delivery#commit()} (the message is complete and acceptable) or {@link Delivery#abort()}.
 */
public interface MessageSink {

    Delivery begin(Envelope envelope) throws IOException;

    /** One message on its way in. */
    interface Delivery {

        /** An identifier for the Received header and the 250 reply. */
        String id();

        /** Where the message bytes go; may spill to disk. */
        OutputStream body();

        /**
         * Hands the complete message on and returns once it has been taken responsibility for, so that the 250 reply
         * follows. Called on the listener's processing executor, never on an event loop, as it blocks until the route
         * has completed the exchange (a broker commit, say); the connection reads nothing meanwhile.
         *
         * @throws RejectException with the reply the client should get (4xx so it keeps the message) when it was not
         */
        void commit() throws RejectException;

        /** The message will not be taken: release whatever {@link MessageSink#begin} set up. */
        void abort();
    }
}
