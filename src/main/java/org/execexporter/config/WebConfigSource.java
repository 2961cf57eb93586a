package org.execexporter.config;

/**
 * Where the HTTP server takes its web config from, on every request and every TLS handshake, so
 * that a changed file takes effect on the next one, as in exporter-toolkit.
 */
public interface WebConfigSource {
    /** The web config to serve this request or handshake with. Cheap: called on each. */
    WebConfig current();

    /** A web config that never changes (no file, or tests). */
    static WebConfigSource fixed(WebConfig config) {
        return () -> config;
    }
}
