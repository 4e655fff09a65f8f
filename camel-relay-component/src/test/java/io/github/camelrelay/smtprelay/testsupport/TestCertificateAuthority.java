package io.github.camelrelay.smtprelay.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority made for one test run with the JDK's keytool: its own key and self-signed certificate,
 * and server certificates it signs for the names a test asks for, valid from now (so no test depends on the date the
 * static test keystore was made). The static {@link TestCertificates} store has fixed names only.
 */
public final class TestCertificateAuthority {

    private static final String PASSWORD = "changeit";

    private final Path dir;
    private final String name;
    private int issued;

    private TestCertificateAuthority(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** A new CA with its files in the directory (a test's temporary directory). */
    public static TestCertificateAuthority create(Path dir, String name) {
        TestCertificateAuthority ca = new TestCertificateAuthority(dir, name);
        ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                   "-ext", "bc:c", "-validity", "30", "-keystore", ca.caStore().toString(), "-storetype", "PKCS12",
                   "-storepass", PASSWORD);
        ca.keytool("-exportcert", "-alias", "ca", "-rfc", "-file", ca.caCert().toString(), "-keystore", ca.caStore().toString(),
                   "-storepass", PASSWORD);
        return ca;
    }

    /**
     * A server context presenting a certificate for the names (host names, or IP addresses such as 127.0.0.1), signed by
     * this CA, with the CA certificate in its chain.
     */
    public SSLContext serverContext(String... dnsNames) {
        KeyStore ks = serverKeyStore(dnsNames);
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make a server context for " + List.of(dnsNames), e);
        }
    }

    /** The server certificate chain for the names (server certificate first, then this CA's). */
    public java.security.cert.X509Certificate[] chain(String... dnsNames) {
        try {
            java.security.cert.Certificate[] chain = serverKeyStore(dnsNames).getCertificateChain("server");
            return java.util.Arrays.copyOf(chain, chain.length, java.security.cert.X509Certificate[].class);
        } catch (java.security.KeyStoreException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS12 key store with the key and chain of a new server certificate for the names, under the alias "server". */
    public KeyStore serverKeyStore(String... dnsNames) {
        Path store = dir.resolve("server-" + name.replaceAll("\\W", "") + "-" + (++issued) + ".p12");
        Path csr = dir.resolve(store.getFileName() + ".csr");
        Path cert = dir.resolve(store.getFileName() + ".crt");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + dnsNames[0],
                "-validity", "30", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-file", csr.toString(), "-keystore", store.toString(), "-storepass", PASSWORD);
        StringBuilder san = new StringBuilder("SAN=");
        for (int i = 0; i < dnsNames.length; i++) {
            // an address (an https report endpoint on 127.0.0.1) goes in as an IP SAN, which HTTPS clients check it against
            san.append(i == 0 ? "" : ",").append(dnsNames[i].matches("[0-9.]+|.*:.*") ? "ip:" : "dns:").append(dnsNames[i]);
        }
        keytool("-gencert", "-alias", "ca", "-infile", csr.toString(), "-outfile", cert.toString(), "-rfc", "-ext", san.toString(),
                "-ext", "eku=serverAuth", "-validity", "30", "-keystore", caStore().toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert().toString(), "-keystore", store.toString(),
                "-storepass", PASSWORD);
        keytool("-importcert", "-alias", "server", "-file", cert.toString(), "-keystore", store.toString(), "-storepass", PASSWORD);
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot load the server key store " + store, e);
        }
    }

    /** A trust manager that trusts this CA only, for Camel's SSLContextParameters in tests. */
    public javax.net.ssl.X509TrustManager trustManager() {
        try (InputStream in = Files.newInputStream(caCert())) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            for (javax.net.ssl.TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof javax.net.ssl.X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X.509 trust manager for " + caCert());
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot load the CA certificate " + caCert(), e);
        }
    }

    /** Camel's TLS settings trusting this CA only, to bind as the producer's sslContextParameters. */
    public org.apache.camel.support.jsse.SSLContextParameters trustParameters() {
        org.apache.camel.support.jsse.TrustManagersParameters trust = new org.apache.camel.support.jsse.TrustManagersParameters();
        trust.setTrustManager(trustManager());
        org.apache.camel.support.jsse.SSLContextParameters params = new org.apache.camel.support.jsse.SSLContextParameters();
        params.setTrustManagers(trust);
        return params;
    }

    /** The CA's own certificate, for tests that publish a DANE-TA record of it. */
    public java.security.cert.X509Certificate certificate() {
        try (InputStream in = Files.newInputStream(caCert())) {
            return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot load the CA certificate " + caCert(), e);
        }
    }

    /** A client context that trusts this CA only. */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(caCert())) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot load the CA certificate " + caCert(), e);
        }
    }

    private Path caStore() {
        return dir.resolve("ca-" + name.replaceAll("\\W", "") + ".p12");
    }

    private Path caCert() {
        return dir.resolve("ca-" + name.replaceAll("\\W", "") + ".crt");
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
