package org.execexporter.capture;

/** The capture cannot start; the message is one line that says what is needed. */
public final class CaptureException extends Exception {
    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
