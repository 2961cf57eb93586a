package org.execexporter.config;

/** The config file cannot be used: one line naming the file and the YAML path. Exit 2. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
