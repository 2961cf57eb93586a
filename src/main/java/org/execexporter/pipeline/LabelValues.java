package org.execexporter.pipeline;

import java.util.Arrays;

/** A series' label values, in the order of the chosen labels: the key of one label combination. */
final class LabelValues {
    private final String[] values;
    private final int hash;

    LabelValues(String[] values) {
        this.values = values;
        this.hash = Arrays.hashCode(values);
    }

    String[] values() {
        return values;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelValues v && v.hash == hash && Arrays.equals(v.values, values);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
