package org.execexporter.trace;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.execexporter.base.ErrorLine;
import org.execexporter.base.ExitCodes;
import org.execexporter.base.FlagSet;
import org.execexporter.base.Shutdown;
import org.execexporter.base.UsageException;
import org.execexporter.capture.CaptureException;
import org.execexporter.capture.CaptureStats;
import org.execexporter.capture.ExecCapture;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.KernelClock;
import org.execexporter.capture.Privileges;
import org.execexporter.config.ProbeFlags;

/** {@code exec-exporter trace}: one line per exec, as the classic tool printed them. */
public final class TraceCommand {
    private static final String NAME = "exec-exporter trace";

    private final PrintStream out;
    private final PrintStream err;

    public TraceCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static TraceCommand onStandardStreams() {
        // Our own stream over fd 1: flushed per line by us, and never mixed with log output.
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        return new TraceCommand(stdout, System.err);
    }

    public int run(List<String> args) {
        FlagSet flags = new FlagSet("exec-exporter trace [flags]\n\n"
                + "Prints one line per successful exec on this host until interrupted.");
        FlagSet.Flag<Boolean> json = flags.bool("json", false,
                "One JSON object per line: time, pid, ppid, uid, comm, filename, filename_truncated");
        FlagSet.Flag<Boolean> help = flags.bool("help", false, "Show this help and exit");
        ProbeFlags probeFlags = new ProbeFlags(flags);
        ExecCapture capture;
        try {
            List<String> extra = flags.parse(args);
            if (help.value()) {
                out.print(flags.help());
                out.flush();
                return ExitCodes.OK;
            }
            if (!extra.isEmpty()) {
                throw new UsageException("unexpected argument \"" + extra.get(0) + "\"");
            }
            capture = ExecCapture.open(probeFlags.options(true).withExits(false)); // trace shows execs only
        } catch (UsageException e) {
            err.println(ErrorLine.of(NAME, e.getMessage() + " (see --help)"));
            return ExitCodes.USAGE;
        } catch (CaptureException e) {
            err.println(ErrorLine.of(NAME, e.getMessage()));
            return ExitCodes.FAILURE;
        }

        Shutdown.onExit(capture::close);
        if (Shutdown.requested()) { // SIGTERM or SIGINT during start-up
            capture.close();
            return ExitCodes.OK;
        }
        CountDownLatch done = new CountDownLatch(1);
        Shutdown.onSignal(done::countDown);
        TraceFormat format = json.value() ? new JsonFormat() : new TextFormat(ZoneId.systemDefault());
        if (format.header() != null) {
            out.println(format.header());
            out.flush();
        }
        long clockOffset = KernelClock.realtimeOffsetNanos();
        // attached and mapped: nothing from here on needs privileges, so the first line printed
        // already comes from an unprivileged process
        if (probeFlags.dropCapabilities()) {
            try {
                int holding = Privileges.dropCapabilities();
                if (holding > 0) {
                    err.println(NAME + ": warning: " + holding + " threads kept capabilities");
                }
            } catch (CaptureException e) {
                err.println(ErrorLine.of(NAME, "warning: " + e.getMessage()));
            }
        }
        capture.start(new Printer(format, clockOffset, done));
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CaptureStats stats = capture.stats();
        capture.close();
        if (stats.lost() > 0) {
            err.println("lost " + stats.lost() + " events: the perf rings were full (raise --bpf.ring-pages)");
        }
        return ExitCodes.OK;
    }

    /** Formats and writes each exec as one flushed line; stops the trace if stdout goes away. */
    private final class Printer implements org.execexporter.capture.ExecEventSink {
        private final TraceFormat format;
        private final long clockOffset;
        private final CountDownLatch done;
        private final StringBuilder line = new StringBuilder(256);

        Printer(TraceFormat format, long clockOffset, CountDownLatch done) {
            this.format = format;
            this.clockOffset = clockOffset;
            this.done = done;
        }

        @Override
        public synchronized void onExec(ExecRecord record) {
            line.setLength(0);
            format.format(record, record.ktimeNanos() + clockOffset, line);
            out.append(line).append('\n');
            out.flush();
            if (out.checkError()) { // a closed pipe: nobody reads any more
                done.countDown();
            }
        }
    }
}
