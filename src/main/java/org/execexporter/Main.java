package org.execexporter;

import java.util.Arrays;
import java.util.List;
import org.execexporter.base.Shutdown;
import org.execexporter.daemon.DaemonCommand;
import org.execexporter.trace.TraceCommand;

/** Entry point: {@code exec-exporter [flags]} runs the daemon, {@code exec-exporter trace} the tracer. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        boolean trace = !args.isEmpty() && args.get(0).equals("trace");
        if (trace) {
            // stdout carries the trace; logs (on stderr) only for warnings
            System.setProperty("execexporter.log.level", "WARN");
        }
        Shutdown.install(); // before anything is read or loaded: a SIGTERM from here on exits 0
        if (trace) {
            return TraceCommand.onStandardStreams().run(args.subList(1, args.size()));
        }
        return new DaemonCommand(System.out, System.err).run(args);
    }
}
