package org.execexporter.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.execexporter.base.NameEscaper;

/**
 * The comm series the aggregator counts into, bounded: at most {@code maxSeries} comms have a
 * series of their own; execs of any further comm go to the overflow series, whose label
 * {@value #OVERFLOW_LABEL} no real comm can have (a comm is at most 15 bytes, and NameEscaper
 * renders one longer than 15 characters only when it holds a backslash escape, which this
 * label does not). A series idle longer than the idle timeout is removed, freeing its slot.
 * Pinned comms have a series from the start, at 0, that never expires and never overflows; they
 * take slots of the budget and pass the allow/deny lists. {@link #apply} changes all of this while
 * counting goes on, keeping every count that stays.
 *
 * <p>State is kept only for admitted comms, plus a small bounded cache of the filter's answers
 * for comms that were not admitted, so a flood of distinct names costs no memory beyond the cap.
 * Aggregator thread only, except {@link #size()} and the other counts read by scrapes.
 */
public final class SeriesTable {
    public static final String OVERFLOW_LABEL = "__overflow_comms__";
    /** Filter answers remembered for comms without a series; cleared when it fills. */
    static final int DECISION_CACHE = 4096;

    private volatile int maxSeries;
    private SeriesFilter filter;
    private final ExecMeters meters;
    private final Map<SeriesKey, Series> series = new HashMap<>();
    private final Map<SeriesKey, Boolean> admittedByFilter = new HashMap<>();
    private final SeriesKey probe = new SeriesKey(0, 0);
    private final Series overflow;
    private volatile int size;
    private long overflowed;
    private long filtered;
    private volatile long overflowedShared;
    private volatile long filteredShared;

    public SeriesTable(int maxSeries, SeriesFilter filter, ExecMeters meters, long nowNanos) {
        this(SeriesPolicy.of(maxSeries, java.time.Duration.ZERO, filter), meters, nowNanos);
    }

    /** The table with the pinned comms' series already made; the policy's idle timeout is the aggregator's. */
    public SeriesTable(SeriesPolicy policy, ExecMeters meters, long nowNanos) {
        this.maxSeries = policy.maxSeries();
        this.filter = policy.filter();
        this.meters = meters;
        this.overflow = new Series(OVERFLOW_LABEL, nowNanos);
        overflow.meters = meters.register(overflow);
        pin(policy.pinned(), nowNanos);
    }

    /** What {@link #apply} removed: series the new lists exclude, series beyond a lowered budget. */
    public record Applied(int excluded, int overBudget) {}

    /**
     * Switches to {@code policy}: unpins what it no longer pins and pins what it adds (a comm that
     * already has a series keeps its count), removes the series its allow/deny lists exclude, and
     * if the budget is lower than the series there are, removes the unpinned ones that executed
     * least recently until they fit. Every other series and count stays as it is.
     */
    Applied apply(SeriesPolicy policy, long nowNanos) {
        filter = policy.filter();
        admittedByFilter.clear();
        int excluded = 0;
        if (!filter.admitsAll()) {
            for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
                Series s = it.next();
                if (!s.pinned && !filter.admits(s.label())) {
                    it.remove();
                    s.meters.remove();
                    excluded++;
                }
            }
        }
        series.values().forEach(s -> s.pinned = false);
        pin(policy.pinned(), nowNanos);
        maxSeries = policy.maxSeries();
        int overBudget = series.size() - maxSeries;
        if (overBudget > 0) {
            List<Map.Entry<SeriesKey, Series>> unpinned = new ArrayList<>();
            for (Map.Entry<SeriesKey, Series> e : series.entrySet()) {
                if (!e.getValue().pinned) {
                    unpinned.add(e);
                }
            }
            unpinned.sort(Comparator.comparingLong(e -> e.getValue().lastExecNanos()));
            for (Map.Entry<SeriesKey, Series> e : unpinned.subList(0, overBudget)) {
                series.remove(e.getKey());
                e.getValue().meters.remove();
            }
        }
        size = series.size();
        return new Applied(excluded, Math.max(0, overBudget));
    }

    /** Marks the series of {@code labels} pinned, making those that do not exist yet. */
    private void pin(List<String> labels, long nowNanos) {
        for (String label : labels) {
            SeriesKey key = SeriesKey.of(NameEscaper.unescape(label));
            Series s = series.get(key);
            if (s == null) {
                s = new Series(label, nowNanos);
                s.meters = meters.register(s);
                series.put(key, s);
            }
            s.pinned = true;
        }
        size = series.size();
    }

    /**
     * The series to count an exec of this comm in: its own, the overflow series, or null when
     * the allow/deny lists exclude the comm. Allocates only when a comm gets a new series.
     */
    Series lookup(long word0, long word1, long nowNanos) {
        return lookup(word0, word1, nowNanos, true);
    }

    /**
     * The series an exit of this comm is counted in: the same admission as execs (a new series,
     * the overflow series, or null when excluded: then counted as filtered, so that every record the
     * kernel saw is accounted for). The overflow counter counts execs only: it stays equal to the
     * overflow series' exec counter, and the overflow series counts its exits itself.
     */
    Series lookupForExit(long word0, long word1, long nowNanos) {
        return lookup(word0, word1, nowNanos, false);
    }

    private Series lookup(long word0, long word1, long nowNanos, boolean exec) {
        Series known = series.get(probe.set(word0, word1));
        if (known != null) {
            return known;
        }
        if (!filter.admitsAll()) {
            Boolean admitted = admittedByFilter.get(probe);
            if (admitted == null) {
                admitted = filter.admits(NameEscaper.escape(probe.bytes()));
                if (admittedByFilter.size() >= DECISION_CACHE) {
                    admittedByFilter.clear();
                }
                admittedByFilter.put(probe.copy(), admitted);
            }
            if (!admitted) {
                filteredShared = ++filtered;
                return null;
            }
        }
        if (series.size() >= maxSeries) {
            if (exec) {
                overflowedShared = ++overflowed;
            }
            return overflow;
        }
        SeriesKey key = probe.copy();
        admittedByFilter.remove(key);
        Series added = new Series(NameEscaper.escape(key.bytes()), nowNanos);
        added.meters = meters.register(added);
        series.put(key, added);
        size = series.size();
        return added;
    }

    /** Every series, the overflow series last. */
    void forEach(Consumer<Series> action) {
        series.values().forEach(action);
        action.accept(overflow);
    }

    /** Removes the series that had no exec since {@code cutoffNanos}; returns their labels. */
    List<String> expireIdle(long cutoffNanos) {
        List<String> removed = new ArrayList<>();
        for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
            Series s = it.next();
            if (s.idleSince(cutoffNanos)) {
                it.remove();
                s.meters.remove();
                removed.add(s.label());
            }
        }
        size = series.size();
        return removed;
    }

    /** Comm series now, not counting the overflow series; any thread. */
    public int size() {
        return size;
    }

    public int maxSeries() {
        return maxSeries;
    }

    /** Execs counted in the overflow series; any thread. */
    public long overflowed() {
        return overflowedShared;
    }

    /** Execs and exits of comms the allow/deny lists exclude; any thread. */
    public long filtered() {
        return filteredShared;
    }

    /** Entries held for comms without a series (bounded by {@link #DECISION_CACHE}); for tests. */
    int cachedDecisions() {
        return admittedByFilter.size();
    }
}
