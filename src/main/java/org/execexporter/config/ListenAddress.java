package org.execexporter.config;

/**
 * Where the HTTP server listens, written as exporters write it: {@code host:port}, {@code :port}
 * (every interface) or {@code [v6addr]:port}. Port 0 takes any free port (tests use it).
 */
public record ListenAddress(String host, int port) {

    /** Parses {@code text}; throws IllegalArgumentException saying what is wrong. */
    public static ListenAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("must be host:port or :port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("an IPv6 address must be in brackets, like [::1]:10135");
        }
        if (host.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("the host must hold no spaces or control characters");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number from 0 to 65535");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be a number from 0 to 65535");
        }
        return new ListenAddress(host, port);
    }

    /** True when the server binds every interface. */
    public boolean anyHost() {
        return host.isEmpty();
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
