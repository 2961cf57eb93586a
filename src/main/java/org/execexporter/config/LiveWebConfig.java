package org.execexporter.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web config file as exporter-toolkit serves it: looked at on every request and handshake and
 * read again as soon as it, or a certificate, key or CA file it names, changes, so a rotated
 * certificate is served on the next handshake and a changed basic_auth_users applies to the next
 * request, without a signal or a restart. Looking costs one stat(2) per file (identity, mtime,
 * size); the file is parsed only when one of those changed.
 *
 * <p>A file that does not parse keeps the running config: one log line per change, and the
 * listener is told (exec_exporter_config_last_reload_successful). So does a change the running
 * listener cannot make: turning TLS on or off needs a restart.
 */
public final class LiveWebConfig implements WebConfigSource {
    private static final Logger log = LoggerFactory.getLogger(LiveWebConfig.class);

    /** Told of each reload that the file's changes caused (not of {@link #reload}, whose caller knows). */
    public interface Listener {
        void reloaded(boolean successful);
    }

    /** The config in use, the file it came from (null: none) and the stamps of every file it was read from. */
    private record Snapshot(Path file, WebConfig config, List<FileStamp> stamps) {
        boolean unchanged(List<FileStamp> now) {
            return stamps.equals(now);
        }

        List<FileStamp> stampNow() {
            List<FileStamp> now = new ArrayList<>(stamps.size());
            for (FileStamp s : stamps) {
                now.add(FileStamp.of(s.path()));
            }
            return now;
        }
    }

    private final boolean tls;
    private volatile Listener listener = successful -> { };
    private volatile Snapshot snapshot;
    /** The stamps of the last file state that could not be used, so it is not parsed again on every request. */
    private volatile List<FileStamp> rejected = List.of();

    private LiveWebConfig(Snapshot first) {
        this.snapshot = first;
        this.tls = first.config().tlsEnabled();
    }

    /** Reads {@code file} (null: no file, plain HTTP) at start; a file that cannot be used fails the start. */
    public static LiveWebConfig open(Path file) throws ConfigException {
        return new LiveWebConfig(read(file, Map.of()));
    }

    /** Who to tell of reloads the file's changes cause (the reload metrics, once they exist). */
    public void onReload(Listener listener) {
        this.listener = listener;
    }

    @Override
    public WebConfig current() {
        Snapshot s = snapshot;
        if (s.file() == null) {
            return s.config();
        }
        List<FileStamp> now = s.stampNow();
        if (s.unchanged(now) || now.equals(rejected)) {
            return s.config();
        }
        return refresh(now);
    }

    private synchronized WebConfig refresh(List<FileStamp> seen) {
        Snapshot s = snapshot;
        if (s.unchanged(s.stampNow())) {
            return s.config(); // another thread has just read it
        }
        try {
            use(read(s.file(), byPath(s.stampNow())));
            log.atInfo().setMessage("Reloaded the web config file").addKeyValue("file", s.file()).log();
            listener.reloaded(true);
        } catch (ConfigException e) {
            rejected = seen;
            log.atError().setMessage("Failed to reload the web config file; serving with the running one")
                    .addKeyValue("file", s.file()).addKeyValue("err", e.getMessage()).log();
            listener.reloaded(false);
        }
        return snapshot.config();
    }

    /**
     * Reads {@code file} now (a reload: it may name another file than before, or none). Throws
     * with one line, and keeps the running config, if it cannot be used.
     */
    public synchronized void reload(Path file) throws ConfigException {
        Snapshot s = snapshot;
        use(read(file, Objects.equals(file, s.file()) ? byPath(s.stampNow()) : Map.of()));
        rejected = List.of();
    }

    /** The web config file read now, or null for none. */
    public Path file() {
        return snapshot.file();
    }

    private void use(Snapshot next) throws ConfigException {
        if (next.config().tlsEnabled() != tls) {
            throw new ConfigException((next.file() == null ? "no web config file" : "web config file " + next.file())
                    + (tls ? " turns TLS off" : " turns TLS on") + ": that needs a restart; serving with the running "
                    + "web config");
        }
        WebConfig running = snapshot.config();
        if (tls && !next.config().tls().namedGroups().equals(running.tls().namedGroups())) {
            log.atWarn().setMessage("A change needs a restart to take effect")
                    .addKeyValue("key", "/tls_server_config/curve_preferences").log();
        }
        snapshot = next;
    }

    /**
     * Reads the file; the stamps kept are those taken before reading where there are some
     * ({@code before}), so that a file written while it was being read is read again next time.
     */
    private static Snapshot read(Path file, Map<Path, FileStamp> before) throws ConfigException {
        if (file == null) {
            return new Snapshot(null, WebConfig.open(), List.of());
        }
        List<Path> files = new ArrayList<>();
        WebConfig config = WebConfigLoader.load(file, files);
        List<FileStamp> stamps = new ArrayList<>();
        for (Path p : files) {
            FileStamp earlier = before.get(p);
            stamps.add(earlier != null ? earlier : FileStamp.of(p));
        }
        return new Snapshot(file, config, stamps);
    }

    private static Map<Path, FileStamp> byPath(List<FileStamp> stamps) {
        Map<Path, FileStamp> map = new HashMap<>();
        stamps.forEach(s -> map.put(s.path(), s));
        return map;
    }
}
