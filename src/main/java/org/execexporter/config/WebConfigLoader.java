package org.execexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.execexporter.base.Durations;

/**
 * Reads exporter-toolkit's web configuration file, strictly: an unknown key, a value of the wrong
 * type, a file that cannot be used or a choice Java cannot honour is one line naming the YAML path,
 * never a fallback to open HTTP. Relative file names are resolved against the file's directory,
 * as exporter-toolkit does. {@link LiveWebConfig} reads it again whenever it or a file it names
 * changes.
 */
public final class WebConfigLoader {
    /** Go's names of the versions, in order, and Java's. TLS 1.0 and 1.1 are disabled by the JDK. */
    private static final Map<String, String> VERSIONS = Map.of("TLS12", "TLSv1.2", "TLS13", "TLSv1.3");
    private static final Set<String> OLD_VERSIONS = Set.of("TLS10", "TLS11");

    /** Go's curve names and Java's named groups. */
    private static final Map<String, String> CURVES = Map.of("CurveP256", "secp256r1", "CurveP384", "secp384r1",
            "CurveP521", "secp521r1", "X25519", "x25519");

    /** The headers exporter-toolkit allows, and the values it allows for some of them (lower case). */
    private static final Map<String, Set<String>> HEADERS = Map.of(
            "Strict-Transport-Security", Set.of(),
            "X-Content-Type-Options", Set.of("nosniff"),
            "X-Frame-Options", Set.of("deny", "sameorigin"),
            "X-XSS-Protection", Set.of(),
            "Content-Security-Policy", Set.of());

    private WebConfigLoader() {}

    public static WebConfig load(Path file) throws ConfigException {
        return load(file, new ArrayList<>());
    }

    /** As {@link #load(Path)}, adding to {@code filesRead} the files it reads: the file, then those it names. */
    public static WebConfig load(Path file, List<Path> filesRead) throws ConfigException {
        filesRead.add(file);
        String text = FileText.read(file, "web config file");
        Path base = file.toAbsolutePath().getParent();
        try {
            return parse(text, base, filesRead);
        } catch (ConfigException e) {
            throw e.within("web config file " + file + ": ");
        }
    }

    /** Parses YAML text, resolving relative file names against {@code base}; messages name the YAML path. */
    public static WebConfig parse(String yaml, Path base) throws ConfigException {
        return parse(yaml, base, new ArrayList<>());
    }

    private static WebConfig parse(String yaml, Path base, List<Path> filesRead) throws ConfigException {
        YamlNode top = YamlNode.parse(yaml);
        if (top.isEmpty()) {
            return WebConfig.open();
        }
        top.keys(Set.of("tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"));
        YamlNode tls = top.get("tls_server_config");
        YamlNode http = top.get("http_server_config");
        if (http != null) {
            http.keys(Set.of("headers", "http2"));
            YamlNode http2 = http.get("http2");
            if (http2 != null) {
                http2.bool(); // HTTP/2 is not served: the value is checked and has no effect
            }
        }
        return new WebConfig(tls == null ? null : tls(tls, base, filesRead), users(top.get("basic_auth_users")),
                headers(http == null ? null : http.get("headers")), rateLimit(top.get("rate_limit")));
    }

    private static WebConfig.RateLimit rateLimit(YamlNode node) throws ConfigException {
        if (node == null) {
            return WebConfig.RateLimit.NONE;
        }
        node.keys(Set.of("interval", "burst"));
        YamlNode intervalNode = node.get("interval");
        Duration interval = Duration.ZERO;
        if (intervalNode != null) {
            String text = intervalNode.string();
            interval = intervalNode.check(() -> {
                try {
                    return Durations.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("must be a duration like 1s or 100ms, not \"" + text + "\"");
                }
            });
        }
        YamlNode burstNode = node.get("burst");
        int burst = 0;
        if (burstNode != null) {
            long n = burstNode.whole();
            burst = burstNode.check(() -> {
                if (n < 0 || n > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("must be a whole number, 0 or more");
                }
                return (int) n;
            });
        }
        if (!interval.isZero() && burst < 1) {
            throw node.error("needs a burst of 1 or more with an interval: with 0, every request would be refused");
        }
        return new WebConfig.RateLimit(interval, burst);
    }

