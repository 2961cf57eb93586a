package org.execexporter.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.execexporter.attribution.Attribution;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.base.NameEscaper;

/**
 * The series the aggregator counts into, one per label combination (comm, and the attribution
 * labels chosen: unit, container, user, ...), bounded by one budget: at most {@code maxSeries}
 * combinations have a series of their own; execs of any further combination go to the overflow
 * series, whose every label is {@value #OVERFLOW_LABEL}, a value no real label can have (a comm is
 * at most 15 bytes and NameEscaper renders one longer than 15 characters only when it holds a
 * backslash escape, which this value does not; no unit name, container id, pod uid or user name
 * looks like it). A series idle longer than the idle timeout is removed, freeing its slot.
 *
 * <p>Pinned comms have a series from the start, at 0, with empty attribution labels, that never
 * expires; they take slots of the budget and pass the allow/deny lists. An exec of a pinned comm
 * that would overflow counts in that series instead, so a pinned comm's total stays whole.
 * {@link #apply} changes all of this while counting goes on, keeping every count that stays.
 *
 * <p>An exec finds its series in two steps: its raw key (comm words, cgroup id, uid: what the record
 * carries) is looked up in a bounded map of routes, without allocating; only on a miss are the label
 * values worked out (the comm escaped, the cgroup resolved to a unit and container, the uid to a
 * user name) and the combination admitted, so several raw keys share a series (a restarted
 * service's new cgroup, say). A route remembers an exclusion and an overflow too, so a flood of
 * distinct names costs no memory beyond the budget and the routes' bound, and no work per exec
 * beyond a map lookup. Aggregator thread only, except {@link #size()} and the other counts read by
 * scrapes.
 */
public final class SeriesTable {
    public static final String OVERFLOW_LABEL = "__overflow_comms__";
    /** Routes kept at least, and per series of the budget; the map is emptied when it is full. */
    static final int MIN_ROUTES = 4096;
    static final int ROUTES_PER_SERIES = 4;
    /** How soon a combination whose cgroup was not found yet is worked out again. */
    static final long PENDING_RETRY_NANOS = 100_000_000L;

    /** Where a raw key's execs go; {@code series} null: excluded by the allow/deny lists. */
    private record Route(Series series, boolean overflowed, int generation, long retryAtNanos) {}

    private final List<AttributionLabel> labels;
    private final boolean commLabel;
    private final boolean cgroupLabel;
    private final boolean userLabel;
    private final Attribution attribution;
    private volatile int maxSeries;
    private SeriesFilter filter;
    private final ExecMeters meters;
    private final Map<LabelValues, Series> series = new HashMap<>();
    /** comm label value → its pinned series: where its execs go when the budget is full. */
    private final Map<String, Series> pinnedByComm = new HashMap<>();
    private final Map<SeriesKey, Route> routes = new HashMap<>();
    private final SeriesKey probe = new SeriesKey(0, 0, 0, 0);
    private final Series overflow;
    /** Moves on whenever a slot frees: routes to the overflow series (or a pinned one) look again. */
    private int generation;
    private volatile int size;
    private long overflowed;
    private long filtered;
    private volatile long overflowedShared;
    private volatile long filteredShared;

    /** Comm alone, no pinned comms: for tests. */
    public SeriesTable(int maxSeries, SeriesFilter filter, ExecMeters meters, long nowNanos) {
        this(Attribution.none(), SeriesPolicy.of(maxSeries, java.time.Duration.ZERO, filter), meters, nowNanos);
    }

    /** Comm alone. */
    public SeriesTable(SeriesPolicy policy, ExecMeters meters, long nowNanos) {
        this(Attribution.none(), policy, meters, nowNanos);
    }

