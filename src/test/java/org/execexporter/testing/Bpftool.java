package org.execexporter.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What `bpftool prog show` says of the programs loaded in the kernel. */
public final class Bpftool {
    private Bpftool() {}

    /**
     * Ids of the loaded programs named {@code name} that process {@code pid} holds an fd of (read from
     * /proc/PID/fdinfo: Debian's bpftool is built without its pid iterator).
     */
    public static List<Long> programsOf(long pid, String name) throws IOException, InterruptedException {
        java.util.Set<Long> held = new java.util.HashSet<>();
        try (var infos = java.nio.file.Files.list(java.nio.file.Path.of("/proc", String.valueOf(pid), "fdinfo"))) {
            for (java.nio.file.Path info : (Iterable<java.nio.file.Path>) infos::iterator) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(info)) {
                        if (line.startsWith("prog_id:")) {
                            held.add(Long.parseLong(line.substring("prog_id:".length()).trim()));
                        }
                    }
                } catch (IOException closedMeanwhile) {
                    // an fd closed while we read
                }
            }
        }
        List<Long> ids = new ArrayList<>();
        for (JsonNode prog : show()) {
            if (name.equals(prog.path("name").asText()) && held.contains(prog.path("id").asLong())) {
                ids.add(prog.path("id").asLong());
            }
        }
        return ids;
    }

    public static boolean programExists(long id) throws IOException, InterruptedException {
        for (JsonNode prog : show()) {
            if (prog.path("id").asLong() == id) {
                return true;
            }
        }
        return false;
    }

    /** Waits up to {@code millis} for program {@code id} to be gone; true if it went. */
    public static boolean awaitGone(long id, long millis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (programExists(id)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static JsonNode show() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "-j", "prog", "show").redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("bpftool prog show failed");
        }
        return new ObjectMapper().readTree(out);
    }
}
