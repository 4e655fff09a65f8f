package io.github.camelrelay.smtprelay.delivery;

import java.net.InetSocketAddress;
import java.time.Duration;

import io.github.camelrelay.smtprelay.timeout.Watchdog;

import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;

/**
 * Open sessions kept per remote address and port with commons-pool2, whatever MX names lead there: at most
 * maxConnectionsPerHost per address (several MX names of one provider often share one) and maxTotalConnections in all (at the total, commons-pool closes the longest idle sessions of other
 * destinations to make room, and waits when none is idle), RSET when a session comes back with a transaction left
 * open, closed when idle too long, after maxMessagesPerConnection, or once the OAuth2 token it authenticated with has
 * expired.
 */
final class ConnectionPool implements AutoCloseable {

    private final GenericKeyedObjectPool<InetSocketAddress, SmtpSession> pool;
    private final SessionSettings settings;
    private final Watchdog watchdog;
    /**
     * The destination and TLS requirement a borrow on this thread is for: commons-pool creates a session from the key
     * alone, in the borrowing thread, and the session needs the MX name for TLS (SNI and the certificate check), the
     * requirement for what TLS it must achieve, and the name for logs.
     */
    private final ThreadLocal<Opening> opening = new ThreadLocal<>();

    private record Opening(Destination destination, TlsRequirement tls) {
    }

    ConnectionPool(SessionSettings settings, int maxPerHost, int maxTotal, int idleTimeoutMillis, int maxMessagesPerConnection,
                   int waitMillis) {
        this.settings = settings;
        this.watchdog = new Watchdog(settings.timeouts.shortest(), "smtprelay-delivery-watchdog");
        GenericKeyedObjectPoolConfig<SmtpSession> config = new GenericKeyedObjectPoolConfig<>();
        config.setMaxTotalPerKey(maxPerHost);
        config.setMaxIdlePerKey(idleTimeoutMillis > 0 ? maxPerHost : 0);
        config.setMaxTotal(maxTotal);
        config.setBlockWhenExhausted(true);
        config.setMaxWait(Duration.ofMillis(waitMillis));
        config.setLifo(true);
        config.setTestOnReturn(true);
        config.setJmxEnabled(false);
        if (idleTimeoutMillis > 0) {
            config.setMinEvictableIdleDuration(Duration.ofMillis(idleTimeoutMillis));
            config.setTimeBetweenEvictionRuns(Duration.ofMillis(Math.max(500, idleTimeoutMillis / 2)));
            config.setNumTestsPerEvictionRun(-4);
        }
        this.pool = new GenericKeyedObjectPool<>(new Factory(maxMessagesPerConnection), config);
    }

    /**
     * A session to the destination: an idle one to its address when there is one, else a new one, else waits for a
     * free slot of the address. A session opened under another TLS requirement (another policy, or a certificate
     * checked for another MX name) does not serve this one, nor one whose OAuth2 token has expired.
     */
    SmtpSession borrow(Destination destination, TlsRequirement tls) throws SessionFailure {
        InetSocketAddress key = destination.socketAddress();
        opening.set(new Opening(destination, tls));
        try {
            while (true) {
                SmtpSession session = pool.borrowObject(key);
                // the server might still take mail on a login whose token has expired since; it is closed all the same
                if (session.requirement().sharedWith(tls) && session.authValid()) {
                    session.use(destination);
                    return session;
                }
                // closing it frees its slot: the next borrow takes another idle session or opens one for this name
                pool.invalidateObject(key, session);
            }
        } catch (SessionFailure f) {
            throw f;
        } catch (Exception e) {
            // pool exhausted for longer than the wait, or interrupted
            throw new SessionFailure(destination, 0, "no connection slot within the wait: " + e.getMessage(), e);
        } finally {
            opening.remove();
        }
    }

    /** Returns a healthy session for reuse (the pool sends RSET if it is needed), or closes a broken one. */
    void release(SmtpSession session, boolean healthy) {
        try {
            if (healthy) {
                pool.returnObject(session.key(), session);
            } else {
                pool.invalidateObject(session.key(), session);
            }
        } catch (Exception e) {
            session.close();
        }
    }

    int active() {
        return pool.getNumActive();
    }

    int idle() {
        return pool.getNumIdle();
    }

    @Override
    public void close() {
        pool.close();
        watchdog.close();
    }


    private final class Factory extends BaseKeyedPooledObjectFactory<InetSocketAddress, SmtpSession> {

        private final int maxMessages;

        Factory(int maxMessages) {
            this.maxMessages = maxMessages;
        }

        @Override
        public SmtpSession create(InetSocketAddress key) throws SessionFailure {
            Opening o = opening.get();
            Destination d = o == null ? null : o.destination();
            TlsRequirement tls = o == null ? TlsRequirement.standard(settings.tls, null, null) : o.tls();
            if (d == null || !d.socketAddress().equals(key)) {
                d = new Destination(key.getAddress().getHostAddress(), key.getAddress(), key.getPort());
            }
            return SmtpSession.open(d, settings, tls, watchdog);
        }

        @Override
        public PooledObject<SmtpSession> wrap(SmtpSession value) {
            return new DefaultPooledObject<>(value);
        }

        @Override
        public boolean validateObject(InetSocketAddress key, PooledObject<SmtpSession> p) {
            SmtpSession s = p.getObject();
            return !s.closed() && s.messages() < maxMessages && s.authValid() && (!s.dirty() || s.reset());
        }

        @Override
        public void destroyObject(InetSocketAddress key, PooledObject<SmtpSession> p) {
            p.getObject().close();
        }
    }
}
