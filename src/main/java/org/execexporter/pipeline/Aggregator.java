package org.execexporter.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that turns queued execs into numbers: it drains the queue, counts each exec in
 * its series (its label combination's) and in the open rate window, closes windows as they fall due
 * (observing every series' count and the host's, zeros included) and removes idle series. Nothing
 * else writes the series table or the windows, so counting needs no locks or atomics.
 *
 * <p>It sleeps until there is work: an exec in the queue (the producer wakes it), or the close of
 * an open window that holds execs. Windows without any exec need no timely close: they are closed
 * when the next exec comes, or when a scrape asks ({@link #catchUp}), with the same result as on
 * time (zeros for the host, nothing for the comms). A host without execs wakes it for scrapes only.
 */
public final class Aggregator implements ExecQueue.EntryHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Aggregator.class);
    private static final int BATCH = 4096;
    /** The longest a scrape waits for the thread to close the windows due. */
    private static final long CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ExecQueue queue;
    private final SeriesTable table;
    private final ExecMeters meters;
    private final RateWindows windows;
    private long idleTimeoutNanos;
    /** A policy handed over by {@link #reconfigure}, not yet applied. */
    private final AtomicReference<SeriesPolicy> pending = new AtomicReference<>();
    private final LongSupplier clock;
    private final long[] hostCounts = new long[2];
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean failed;
    private final Object caughtUp = new Object();
    private volatile long catchUpsAsked;
    private long catchUpsDone; // guarded by caughtUp

    /**
     * @param clock CLOCK_MONOTONIC nanoseconds, the clock of the execs' ktime
     *              ({@code System::nanoTime} on Linux; a fake in tests)
     */
    public Aggregator(ExecQueue queue, SeriesTable table, ExecMeters meters, Duration windowGrace,
                      Duration idleTimeout, LongSupplier clock) {
        this.queue = queue;
        this.table = table;
        this.meters = meters;
        this.clock = clock;
        this.windows = new RateWindows(clock.getAsLong(), windowGrace);
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.thread = new Thread(this::run, "exec-aggregator");
        thread.setDaemon(true);
    }

    /** The grace after a window's end before it closes, for a given ring poll timeout. */
    public static Duration windowGraceFor(Duration pollTimeout) {
        return RateWindows.graceFor(pollTimeout);
    }

    public void start() {
        thread.start();
    }

    /** True while the thread runs and has not failed: the daemon's health. */
    public boolean isHealthy() {
        return thread.isAlive() && !failed;
    }

    private void run() {
        try {
            while (!stopping) {
                long asked = catchUpsAsked;
                int drained = step();
                if (asked != 0) {
                    synchronized (caughtUp) {
                        catchUpsDone = Math.max(catchUpsDone, asked);
                        caughtUp.notifyAll();
                    }
                }
                if (drained < BATCH && asked == catchUpsAsked && !stopping) {
                    // only windows that hold execs need a timely close; empty ones wait for an exec or a scrape
                    boolean untimed = hostCounts[0] == 0 && hostCounts[1] == 0;
                    do {
                        queue.await(untimed ? -1 : Math.max(1, windows.nanosUntilDue(clock.getAsLong())));
                    } while (untimed && nothingToDo(asked)); // a stale unpark (a catch-up's, done) is no work
                }
            }
            step();
        } catch (RuntimeException | Error e) {
            failed = true;
            log.error("The aggregator failed; execs are no longer counted", e);
        }
    }

    private boolean nothingToDo(long asked) {
        return !stopping && asked == catchUpsAsked && pending.get() == null && queue.depth() == 0;
    }

    /**
     * Has the thread close the windows due now (the empty ones it let wait), so that a scrape
     * sees every second up to now. Waits at most 200 ms; does nothing if the thread is not running.
     */
    public void catchUp() {
        if (!thread.isAlive() || Thread.currentThread() == thread) {
            return;
        }
        long ticket;
        synchronized (caughtUp) {
            ticket = ++catchUpsAsked;
        }
        LockSupport.unpark(thread);
        long deadline = System.nanoTime() + CATCH_UP_NANOS;
        synchronized (caughtUp) {
            long left;
            while (catchUpsDone < ticket && thread.isAlive() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(caughtUp, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * One round: drain what is queued (up to a batch), then close due windows and expire idle
     * series. Returns the number of execs drained. The thread calls it in a loop; tests call it
     * directly, without starting the thread, to step a fake clock.
     */
    public int step() {
        if (pending.get() != null) {
            apply(pending.getAndSet(null));
        }
        int drained = queue.drain(this, BATCH);
        long now = clock.getAsLong();
        boolean closed = false;
        while (windows.oldestDue(now)) {
            closeOldestWindow();
            closed = true;
        }
        if (closed) {
            expireIdle(now);
        }
        return drained;
    }

    @Override
    public void onEntry(long commWord0, long commWord1, long ktimeNanos, long cgroupId, int uid) {
        int slot = windows.slotOf(ktimeNanos);
        if (slot < 0) { // an exec of a later window: time has moved past the oldest's grace
            do {
                closeOldestWindow();
                slot = windows.slotOf(ktimeNanos);
            } while (slot < 0);
            expireIdle(ktimeNanos);
        }
        hostCounts[slot]++;
        Series series = table.lookup(commWord0, commWord1, cgroupId, uid, ktimeNanos);
        if (series != null) {
            series.count(slot, ktimeNanos);
        }
    }

    /** An exit: counted in its series (same admission and overflow); exits have no rate windows. */
    @Override
    public void onExit(long commWord0, long commWord1, long cgroupId, int uid, int status, long lifetimeNanos) {
        long now = clock.getAsLong();
        Series series = table.lookupForExitOrFailure(commWord0, commWord1, cgroupId, uid, now);
        if (series != null) {
            series.countExit(status, lifetimeNanos, now);
        }
    }

    /** A failed exec: counted in its caller's series (same admission, no overflow count); no rate windows. */
    @Override
    public void onFailure(long commWord0, long commWord1, long cgroupId, int uid, int errno) {
        long now = clock.getAsLong();
        Series series = table.lookupForExitOrFailure(commWord0, commWord1, cgroupId, uid, now);
        if (series != null) {
            series.countFailure(errno, now);
        }
    }

    private void closeOldestWindow() {
        if (hostCounts[0] != 0 || hostCounts[1] != 0) { // else no comm has a count to observe or shift
            table.forEach(Series::closeWindow);
        }
        meters.observeHostWindow(hostCounts[0]);
        hostCounts[0] = hostCounts[1];
        hostCounts[1] = 0;
        windows.advance();
    }

    private void expireIdle(long nowNanos) {
        List<String> removed = table.expireIdle(nowNanos - idleTimeoutNanos);
        if (!removed.isEmpty()) {
            log.atDebug().setMessage("Removed idle series").addKeyValue("series", removed.size()).log();
        }
    }

    /**
     * Hands over a new policy (series budget, allow/deny, pinned comms, idle timeout); the thread
     * applies it before its next batch. Counts are kept; see {@link SeriesTable#apply}.
     */
    public void reconfigure(SeriesPolicy policy) {
        pending.set(policy);
        LockSupport.unpark(thread);
    }

    private void apply(SeriesPolicy policy) {
        idleTimeoutNanos = policy.idleTimeout().toNanos();
        SeriesTable.Applied applied = table.apply(policy, clock.getAsLong());
        if (applied.excluded() > 0 || applied.overBudget() > 0) {
            log.atInfo().setMessage("Removed series to fit the new series settings")
                    .addKeyValue("excluded_by_allow_deny", applied.excluded())
                    .addKeyValue("over_max_series", applied.overBudget())
                    .addKeyValue("max_series", policy.maxSeries()).log();
        }
    }

    /** Stops the thread after a last drain; returns once it has ended (or after 1 s). */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
