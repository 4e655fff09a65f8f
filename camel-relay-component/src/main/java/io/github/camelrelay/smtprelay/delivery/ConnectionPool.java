package io.github.camelrelay.smtprelay.delivery;

import java.time.Duration;

import io.github.camelrelay.smtprelay.timeout.Watchdog;

import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;

/**
 * Open sessions kept per destination (address and port) with commons-pool2: at most maxConnectionsPerHost per
 * destination and maxTotalConnections in all (at the total, commons-pool closes the longest idle sessions of other
 * destinations to make room, and waits when none is idle), RSET when a session comes back with a transaction left
 * open, closed when idle too long or after maxMessagesPerConnection.
 */
final class ConnectionPool implements AutoCloseable {

    private final GenericKeyedObjectPool<Destination, SmtpSession> pool;
    private final SessionSettings settings;
    private final Watchdog watchdog;

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

    /** A session to the destination: an idle one when there is one, else a new one, else waits for a free slot. */
    SmtpSession borrow(Destination destination) throws SessionFailure {
        try {
            return pool.borrowObject(destination);
        } catch (SessionFailure f) {
            throw f;
        } catch (Exception e) {
            // pool exhausted for longer than the wait, or interrupted
            throw new SessionFailure(destination, 0, "no connection slot within the wait: " + e.getMessage(), e);
        }
    }

    /** Returns a healthy session for reuse (the pool sends RSET if it is needed), or closes a broken one. */
    void release(SmtpSession session, boolean healthy) {
        try {
            if (healthy) {
                pool.returnObject(session.destination(), session);
            } else {
                pool.invalidateObject(session.destination(), session);
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


    private final class Factory extends BaseKeyedPooledObjectFactory<Destination, SmtpSession> {

        private final int maxMessages;

        Factory(int maxMessages) {
            this.maxMessages = maxMessages;
        }

        @Override
        public SmtpSession create(Destination key) throws SessionFailure {
            return SmtpSession.open(key, settings, watchdog);
        }

        @Override
        public PooledObject<SmtpSession> wrap(SmtpSession value) {
            return new DefaultPooledObject<>(value);
        }

        @Override
        public boolean validateObject(Destination key, PooledObject<SmtpSession> p) {
            SmtpSession s = p.getObject();
            return !s.closed() && s.messages() < maxMessages && (!s.dirty() || s.reset());
        }

        @Override
        public void destroyObject(Destination key, PooledObject<SmtpSession> p) {
            p.getObject().close();
        }
    }
}