    private static WebConfig.Tls tls(YamlNode node, Path base, List<Path> filesRead) throws ConfigException {
        node.keys(Set.of("cert_file", "key_file", "cert", "key", "client_auth_type", "client_ca_file", "client_ca",
                "cipher_suites", "curve_preferences", "min_version", "max_version", "prefer_server_cipher_suites",
                "client_allowed_sans"));
        String certText = oneOf(node, "cert_file", "cert", base, filesRead);
        String keyText = oneOf(node, "key_file", "key", base, filesRead);
        if (certText == null) {
            throw node.error("needs cert_file (or cert): TLS cannot be served without a certificate");
        }
        if (keyText == null) {
            throw node.error("needs key_file (or key): TLS cannot be served without a private key");
        }
        String certKey = node.has("cert_file") ? "cert_file" : "cert";
        String keyKey = node.has("key_file") ? "key_file" : "key";
        List<X509Certificate> chain = node.get(certKey).check(() -> Pem.certificates(certText));
        PrivateKey key = node.get(keyKey).check(() -> Pem.privateKey(keyText));
        node.get(keyKey).check(() -> {
            Pem.checkPair(chain.get(0), key);
            return null;
        });

        WebConfig.ClientAuth clientAuth = WebConfig.ClientAuth.NO_CLIENT_CERT;
        YamlNode authNode = node.get("client_auth_type");
        if (authNode != null) {
            String name = authNode.string();
            clientAuth = null;
            for (WebConfig.ClientAuth a : WebConfig.ClientAuth.values()) {
                if (a.configName.equals(name) || (name.equals("RequireClientCert")
                        && a == WebConfig.ClientAuth.REQUIRE_ANY_CLIENT_CERT)) {
                    clientAuth = a;
                }
            }
            if (clientAuth == null) {
                throw authNode.error("must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, "
                        + "VerifyClientCertIfGiven, RequireAndVerifyClientCert, not \"" + name + "\"");
            }
        }
        String caText = oneOf(node, "client_ca_file", "client_ca", base, filesRead);
        List<X509Certificate> clientCas = List.of();
        if (caText != null) {
            YamlNode caNode = node.get(node.has("client_ca_file") ? "client_ca_file" : "client_ca");
            if (!clientAuth.verify) {
                throw caNode.error("is set, but client_auth_type " + clientAuth.configName + " verifies no client "
                        + "certificate: use VerifyClientCertIfGiven or RequireAndVerifyClientCert");
            }
            clientCas = caNode.check(() -> Pem.certificates(caText));
        } else if (clientAuth.verify) {
            throw node.error("needs client_ca_file to verify client certificates (client_auth_type "
                    + clientAuth.configName + ")");
        }

        String min = "TLS12";
        String max = "TLS13";
        if (node.has("min_version")) {
            min = version(node.get("min_version"));
        }
        if (node.has("max_version")) {
            max = version(node.get("max_version"));
        }
        if (min.compareTo(max) > 0) {
            throw node.get("min_version").error("must not be above max_version (" + max + ")");
        }
        List<String> protocols = new ArrayList<>();
        for (String v : List.of("TLS12", "TLS13")) {
            if (v.compareTo(min) >= 0 && v.compareTo(max) <= 0) {
                protocols.add(VERSIONS.get(v));
            }
        }

        List<String> suites = new ArrayList<>();
        YamlNode suitesNode = node.get("cipher_suites");
        if (suitesNode != null) {
            List<String> enabledByJava = enabledCipherSuites();
            List<YamlNode> items = suitesNode.items();
            for (YamlNode item : items) {
                String name = item.string();
                if (name.startsWith("TLS_AES_") || name.startsWith("TLS_CHACHA20_")) {
                    throw item.error("is a TLS 1.3 suite: TLS 1.3 suites are not configurable (as in Go); "
                            + "list TLS 1.2 suites only");
                }
                String javaName = enabledByJava.contains(name) ? name
                        : enabledByJava.contains(name + "_SHA256") ? name + "_SHA256" : null; // Go's CHACHA20 names
                if (javaName == null) {
                    throw item.error("\"" + name + "\" is not a cipher suite this Java runtime enables; it enables: "
                            + String.join(", ", enabledByJava.stream().filter(s -> !s.startsWith("TLS_AES_")
                            && !s.startsWith("TLS_CHACHA20_") && !s.startsWith("TLS_EMPTY_")).toList()));
                }
                suites.add(javaName);
            }
            if (suites.isEmpty()) {
                throw suitesNode.error("must list at least one suite, or be left out for the defaults");
            }
        }

        List<String> groups = new ArrayList<>();
        YamlNode curvesNode = node.get("curve_preferences");
        if (curvesNode != null) {
            for (YamlNode item : curvesNode.items()) {
                String group = CURVES.get(item.string());
                if (group == null) {
                    throw item.error("must be one of CurveP256, CurveP384, CurveP521, X25519, not \""
                            + item.string() + "\"");
                }
                groups.add(group);
            }
        }
        boolean preferServer = !node.has("prefer_server_cipher_suites")
                || node.get("prefer_server_cipher_suites").bool();

        List<String> sans = new ArrayList<>();
        YamlNode sansNode = node.get("client_allowed_sans");
        if (sansNode != null) {
            if (clientAuth != WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT) {
                throw sansNode.error("needs client_auth_type RequireAndVerifyClientCert");
            }
            for (YamlNode item : sansNode.items()) {
                sans.add(item.string());
            }
        }
        return new WebConfig.Tls(chain, key, clientAuth, clientCas, protocols, suites, groups, preferServer, sans);
    }

