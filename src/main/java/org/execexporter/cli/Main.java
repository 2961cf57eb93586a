package org.execexporter.cli;

import java.util.Arrays;
import java.util.List;
import org.execexporter.daemon.DaemonCommand;
import org.execexporter.trace.TraceCommand;

/** Entry point: {@code exec-exporter [flags]} runs the daemon, {@code exec-exporter trace} the tracer. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        if (!args.isEmpty() && args.get(0).equals("trace")) {
            // stdout carries the trace; logs (on stderr) only for warnings
            System.setProperty("execexporter.log.level", "WARN");
            return TraceCommand.onStandardStreams().run(args.subList(1, args.size()));
        }
        return new DaemonCommand(System.out, System.err).run(args);
    }
}