    /**
     * The table with the pinned comms' series already made; the policy's idle timeout is the
     * aggregator's.
     *
     * @param attribution the labels (comm first when chosen, then {@link Attribution#labels()})
     *                    and where their values come from
     */
    public SeriesTable(Attribution attribution, SeriesPolicy policy, ExecMeters meters, long nowNanos) {
        this.attribution = attribution;
        this.labels = labelsOf(attribution);
        this.commLabel = labels.contains(AttributionLabel.COMM);
        this.cgroupLabel = attribution.labels().stream().anyMatch(AttributionLabel::needsCgroup);
        this.userLabel = attribution.labels().contains(AttributionLabel.USER);
        if (!commLabel && !policy.pinned().isEmpty()) {
            throw new IllegalArgumentException("pinned comms need the comm label");
        }
        this.maxSeries = policy.maxSeries();
        this.filter = policy.filter();
        this.meters = meters;
        String[] overflowValues = new String[labels.size()];
        Arrays.fill(overflowValues, OVERFLOW_LABEL);
        this.overflow = new Series(overflowValues, nowNanos);
        overflow.meters = meters.register(overflow);
        pin(policy.pinned(), nowNanos);
    }

    /** Every label of the series, in their metrics order: comm (if chosen) first. */
    public static List<AttributionLabel> labelsOf(Attribution attribution) {
        List<AttributionLabel> all = new ArrayList<>();
        if (attribution.commChosen()) {
            all.add(AttributionLabel.COMM);
        }
        all.addAll(attribution.labels());
        return List.copyOf(all);
    }

