package org.execexporter.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Execs from the kernel: the BPF probe and one dedicated poller thread per CPU ring, each
 * waiting on its own ring and handing decoded records to the sink. Close is prompt and ordered:
 * wake every poller, join them, and only then free the perf buffer and the program.
 */
public final class ExecCapture implements ExecEventSource {
    private static final Logger log = LoggerFactory.getLogger(ExecCapture.class);
    private static final long JOIN_MILLIS = 1500;

    private final ExecProbe probe;
    private final ProbeOptions options;
    private final List<RingPoller> pollers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closing;
    private boolean started;
    private boolean closed;

    private ExecCapture(ExecProbe probe, ProbeOptions options) {
        this.probe = probe;
        this.options = options;
    }

    /** Loads and attaches the probe; the one-line message of a failure says what is needed. */
    public static ExecCapture open(ProbeOptions options) throws CaptureException {
        Privileges.check();
        try {
            return new ExecCapture(ExecProbe.open(options), options);
        } catch (BpfException e) {
            if (e.isPermissionDenied()) {
                throw new CaptureException(e.getMessage() + ": " + Privileges.NEEDED, e);
            }
            throw new CaptureException(e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw new CaptureException(e.getMessage(), e);
        }
    }

    public int ringCount() {
        return probe.ringCount();
    }

    public AttachMode attachMode() {
        return probe.attachMode();
    }

    /** Whether the exit program runs: asked for, and the exec program attached by tp_btf. */
    public boolean exitsAttached() {
        return probe.exits();
    }

    /** How failed execs are seen: TRACEPOINT or SYS_EXIT, or OFF when not asked for or when nothing attached. */
    public FailureCapture failuresAttached() {
        return probe.failures();
    }

    /**
     * Why failed execs are not seen although they were asked for: the last attach's error, as one
     * phrase ("Permission denied"), or null when they are seen or were not asked for.
     */
    public String failuresNotAttachedReason() {
        if (options.failures() == FailureCapture.OFF || probe.failures() != FailureCapture.OFF) {
            return null;
        }
        if (probe.attachMode() != AttachMode.TP_BTF && options.failures() == FailureCapture.SYS_EXIT) {
            return "tp_btf/sys_exit needs tp_btf, and sched_process_exec was attached as a classic tracepoint";
        }
        return ExecProbe.strerror(probe.failuresError());
    }

    /** The kernel's id of the attached program (`bpftool prog show id N`), or -1 once closed or unknown. */
    public synchronized long programId() {
        long[] prog = closed ? null : probe.progStats();
        return prog == null ? -1 : prog[2];
    }

    @Override
    public synchronized void start(ExecEventSink sink) {
        if (started || closed) {
            throw new IllegalStateException(closed ? "capture is closed" : "capture already started");
        }
        started = true;
        int timeoutMillis = (int) options.pollTimeout().toMillis();
        for (int ring = 0; ring < probe.ringCount(); ring++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(probe.ringBytes()).order(ByteOrder.LITTLE_ENDIAN);
            try {
                probe.setBuffer(ring, buffer);
            } catch (BpfException e) {
                throw new IllegalStateException(e.getMessage(), e); // sizes come from the probe itself
            }
            RingPoller poller = new RingPoller(ring, buffer, sink, timeoutMillis);
            Thread thread = new Thread(poller, "exec-ring-" + ring);
            thread.setDaemon(true); // never holds the JVM up; close() joins it
            pollers.add(poller);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    @Override
    public CaptureStats stats() {
        synchronized (this) {
            if (closed) {
                return CaptureStats.EMPTY;
            }
        }
        long delivered = 0;
        long malformed = 0;
        long overflow = 0;
        long lost = 0;
        for (int ring = 0; ring < probe.ringCount(); ring++) {
            lost += probe.lost(ring);
            overflow += probe.overflow(ring);
        }
        for (RingPoller poller : pollers) {
            delivered += poller.delivered.get();
            malformed += poller.malformed.get();
        }
        long[] prog = probe.progStats();
        return new CaptureStats(delivered, lost, overflow, malformed,
                probe.stat(ExecProbeNative.STAT_SEEN), probe.stat(ExecProbeNative.STAT_OUTPUT_ERRORS),
                prog == null ? -1 : prog[0], prog == null ? -1 : prog[1], probe.stat(ExecProbeNative.STAT_EXITS_SEEN),
                probe.stat(ExecProbeNative.STAT_FAILS_SEEN));
    }

    /**
     * Samples the kernel could not write to each ring, by ring index (not CPU id): where an overrun
     * happened. Kept out of {@link #stats()}, which runs on every scrape and allocates nothing.
     */
    public long[] lostPerRing() {
        synchronized (this) {
            if (closed) {
                return new long[0];
            }
        }
        long[] lost = new long[probe.ringCount()];
        for (int ring = 0; ring < lost.length; ring++) {
            lost[ring] = probe.lost(ring);
        }
        return lost;
    }

    /** Wakes and joins every poller, then detaches. Idempotent; returns within about 1.5 s. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closing = true;
        probe.wake();
        boolean allJoined = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            allJoined &= !thread.isAlive();
        }
        if (allJoined) {
            probe.close();
        } else {
            // Freeing under a poller would be a use-after-free; the kernel cleans up at exit.
            log.atWarn().setMessage("A ring poller did not stop in time; leaving the BPF probe to process exit")
                    .addKeyValue("waited_ms", JOIN_MILLIS).log();
        }
        closed = true;
    }

    /** The loop of one ring's thread: wait, consume a batch, decode, deliver. */
    private final class RingPoller implements Runnable {
        private final int ring;
        private final ByteBuffer buffer;
        private final ExecEventSink sink;
        private final int timeoutMillis;
        private final ExecRecord record = new ExecRecord();
        private final ExitRecord exit = new ExitRecord();
        private final FailRecord failure = new FailRecord();
        private final CgroupRecord cgroup = new CgroupRecord();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong malformed = new AtomicLong();

        RingPoller(int ring, ByteBuffer buffer, ExecEventSink sink, int timeoutMillis) {
            this.ring = ring;
            this.buffer = buffer;
            this.sink = sink;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public void run() {
            boolean sinkFailed = false;
            while (!closing) {
                long bytes = probe.poll(ring, timeoutMillis);
                if (bytes < 0) {
                    log.atError().setMessage("Failed to poll a ring").addKeyValue("ring", ring)
                            .addKeyValue("err", ExecProbe.strerror(bytes)).log();
                    pause();
                    continue;
                }
                try {
                    RecordBatch.dispatch(buffer, (int) bytes, record, exit, failure, cgroup, sink, delivered,
                            malformed);
                } catch (RuntimeException e) {
                    if (!sinkFailed) { // once: a failing sink must not flood the log
                        log.atError().setMessage("The exec sink failed").addKeyValue("ring", ring).setCause(e).log();
                        sinkFailed = true;
                    }
                }
            }
        }

        private void pause() {
            try {
                Thread.sleep(timeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
