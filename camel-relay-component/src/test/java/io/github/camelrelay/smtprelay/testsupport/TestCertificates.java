package io.github.camelrelay.smtprelay.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The self-signed certificate the TLS tests use, kept as two PKCS12 files on the test classpath.
 * <p>
 * The files were generated once (not at build time) with the JDK's keytool:
 *
 * <pre>
 * keytool -genkeypair -alias test -keyalg RSA -keysize 2048 -startdate 2020/01/01 -validity 36500 -dname "CN=localhost" \
 *   -ext "SAN=dns:localhost,dns:mx1.example.test,dns:relay.example.test,ip:127.0.0.1,ip:127.0.0.2,ip:127.0.0.3" \
 *   -storetype PKCS12 -keystore test-keystore.p12 -storepass changeit
 * keytool -exportcert -alias test -keystore test-keystore.p12 -storepass changeit -rfc -file test-cert.pem
 * keytool -importcert -noprompt -alias test -file test-cert.pem -storetype PKCS12 \
 *   -keystore test-truststore.p12 -storepass changeit
 * </pre>
 */
public final class TestCertificates {

    /** Password of both stores (and of the private key). */
    public static final String PASSWORD = "changeit";

    /** Classpath resource of the keystore holding the private key and certificate, alias "test". */
    public static final String KEYSTORE_RESOURCE = "tls/test-keystore.p12";

    /** Classpath resource of the truststore holding only the certificate. */
    public static final String TRUSTSTORE_RESOURCE = "tls/test-truststore.p12";

    private TestCertificates() {
    }

    /**
     * The SSL context test servers present, so STARTTLS and implicit TLS can be exercised against a certificate
     * valid for localhost, mx1.example.test, relay.example.test and 127.0.0.1-3.
     */
    public static SSLContext serverContext() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(KEYSTORE_RESOURCE), PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the test server SSL context", e);
        }
    }

    /** The certificate the test servers present (self-signed), for tests that pin it or publish TLSA records of it. */
    public static java.security.cert.X509Certificate certificate() {
        try {
            return (java.security.cert.X509Certificate) load(KEYSTORE_RESOURCE).getCertificate("test");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the test certificate", e);
        }
    }

    /**
     * Classpath resource name of the truststore, for component options that take a truststore location
     * (its password is {@link #PASSWORD}).
     */
    public static String truststorePath() {
        return TRUSTSTORE_RESOURCE;
    }

    /** A client SSL context that trusts only the test certificate, for tests that speak TLS themselves. */
    public static SSLContext clientContextTrustingTestCa() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(TRUSTSTORE_RESOURCE));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the test client SSL context", e);
        }
    }

    private static KeyStore load(String resource) throws GeneralSecurityException {
        try (InputStream in = TestCertificates.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
