package org.execexporter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** What /proc says of a process: its threads' capability sets, its resident memory. */
public final class ProcStatus {
    public static final String NO_CAPABILITIES = "0000000000000000";

    private ProcStatus() {}

    /** Each thread's capability sets, e.g. {"CapEff": "0000000000000000", ...}, by thread id. */
    public static Map<String, Map<String, String>> capabilities(long pid) throws IOException {
        Map<String, Map<String, String>> threads = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                Map<String, String> sets = new TreeMap<>();
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("Cap")) {
                            String[] kv = line.split(":\\s+");
                            sets.put(kv[0], kv[1]);
                        }
                    }
                } catch (IOException exited) {
                    continue;
                }
                threads.put(task.getFileName().toString(), sets);
            }
        }
        return threads;
    }

    /** Resident set size in KiB (VmRSS). */
    public static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    /** A line of /proc/PID/status, e.g. "Uid:\t65534\t65534\t65534\t65534". */
    public static String line(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(key + ":")) {
                return line;
            }
        }
        return "";
    }
}
