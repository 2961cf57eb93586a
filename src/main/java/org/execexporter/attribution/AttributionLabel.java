package org.execexporter.attribution;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The labels an exec series can carry, as {@code --metrics.labels} names them. Every combination
 * of their values is one series, under the one series budget.
 */
public enum AttributionLabel {
    /** The command name (the kernel's comm). */
    COMM,
    /** The systemd unit: {@link CgroupLabels#unit()}. */
    UNIT,
    /** The unit of a per-user service manager: {@link CgroupLabels#userUnit()}. */
    USER_UNIT,
    /** The container id: {@link CgroupLabels#container()}. */
    CONTAINER,
    /** The Kubernetes pod uid: {@link CgroupLabels#pod()}. */
    POD,
    /** The real user, by name where the host knows it: {@link UserNames}. */
    USER;

    /** The label's name in the metrics, the flag and the config file. */
    public String labelName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean needsCgroup() {
        return this == UNIT || this == USER_UNIT || this == CONTAINER || this == POD;
    }

    /**
     * A comma-separated list such as {@code comm,unit,container}: at least one label, each once, in
     * any order; the result is in this enum's order, the order of the labels in the metrics.
     *
     * @throws IllegalArgumentException naming the entry that is wrong
     */
    public static List<AttributionLabel> parseList(String list) {
        EnumSet<AttributionLabel> labels = EnumSet.noneOf(AttributionLabel.class);
        for (String entry : list.split(",", -1)) {
            String name = entry.strip();
            AttributionLabel label = byName(name);
            if (label == null) {
                throw new IllegalArgumentException((name.isEmpty() ? "empty label" : "unknown label \"" + name + "\"")
                        + " in \"" + list + "\": the labels are " + allNames());
            }
            if (!labels.add(label)) {
                throw new IllegalArgumentException("label \"" + name + "\" twice in \"" + list + "\"");
            }
        }
        return List.copyOf(labels);
    }

    private static AttributionLabel byName(String name) {
        for (AttributionLabel label : values()) {
            if (label.labelName().equals(name)) {
                return label;
            }
        }
        return null;
    }

    private static String allNames() {
        return java.util.Arrays.stream(values()).map(AttributionLabel::labelName).collect(Collectors.joining(", "));
    }
}
