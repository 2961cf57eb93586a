package org.execexporter.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What tells that a file changed without reading it: its identity (device and inode, so a file
 * renamed over it or a symbolic link switched to another counts), modification time and size.
 * One stat(2), links followed. A file that cannot be stat'ed has a stamp too (missing), so that
 * its reappearance is a change.
 */
record FileStamp(Path path, Object identity, FileTime modified, long size) {
    static FileStamp of(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return new FileStamp(path, a.fileKey(), a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            return new FileStamp(path, null, null, -1);
        }
    }
}
