package org.execexporter.pipeline;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The allow and deny lists of comm.allow / comm.deny. Patterns must match the whole comm as it
 * appears in the label value (its NameEscaper form, so {@code \x0a} for a newline byte), as
 * Prometheus relabelling does. Deny wins; an empty allow list allows every comm. Evaluated once
 * per new comm, never per exec: the aggregator remembers the answer.
 */
public final class SeriesFilter {
    private final List<Pattern> allow;
    private final List<Pattern> deny;

    public SeriesFilter(List<Pattern> allow, List<Pattern> deny) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
    }

    public static SeriesFilter none() {
        return new SeriesFilter(List.of(), List.of());
    }

    /** True when every comm is admitted, so no comm needs escaping or matching to decide. */
    public boolean admitsAll() {
        return allow.isEmpty() && deny.isEmpty();
    }

    public boolean admits(String label) {
        for (Pattern p : deny) {
            if (p.matcher(label).matches()) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Pattern p : allow) {
            if (p.matcher(label).matches()) {
                return true;
            }
        }
        return false;
    }
}
