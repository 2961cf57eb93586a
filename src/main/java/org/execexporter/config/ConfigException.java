package org.execexporter.config;

import org.execexporter.base.ExitCodes;

/**
 * A config file cannot be used: one line naming the file and the YAML path. A file that is wrong
 * (bad YAML, an unknown key, a bad value, a named file that does not exist) is a usage error, exit
 * 2; a file that exists but cannot be read (permissions, I/O) is a runtime failure, exit 1.
 */
public final class ConfigException extends Exception {
    private final int exitCode;

    public ConfigException(String message) {
        this(message, ExitCodes.USAGE);
    }

    private ConfigException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** The file is there but cannot be read: a runtime failure. */
    public static ConfigException unreadable(String message) {
        return new ConfigException(message, ExitCodes.FAILURE);
    }

    /** {@code message} with {@code prefix} before it, keeping the exit code. */
    public ConfigException within(String prefix) {
        return new ConfigException(prefix + getMessage(), exitCode);
    }

    public int exitCode() {
        return exitCode;
    }
}
