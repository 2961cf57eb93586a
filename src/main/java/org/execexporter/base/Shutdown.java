package org.execexporter.base;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * What each signal does, from the first thing {@code main} does (before any file is read or the
 * probe loaded) to exit. Java-level handlers only: the native library installs none.
 * <ul>
 * <li>SIGTERM, SIGINT: an ordinary, prompt stop, exit status 0 (the JVM's default would exit
 *     143/130 from inside a shutdown hook). During start-up, start-up stops at its next step.</li>
 * <li>SIGUSR1, SIGUSR2, SIGALRM: ignored, with a log line (at most one a minute per signal). Their
 *     default ends the JVM without a word; and SIGUSR2 is HotSpot's thread suspend signal, which
 *     crashes the JVM (hs_err file) when it reaches the launcher's thread, which HotSpot does not
 *     know. The package's launcher moves that use to another signal (_JAVA_SR_SIGNUM); without it,
 *     this handler takes SIGUSR2 over, and JFR's execution sampler cannot suspend threads.</li>
 * <li>SIGQUIT: the JVM's own thread dump, on its output; Java cannot handle it.</li>
 * <li>SIGHUP: not handled here (the JVM's default: the shutdown hooks run, exit 129).</li>
 * </ul>
 */
public final class Shutdown {
    private static final List<String> STOP = List.of("TERM", "INT");
    private static final List<String> IGNORED = List.of("USR1", "USR2", "ALRM");
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final List<Runnable> actions = new ArrayList<>();
    private static boolean requested;
    private static final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    private Shutdown() {}

    /** Installs the handlers; call first in main, after nothing but the logging properties. */
    public static void install() {
        for (String name : STOP) {
            Signal.handle(new Signal(name), s -> request());
        }
        for (String name : IGNORED) {
            Signal.handle(new Signal(name), Shutdown::ignore);
        }
    }

    /** Whether SIGTERM or SIGINT has come: start-up checks between its steps. */
    public static synchronized boolean requested() {
        return requested;
    }

    /** Runs {@code action} on the first SIGTERM or SIGINT; at once if one has already come. */
    public static void onSignal(Runnable action) {
        synchronized (Shutdown.class) {
            if (!requested) {
                actions.add(action);
                return;
            }
        }
        action.run();
    }

    private static void request() {
        List<Runnable> run;
        synchronized (Shutdown.class) {
            if (requested) {
                return;
            }
            requested = true;
            run = List.copyOf(actions);
        }
        run.forEach(Runnable::run);
    }

    private static void ignore(Signal signal) {
        long now = System.nanoTime();
        Long last = lastLogged.get(signal.getName());
        if (last == null || now - last >= LOG_INTERVAL_NANOS) {
            lastLogged.put(signal.getName(), now);
            // the logger is looked up here, not when the class loads: main sets where logs go first
            LoggerFactory.getLogger(Shutdown.class).warn(
                    "ignoring SIG{}: only SIGTERM and SIGINT stop exec-exporter", signal.getName());
        }
    }

    /** Runs {@code action} however the JVM exits (other signals, System.exit): a safety net. */
    public static void onExit(Runnable action) {
        Runtime.getRuntime().addShutdownHook(new Thread(action, "shutdown"));
    }
}
