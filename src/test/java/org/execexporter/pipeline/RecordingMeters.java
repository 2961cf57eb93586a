package org.execexporter.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ExecMeters that remember what they were told, for tests. */
final class RecordingMeters implements ExecMeters {
    final Map<String, CommSeries> live = new LinkedHashMap<>();
    final Map<String, List<Long>> windows = new LinkedHashMap<>();
    final List<Long> hostWindows = java.util.Collections.synchronizedList(new ArrayList<>()); // read by tests
    final List<String> removed = new ArrayList<>();

    @Override
    public SeriesMeters register(CommSeries series) {
        live.put(series.label(), series);
        List<Long> observed = windows.computeIfAbsent(series.label(), k -> new ArrayList<>());
        return new SeriesMeters() {
            @Override
            public void observeWindow(long execs) {
                observed.add(execs);
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

    long total(String label) {
        CommSeries s = live.get(label);
        return s == null ? 0 : s.total();
    }
}
