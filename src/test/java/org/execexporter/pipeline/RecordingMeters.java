package org.execexporter.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ExecMeters that remember what they were told, for tests. */
final class RecordingMeters implements ExecMeters {
    final Map<String, Series> live = new LinkedHashMap<>();
    final Map<String, List<Long>> windows = new LinkedHashMap<>();
    final List<Long> hostWindows = java.util.Collections.synchronizedList(new ArrayList<>()); // read by tests
    final List<String> removed = new ArrayList<>();
    /** comm -> status label -> its counter, as registered. */
    final Map<String, Map<String, CodeCount>> exits = new LinkedHashMap<>();
    final Map<String, List<Long>> lifetimes = new LinkedHashMap<>();
    /** series label -> errno label -> its counter, as registered. */
    final Map<String, Map<String, CodeCount>> failures = new LinkedHashMap<>();

    @Override
    public SeriesMeters register(Series series) {
        live.put(series.label(), series);
        List<Long> observed = windows.computeIfAbsent(series.label(), k -> new ArrayList<>());
        return new SeriesMeters() {
            @Override
            public void observeWindow(long execs) {
                observed.add(execs);
            }

            @Override
            public void registerExit(CodeCount count) {
                exits.computeIfAbsent(series.label(), k -> new LinkedHashMap<>()).put(count.label(), count);
            }

            @Override
            public void registerFailure(CodeCount count) {
                failures.computeIfAbsent(series.label(), k -> new LinkedHashMap<>()).put(count.label(), count);
            }

            @Override
            public void observeLifetime(long lifetimeNanos) {
                lifetimes.computeIfAbsent(series.label(), k -> new ArrayList<>()).add(lifetimeNanos);
            }

            @Override
            public void remove() {
                live.remove(series.label());
                removed.add(series.label());
            }
        };
    }

    @Override
    public void observeHostWindow(long execs) {
        hostWindows.add(execs);
    }

    long exits(String label, String status) {
        CodeCount c = exits.getOrDefault(label, Map.of()).get(status);
        return c == null ? 0 : c.total();
    }

    long failures(String label, String errno) {
        CodeCount c = failures.getOrDefault(label, Map.of()).get(errno);
        return c == null ? 0 : c.total();
    }

    long total(String label) {
        Series s = live.get(label);
        return s == null ? 0 : s.total();
    }
}
