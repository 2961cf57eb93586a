package org.execexporter.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * What decides which label combinations get a series, as one immutable value: handed to the
 * aggregator at start and again on a reload, which it applies on its own thread between two
 * batches, so the series table stays single-threaded. The labels themselves are fixed at start.
 *
 * @param maxSeries   the series budget: the most label combinations with a series of their own,
 *                    pinned ones included
 * @param idleTimeout a series without an exec or exit for this long is removed (pinned ones never are)
 * @param filter      the allow and deny lists of the labels
 * @param pinned      comm label values whose series always exist (at most maxSeries of them)
 */
public record SeriesPolicy(int maxSeries, Duration idleTimeout, SeriesFilter filter, List<String> pinned) {
    public SeriesPolicy {
        pinned = List.copyOf(pinned);
        if (pinned.size() > maxSeries) {
            throw new IllegalArgumentException("more pinned comms (" + pinned.size() + ") than series ("
                    + maxSeries + ")");
        }
    }

    public static SeriesPolicy of(int maxSeries, Duration idleTimeout, SeriesFilter filter) {
        return new SeriesPolicy(maxSeries, idleTimeout, filter, List.of());
    }
}
