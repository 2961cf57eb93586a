package org.execexporter.capture;

/**
 * Names a wait status the way exec_exits_total's status label shows it: the exit code in decimal
 * ("0" to "255") for a normal exit, else the name of the signal that ended the process (the
 * core-dump bit ignored: a SIGSEGV is "SIGSEGV" with or without a core).
 */
public final class ExitStatus {
    /** Signals 1-31 (x86-64 and arm64 share these numbers). */
    private static final String[] SIGNALS = {
            "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
            "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
            "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
            "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
    private static final int SIGRTMIN = 32;
    private static final int SIGRTMAX = 64;
    private static final String[] CODES = new String[256];

    static {
        for (int i = 0; i < CODES.length; i++) {
            CODES[i] = Integer.toString(i); // made once: labels are looked up per exit
        }
    }

    private ExitStatus() {}

    /** The signal that ended the process, or 0 if it exited. */
    public static int signal(int status) {
        return status & 0x7f;
    }

    /** The exit code (0-255); meaningful when {@link #signal} is 0. */
    public static int code(int status) {
        return (status >> 8) & 0xff;
    }

    public static boolean coreDumped(int status) {
        return signal(status) != 0 && (status & 0x80) != 0;
    }

    /** "3", "SIGKILL", "SIGRT_2" (strace's form: glibc's SIGRTMIN is 34), or "SIG<n>" otherwise. */
    public static String label(int status) {
        int signal = signal(status);
        if (signal == 0) {
            return CODES[code(status)];
        }
        return signalName(signal);
    }

    public static String signalName(int signal) {
        if (signal > 0 && signal < SIGNALS.length) {
            return SIGNALS[signal];
        }
        if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
            return "SIGRT_" + (signal - SIGRTMIN);
        }
        return "SIG" + signal;
    }
}
