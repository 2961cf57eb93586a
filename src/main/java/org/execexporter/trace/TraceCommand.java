package org.execexporter.trace;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.execexporter.attribution.Cgroup;
import org.execexporter.attribution.CgroupResolver;
import org.execexporter.base.ErrorLine;
import org.execexporter.base.ExitCodes;
import org.execexporter.base.FlagSet;
import org.execexporter.base.Shutdown;
import org.execexporter.base.UsageException;
import org.execexporter.capture.CaptureException;
import org.execexporter.capture.CaptureStats;
import org.execexporter.capture.ExecCapture;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.ExitRecord;
import org.execexporter.capture.FailRecord;
import org.execexporter.capture.FailureCapture;
import org.execexporter.capture.KernelClock;
import org.execexporter.capture.Privileges;
import org.execexporter.config.ProbeFlags;

/**
 * {@code exec-exporter trace}: one line per exec, as the classic tool printed them; with
 * {@code --events}, per exit and per failed exec too.
 */
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
                "One JSON object per line: event, time, pid, uid, comm, cgroup, unit, container, and ppid, filename, "
                        + "filename_truncated (exec), status, lifetime_seconds (exit), ppid, errno, execveat (fail)");
        FlagSet.Flag<EnumSet<Event>> events = flags.custom("events", EnumSet.of(Event.EXEC), "exec",
                "Events to show, comma-separated: exec, exit (a process that exec'd ended), fail (a failed "
                        + "execve/execveat; the whole host pays a little for it, see README)", Event::parseList);
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
            capture = ExecCapture.open(probeFlags.options(true).withExits(events.value().contains(Event.EXIT))
                    .withFailures(events.value().contains(Event.FAIL) ? FailureCapture.AUTO : FailureCapture.OFF));
        } catch (UsageException e) {
            err.println(ErrorLine.of(NAME, e.getMessage() + " (see --help)"));
            return ExitCodes.USAGE;
        } catch (CaptureException e) {
            err.println(ErrorLine.of(NAME, e.getMessage()));
            return ExitCodes.FAILURE;
        }

        if (events.value().contains(Event.EXIT) && !capture.exitsAttached()) {
            err.println(NAME + ": warning: exits are not shown: the exit program needs tp_btf, and sched_process_exec "
                    + "was attached as a classic tracepoint");
        }
        if (events.value().contains(Event.FAIL) && capture.failuresAttached() == FailureCapture.OFF) {
            err.println(ErrorLine.of(NAME, "warning: failed execs are not shown: no failure program attached: "
                    + capture.failuresNotAttachedReason()));
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
        capture.start(new Printer(format, clockOffset, format.showsCgroups() ? cgroups() : null, done));
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

    /** What trace can show. */
    enum Event {
        EXEC, EXIT, FAIL;

        /** A comma-separated list such as {@code exec,exit}: at least one event, each once. */
        static EnumSet<Event> parseList(String list) {
            EnumSet<Event> events = EnumSet.noneOf(Event.class);
            for (String entry : list.split(",", -1)) {
                Event event = null;
                for (Event e : values()) {
                    if (e.name().toLowerCase(java.util.Locale.ROOT).equals(entry.strip())) {
                        event = e;
                    }
                }
                if (event == null) {
                    throw new IllegalArgumentException("must list exec, exit or fail, separated by commas, not \""
                            + ErrorLine.render(entry) + "\"");
                }
                if (!events.add(event)) {
                    throw new IllegalArgumentException("must list each event once: \"" + entry.strip() + "\" twice");
                }
            }
            return events;
        }
    }

    /**
     * The cgroups the JSON lines name (one walk of the hierarchy now, more as new cgroups come), or
     * null on a host without cgroup v2 (the lines say "").
     */
    private CgroupResolver cgroups() {
        try {
            return CgroupResolver.open(CgroupResolver.Settings.DEFAULTS);
        } catch (IOException e) {
            return null;
        }
    }

    /** Formats and writes each event as one flushed line; stops the trace if stdout goes away. */
    private final class Printer implements org.execexporter.capture.ExecEventSink {
        private final TraceFormat format;
        private final long clockOffset;
        private final CgroupResolver cgroups;
        private final CountDownLatch done;
        private final StringBuilder line = new StringBuilder(256);

        Printer(TraceFormat format, long clockOffset, CgroupResolver cgroups, CountDownLatch done) {
            this.format = format;
            this.clockOffset = clockOffset;
            this.cgroups = cgroups;
            this.done = done;
        }

        /** Null {@code cgroups}: the format shows none, or the host has no cgroup v2. */
        private Cgroup cgroup(long id) {
            return cgroups == null ? Cgroup.UNKNOWN : cgroups.resolve(id);
        }

        @Override
        public synchronized void onExec(ExecRecord record) {
            line.setLength(0);
            format.format(record, record.ktimeNanos() + clockOffset, cgroup(record.cgroupId()), line);
            print();
        }

        @Override
        public synchronized void onExit(ExitRecord record) {
            line.setLength(0);
            format.formatExit(record, System.currentTimeMillis() * 1_000_000L, cgroup(record.cgroupId()), line);
            print();
        }

        @Override
        public synchronized void onFailure(FailRecord record) {
            line.setLength(0);
            format.formatFailure(record, System.currentTimeMillis() * 1_000_000L, cgroup(record.cgroupId()), line);
            print();
        }

        private void print() {
            out.append(line).append('\n');
            out.flush();
            if (out.checkError()) { // a closed pipe: nobody reads any more
                done.countDown();
            }
        }
    }
}
