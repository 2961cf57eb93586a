package org.execexporter.attribution;

import java.io.IOException;
import java.util.List;

/**
 * The values of the attribution labels chosen (all but {@code comm}, which the exec record holds)
 * for an exec's cgroup id and uid. Opens only what the chosen labels need: no cgroup walk without a
 * cgroup label, no nss lookup without {@code user}. Meant to be asked once per new (cgroup id, uid)
 * pair, not per exec: its parts cache, but a cgroup or user seen for the first time costs a walk or
 * an nss lookup.
 */
public final class Attribution {
    private final List<AttributionLabel> labels;
    private final boolean commChosen;
    private final CgroupResolver cgroups;
    private final UserNames users;

    /**
     * @param labels  the labels chosen, in their metrics order ({@code comm}: see {@link #commChosen})
     * @param cgroups null unless a label needs the cgroup
     * @param users   null unless {@code user} is among the labels
     */
    public Attribution(List<AttributionLabel> labels, CgroupResolver cgroups, UserNames users) {
        this.labels = labels.stream().filter(label -> label != AttributionLabel.COMM).toList();
        this.commChosen = labels.contains(AttributionLabel.COMM);
        this.cgroups = cgroups;
        this.users = users;
        if (cgroups == null && this.labels.stream().anyMatch(AttributionLabel::needsCgroup)) {
            throw new IllegalArgumentException("labels " + this.labels + " need a cgroup resolver");
        }
        if (users == null && this.labels.contains(AttributionLabel.USER)) {
            throw new IllegalArgumentException("the user label needs user names");
        }
    }

    /**
     * What {@code labels} need, opened on this host. libexecexporter.so must be loaded first when
     * {@code user} is among them.
     *
     * @throws IOException when a cgroup label is chosen and the host has no cgroup v2 hierarchy
     */
    public static Attribution open(List<AttributionLabel> labels, CgroupResolver.Settings cgroupSettings,
            UserNames.Settings userSettings) throws IOException {
        CgroupResolver cgroups = labels.stream().anyMatch(AttributionLabel::needsCgroup)
                ? CgroupResolver.open(cgroupSettings) : null;
        UserNames users = labels.contains(AttributionLabel.USER)
                ? new UserNames(new NssUsers(), userSettings, System::nanoTime) : null;
        return new Attribution(labels, cgroups, users);
    }

    /** Whether {@code comm} is among the labels chosen (the record holds its value). */
    public boolean commChosen() {
        return commChosen;
    }

    /** The attribution labels, in the order of {@link #values}. */
    public List<AttributionLabel> labels() {
        return labels;
    }

    /** No attribution label: {@code comm} alone. */
    public static Attribution none() {
        return new Attribution(List.of(AttributionLabel.COMM), null, null);
    }

    /**
     * The labels' values for an exec's cgroup and uid.
     *
     * @param values  one per label of {@link #labels()}; empty where a label does not apply
     * @param pending the cgroup was not found yet, but may be when asked again later
     *                ({@link Cgroup#pending}): its labels are empty for now
     */
    public record Values(String[] values, boolean pending) {}

    public Values resolve(long cgroupId, int uid) {
        Cgroup cgroup = cgroups == null ? null : cgroups.resolve(cgroupId);
        return new Values(values(cgroup == null ? CgroupLabels.NONE : cgroup.labels(), uid),
                cgroup != null && cgroup.pending());
    }

    /** One value per label of {@link #labels()}; empty where a label does not apply. */
    private String[] values(CgroupLabels cgroup, int uid) {
        String[] values = new String[labels.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (labels.get(i)) {
                case UNIT -> cgroup.unit();
                case USER_UNIT -> cgroup.userUnit();
                case CONTAINER -> cgroup.container();
                case POD -> cgroup.pod();
                case USER -> users.label(uid);
                case COMM -> throw new AssertionError("comm is not an attribution label");
            };
        }
        return values;
    }

    /** Null when no cgroup label is chosen. */
    public CgroupResolver cgroups() {
        return cgroups;
    }

    /** Null when the user label is not chosen. */
    public UserNames users() {
        return users;
    }
}
