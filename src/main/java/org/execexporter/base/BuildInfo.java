package org.execexporter.base;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version and git revision the build wrote into org/execexporter/build.properties. */
public record BuildInfo(String version, String revision) {
    private static final String RESOURCE = "/org/execexporter/build.properties";

    public static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown": build info must never stop the daemon
        }
        return new BuildInfo(p.getProperty("version", "unknown"), p.getProperty("revision", "unknown"));
    }
}
