package org.execexporter.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a file named in the configuration, failing with one line that names it: a file that does
 * not exist is a usage error (the name is wrong), one that exists but cannot be read a runtime
 * failure (see {@link ConfigException}). Only regular files are read, and at most {@link #MAX_BYTES}
 * of them: a device (/dev/zero, /dev/urandom) would never end and a FIFO would block until written
 * to, and the size the file system reports is 0 for both.
 */
public final class FileText {
    /** Larger than any config, certificate or key file; a bound on what a wrong path can make us read. */
    static final int MAX_BYTES = 1 << 20;

    private FileText() {}

    /** @param what how to name the file in the message, e.g. "config file" or "/tls_server_config/cert_file" */
    public static String read(Path file, String what) throws ConfigException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw ConfigException.unreadable(what + " " + file + ": cannot read it: it is a directory");
            }
            if (!attributes.isRegularFile()) {
                throw ConfigException.unreadable(what + " " + file + ": cannot read it: not a regular file");
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                throw ConfigException.unreadable(what + " " + file + ": cannot read it: larger than 1 MiB");
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException(what + " " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new ConfigException(what + " " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw ConfigException.unreadable(what + " " + file + ": cannot read it: " + reason(e));
        }
    }

    /** The reason of an I/O error in a few words, without the path the message already names. */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