    public List<AttributionLabel> labels() {
        return labels;
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
        routes.clear();
        generation++;
        int excluded = 0;
        if (!filter.admitsAll()) {
            for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
                Series s = it.next();
                if (!s.pinned && !filter.admits(labels, s.labelValues())) {
                    it.remove();
                    removeMeters(s);
                    excluded++;
                }
            }
        }
        series.values().forEach(s -> s.pinned = false);
        pinnedByComm.clear();
        pin(policy.pinned(), nowNanos);
        maxSeries = policy.maxSeries();
        int overBudget = series.size() - maxSeries;
        if (overBudget > 0) {
            List<Map.Entry<LabelValues, Series>> unpinned = new ArrayList<>();
            for (Map.Entry<LabelValues, Series> e : series.entrySet()) {
                if (!e.getValue().pinned) {
                    unpinned.add(e);
                }
            }
            unpinned.sort(Comparator.comparingLong(e -> e.getValue().lastExecNanos()));
            for (Map.Entry<LabelValues, Series> e : unpinned.subList(0, overBudget)) {
                series.remove(e.getKey());
                removeMeters(e.getValue());
            }
        }
        size = series.size();
        return new Applied(excluded, Math.max(0, overBudget));
    }

    /** Marks the series of the comms {@code comms} pinned, making those that do not exist yet. */
    private void pin(List<String> comms, long nowNanos) {
        for (String comm : comms) {
            String[] values = new String[labels.size()];
            Arrays.fill(values, "");
            values[0] = comm; // comm is the first label: pinning needs it
            LabelValues key = new LabelValues(values);
            Series s = series.get(key);
            if (s == null) {
                s = add(key, nowNanos);
            }
            s.pinned = true;
            pinnedByComm.put(comm, s);
        }
        size = series.size();
    }

    /**
     * The series to count an exec in: its own, the overflow series (or its comm's pinned series
     * when the budget is full), or null when the allow/deny lists exclude it. Allocates only when
     * a raw key is seen for the first time (or again after its route was dropped).
     *
     * @param uid the real uid, unsigned
     */
    Series lookup(long word0, long word1, long cgroupId, int uid, long nowNanos) {
        return lookup(word0, word1, cgroupId, uid, nowNanos, true);
    }

    /** {@link #lookup} of an exec in cgroup 0 by uid 0 (tests). */
    Series lookup(long word0, long word1, long nowNanos) {
        return lookup(word0, word1, 0, 0, nowNanos, true);
    }

    /**
     * The series an exit or a failed exec is counted in: the same admission as execs (a new series,
     * the overflow series, or null when excluded: then counted as filtered, so that every record the
     * kernel saw is accounted for). The overflow counter counts execs only: it stays equal to the
     * overflow series' exec counter, and the overflow series counts its exits and failures itself.
     */
    Series lookupForExitOrFailure(long word0, long word1, long cgroupId, int uid, long nowNanos) {
        return lookup(word0, word1, cgroupId, uid, nowNanos, false);
    }

    private Series lookup(long word0, long word1, long cgroupId, int uid, long nowNanos, boolean exec) {
        probe.set(commLabel ? word0 : 0, commLabel ? word1 : 0, cgroupLabel ? cgroupId : 0, userLabel ? uid : 0);
        Route route = routes.get(probe);
        if (route == null || stale(route, nowNanos)) {
            route = route(nowNanos);
        }
        if (route.series() == null) {
            filteredShared = ++filtered;
        } else if (exec && route.overflowed()) {
            overflowedShared = ++overflowed;
        }
        return route.series();
    }

    private boolean stale(Route route, long nowNanos) {
        Series s = route.series();
        if (s == null) {
            return false; // the lists change only in apply(), which drops every route
        }
        return s.removed
                || (route.generation() != generation && (route.overflowed() || s.pinned))
                || (route.retryAtNanos() != 0 && nowNanos - route.retryAtNanos() >= 0);
    }

    /** Works out the probe's label values and admits the combination; remembers the answer. */
    private Route route(long nowNanos) {
        String[] values = new String[labels.size()];
        int at = 0;
        if (commLabel) {
            values[at++] = NameEscaper.escape(probe.commBytes());
        }
        boolean pending = false;
        if (!attribution.labels().isEmpty()) {
            Attribution.Values attributed = attribution.resolve(probe.cgroupId(), probe.uid());
            System.arraycopy(attributed.values(), 0, values, at, attributed.values().length);
            pending = attributed.pending();
        }
        LabelValues key = new LabelValues(values);
        Series s = series.get(key);
        boolean overflowedHere = false;
        if (s == null && filter.admits(labels, values)) { // else: its own series, or excluded (null)
            if (series.size() >= maxSeries) {
                Series pinned = commLabel ? pinnedByComm.get(values[0]) : null;
                s = pinned != null ? pinned : overflow;
                overflowedHere = pinned == null;
            } else {
                s = add(key, nowNanos);
            }
        }
        // a pinned series reached through the budget is a fallback too: it looks again once a slot frees
        Route route = new Route(s, overflowedHere, generation, pending ? nowNanos + PENDING_RETRY_NANOS : 0);
        if (routes.size() >= Math.max(MIN_ROUTES, ROUTES_PER_SERIES * maxSeries)) {
            routes.clear();
        }
        routes.put(probe.copy(), route);
        return route;
    }

    private Series add(LabelValues key, long nowNanos) {
        Series added = new Series(key.values(), nowNanos);
        added.meters = meters.register(added);
        series.put(key, added);
        size = series.size();
        return added;
    }

    private void removeMeters(Series s) {
        s.removed = true;
        s.meters.remove();
        generation++;
    }

    /** Every series, the overflow series last. */
    void forEach(Consumer<Series> action) {
        series.values().forEach(action);
        action.accept(overflow);
    }

    /** Removes the series that had no exec or exit since {@code cutoffNanos}; returns their labels. */
    List<String> expireIdle(long cutoffNanos) {
        List<String> removed = new ArrayList<>();
        for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
            Series s = it.next();
            if (s.idleSince(cutoffNanos)) {
                it.remove();
                removeMeters(s);
                removed.add(s.label());
            }
        }
        size = series.size();
        return removed;
    }

    /** Label combinations with a series now, not counting the overflow series; any thread. */
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

    /** Execs and exits excluded by the allow/deny lists; any thread. */
    public long filtered() {
        return filteredShared;
    }

    /** Routes held now (bounded by the budget); for tests. */
    int routes() {
        return routes.size();
    }
}
