package org.execexporter.attribution;

/**
 * What a cgroup path says about the processes in it. Every value is rendered as names are
 * ({@link org.execexporter.base.NameEscaper}) and empty when it does not apply.
 *
 * @param unit      the systemd unit, as {@code sd_pid_get_unit} gives it: {@code cron.service},
 *                  {@code session-3.scope}, {@code user@1000.service}, {@code docker-<id>.scope}
 * @param userUnit  the unit of a per-user service manager, as {@code sd_pid_get_user_unit} gives
 *                  it: {@code foo.service} below {@code user@1000.service}; empty outside one
 * @param container the first 12 hex digits of the container id
 * @param pod       the Kubernetes pod uid, with dashes
 */
public record CgroupLabels(String unit, String userUnit, String container, String pod) {
    public static final CgroupLabels NONE = new CgroupLabels("", "", "", "");
}
