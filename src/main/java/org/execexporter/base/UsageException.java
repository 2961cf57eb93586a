package org.execexporter.base;

/** Bad command-line input: the message is one line naming the flag and what is wrong. Exit 2. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
