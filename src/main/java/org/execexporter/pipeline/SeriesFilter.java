package org.execexporter.pipeline;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.execexporter.attribution.AttributionLabel;

/**
 * The allow and deny lists of each label (comm.allow / comm.deny, metrics.allow / metrics.deny).
 * Patterns must match the whole label value as it appears in the scrape (its NameEscaper form, so
 * {@code \x0a} for a newline byte), as Prometheus relabelling does. For each label, deny wins and
 * an empty allow list allows every value; a label combination is admitted when each of its values
 * is. Evaluated once per new combination, never per exec: the table remembers the answer.
 */
public final class SeriesFilter {
    private final Map<AttributionLabel, List<Pattern>> allow;
    private final Map<AttributionLabel, List<Pattern>> deny;

    public SeriesFilter(Map<AttributionLabel, List<Pattern>> allow, Map<AttributionLabel, List<Pattern>> deny) {
        this.allow = copy(allow);
        this.deny = copy(deny);
    }

    /** Lists for the comm label only. */
    public SeriesFilter(List<Pattern> commAllow, List<Pattern> commDeny) {
        this(Map.of(AttributionLabel.COMM, commAllow), Map.of(AttributionLabel.COMM, commDeny));
    }

    public static SeriesFilter none() {
        return new SeriesFilter(Map.of(), Map.of());
    }

    private static Map<AttributionLabel, List<Pattern>> copy(Map<AttributionLabel, List<Pattern>> lists) {
        Map<AttributionLabel, List<Pattern>> out = new EnumMap<>(AttributionLabel.class);
        lists.forEach((label, patterns) -> {
            if (!patterns.isEmpty()) {
                out.put(label, List.copyOf(patterns));
            }
        });
        return out;
    }

    /** True when every value is admitted, so no value needs escaping or matching to decide. */
    public boolean admitsAll() {
        return allow.isEmpty() && deny.isEmpty();
    }

    /** Whether the lists of {@code label} admit {@code value}. */
    public boolean admits(AttributionLabel label, String value) {
        for (Pattern p : deny.getOrDefault(label, List.of())) {
            if (p.matcher(value).matches()) {
                return false;
            }
        }
        List<Pattern> allowed = allow.get(label);
        if (allowed == null) {
            return true;
        }
        for (Pattern p : allowed) {
            if (p.matcher(value).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether every value of a combination, {@code values[i]} of {@code labels.get(i)}, is admitted. */
    boolean admits(List<AttributionLabel> labels, String[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!admits(labels.get(i), values[i])) {
                return false;
            }
        }
        return true;
    }
}