    private static String version(YamlNode node) throws ConfigException {
        String v = node.string();
        if (OLD_VERSIONS.contains(v)) {
            throw node.error(v + " is not supported: the Java runtime refuses TLS before 1.2; use TLS12 or TLS13");
        }
        if (!VERSIONS.containsKey(v)) {
            throw node.error("must be TLS12 or TLS13, not \"" + v + "\"");
        }
        return v;
    }

    /** The text of {@code fileKey} (a file) or {@code inlineKey} (PEM in the YAML); null when neither is set. */
    private static String oneOf(YamlNode node, String fileKey, String inlineKey, Path base, List<Path> filesRead)
            throws ConfigException {
        if (node.has(fileKey) && node.has(inlineKey)) {
            throw node.error("must set " + fileKey + " or " + inlineKey + ", not both");
        }
        if (node.has(inlineKey)) {
            return node.get(inlineKey).string();
        }
        if (!node.has(fileKey)) {
            return null;
        }
        YamlNode f = node.get(fileKey);
        Path path = Path.of(f.string());
        if (!path.isAbsolute() && base != null) {
            path = base.resolve(path);
        }
        filesRead.add(path);
        return FileText.read(path, f.path());
    }

    private static List<String> enabledCipherSuites() {
        try {
            return List.of(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the Java runtime has no TLS", e);
        }
    }

    private static Map<String, String> users(YamlNode node) throws ConfigException {
        Map<String, String> users = new LinkedHashMap<>();
        if (node == null) {
            return users;
        }
        for (Map.Entry<String, YamlNode> e : node.entries()) {
            String user = e.getKey();
            if (user.isEmpty() || user.contains(":")) {
                throw e.getValue().error("is not a valid user name: it must be non-empty and hold no colon");
            }
            String hash = e.getValue().string();
            if (!WebConfig.BCRYPT_HASH.matcher(hash).matches()) {
                throw e.getValue().error("must be a bcrypt hash ($2y$10$... as htpasswd -nB writes it), "
                        + "not a plain password");
            }
            int cost = WebConfig.bcryptCost(hash);
            if (cost < WebConfig.MIN_BCRYPT_COST || cost > WebConfig.MAX_BCRYPT_COST) {
                throw e.getValue().error("has bcrypt cost " + cost + ": the cost must be from " + WebConfig.MIN_BCRYPT_COST
                        + " to " + WebConfig.MAX_BCRYPT_COST + (cost > WebConfig.MAX_BCRYPT_COST
                        ? " (each step doubles the time of a check; above " + WebConfig.MAX_BCRYPT_COST
                        + ", one takes half a second or more)" : "") + "; hash again with htpasswd -nBC 10");
            }
            users.put(user, hash);
        }
        return users;
    }

    private static Map<String, String> headers(YamlNode node) throws ConfigException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node == null) {
            return headers;
        }
        for (Map.Entry<String, YamlNode> e : node.entries()) {
            String name = HEADERS.keySet().stream().filter(h -> h.equalsIgnoreCase(e.getKey())).findFirst()
                    .orElseThrow(() -> e.getValue().error("is not a header exporter-toolkit allows; allowed: "
                            + String.join(", ", HEADERS.keySet().stream().sorted().toList())));
            String value = e.getValue().string();
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw e.getValue().error("must not hold control characters");
            }
            Set<String> allowed = HEADERS.get(name);
            if (!allowed.isEmpty() && !allowed.contains(value.toLowerCase(Locale.ROOT))) {
                throw e.getValue().error("must be one of " + String.join(", ", allowed.stream().sorted().toList())
                        + ", not \"" + value + "\"");
            }
            headers.put(name, value);
        }
        return headers;
    }
}
