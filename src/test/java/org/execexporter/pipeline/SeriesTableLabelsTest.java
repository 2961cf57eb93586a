package org.execexporter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.execexporter.attribution.Attribution;
import org.execexporter.attribution.AttributionLabel;
import org.execexporter.attribution.CgroupMount;
import org.execexporter.attribution.CgroupResolver;
import org.execexporter.attribution.UserNames;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Series of label combinations: comm with unit, container and user, worked out from a cgroup
 * hierarchy made in a temporary directory (its directories' inode numbers are the cgroup ids, as
 * on the cgroup2 file system) and a user directory of the test's own.
 */
class SeriesTableLabelsTest {
    private static final long S = 1_000_000_000L;
    private static final Duration IDLE = Duration.ofHours(1);
    private static final Duration RESCAN = Duration.ofMillis(100);
    private static final String ID = "4c01db0b339c5d1e2b3f5d7a9c1e3f5a7b9d1f3e5a7c9e1b3d5f7a9c1e3b5d7f";
    private static final Map<Integer, String> USERS = Map.of(0, "root", 1000, "alice");

    @TempDir
    Path top;

    private final RecordingMeters meters = new RecordingMeters();
    private long now;

    @BeforeEach
    void hierarchy() throws IOException {
        for (String dir : List.of("system.slice/cron.service", "system.slice/nginx.service/worker",
                "system.slice/docker-" + ID + ".scope", "user.slice/user-1000.slice/session-3.scope")) {
            Files.createDirectories(top.resolve(dir));
        }
    }

    private Attribution attribution(String labels) {
        CgroupResolver cgroups = new CgroupResolver(new CgroupMount(top, new byte[] {'/'}),
                new CgroupResolver.Settings(1000, 32, 100_000, RESCAN), () -> now);
        UserNames users = new UserNames(uid -> {
            String name = USERS.get(uid);
            return name == null ? null : name.getBytes(StandardCharsets.UTF_8);
        }, UserNames.Settings.DEFAULTS, () -> now);
        return new Attribution(AttributionLabel.parseList(labels), cgroups, users);
    }

    private SeriesTable table(String labels, int maxSeries, SeriesFilter filter, List<String> pinned) {
        return new SeriesTable(attribution(labels), new SeriesPolicy(maxSeries, IDLE, filter, pinned), meters, now);
    }

    private long id(String dir) throws IOException {
        return (Long) Files.getAttribute(top.resolve(dir), "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    private Series exec(SeriesTable table, String comm, long cgroupId, int uid) {
        long[] w = TestComms.words(comm);
        Series s = table.lookup(w[0], w[1], cgroupId, uid, now);
        if (s != null) {
            s.count(0, now);
        }
        return s;
    }

    @Test
    void eachCombinationOfCommUnitContainerAndUserIsASeries() throws IOException {
        SeriesTable table = table("comm,unit,container,user", 100, SeriesFilter.none(), List.of());
        assertThat(table.labels()).containsExactly(AttributionLabel.COMM, AttributionLabel.UNIT,
                AttributionLabel.CONTAINER, AttributionLabel.USER);
        exec(table, "sh", id("system.slice/cron.service"), 0);
        exec(table, "sh", id("system.slice/nginx.service"), 0);
        // a delegated sub-cgroup is its unit's: one series with the unit's own cgroup
        exec(table, "sh", id("system.slice/nginx.service/worker"), 0);
        exec(table, "sh", id("system.slice/docker-" + ID + ".scope"), 1000);
        exec(table, "sh", id("user.slice/user-1000.slice/session-3.scope"), 4242);

        assertThat(meters.live.keySet()).containsExactlyInAnyOrder(
                "__overflow_comms__,__overflow_comms__,__overflow_comms__,__overflow_comms__",
                "sh,cron.service,,root",
                "sh,nginx.service,,root",
                "sh,docker-" + ID + ".scope," + ID.substring(0, 12) + ",alice",
                "sh,session-3.scope,,4242"); // a uid the host has no name for is its number
        assertThat(meters.total("sh,nginx.service,,root")).isEqualTo(2);
        assertThat(table.size()).isEqualTo(4);
    }

    @Test
    void labelsNotChosenDoNotSplitSeries() throws IOException {
        SeriesTable table = table("comm,unit", 100, SeriesFilter.none(), List.of());
        exec(table, "sh", id("system.slice/cron.service"), 0);
        exec(table, "sh", id("system.slice/cron.service"), 1000); // the uid is not a label
        SeriesTable unitsOnly = table("unit", 100, SeriesFilter.none(), List.of());
        exec(unitsOnly, "sh", id("system.slice/cron.service"), 0);
        exec(unitsOnly, "awk", id("system.slice/cron.service"), 0); // nor is the comm here
        assertThat(meters.total("sh,cron.service")).isEqualTo(2);
        assertThat(meters.total("cron.service")).isEqualTo(2);
        assertThat(table.routes()).isEqualTo(1);
    }

    @Test
    void aThousandUnitsTimesThreeCommsStayWithinTheBudgetAndEveryExecIsCounted() throws IOException {
        int units = 1000;
        long[] ids = new long[units];
        for (int i = 0; i < units; i++) {
            String dir = "system.slice/unit" + i + ".service";
            Files.createDirectories(top.resolve(dir));
            ids[i] = id(dir);
        }
        SeriesTable table = table("comm,unit", 500, SeriesFilter.none(), List.of());
        List<String> comms = List.of("sh", "curl", "python3");
        for (int round = 0; round < 2; round++) {
            for (long id : ids) {
                for (String comm : comms) {
                    exec(table, comm, id, 0);
                }
            }
        }
        assertThat(table.size()).isEqualTo(500);
        assertThat(meters.live).hasSize(501);
        String overflow = SeriesTable.OVERFLOW_LABEL + "," + SeriesTable.OVERFLOW_LABEL;
        long counted = meters.live.values().stream().mapToLong(Series::total).sum();
        assertThat(counted).isEqualTo(2L * units * comms.size());
        assertThat(meters.total(overflow)).isEqualTo(2L * (units * comms.size() - 500));
        assertThat(table.overflowed()).isEqualTo(meters.total(overflow));
        assertThat(table.routes()).isLessThanOrEqualTo(Math.max(SeriesTable.MIN_ROUTES, 4 * 500));
    }

    @Test
    void allowAndDenyListsWorkOnEveryLabel() throws IOException {
        SeriesFilter filter = new SeriesFilter(Map.of(AttributionLabel.UNIT, List.of(Pattern.compile(".*\\.service"))),
                Map.of(AttributionLabel.UNIT, List.of(Pattern.compile("cron\\.service")),
                        AttributionLabel.USER, List.of(Pattern.compile("alice"))));
        SeriesTable table = table("comm,unit,user", 100, filter, List.of());
        assertThat(exec(table, "sh", id("system.slice/cron.service"), 0)).as("unit denied").isNull();
        assertThat(exec(table, "sh", id("system.slice/nginx.service"), 1000)).as("user denied").isNull();
        assertThat(exec(table, "sh", id("user.slice/user-1000.slice/session-3.scope"), 0)).as("not allowed").isNull();
        assertThat(exec(table, "sh", id("system.slice/nginx.service"), 0).label()).isEqualTo("sh,nginx.service,root");
        assertThat(exec(table, "sh", id("system.slice/cron.service"), 0)).as("remembered").isNull();
        assertThat(table.filtered()).isEqualTo(4);
    }

    @Test
    void aPinnedCommThatWouldOverflowCountsInItsPinnedSeries() throws IOException {
        SeriesTable table = table("comm,unit", 2, SeriesFilter.none(), List.of("cron"));
        assertThat(meters.live.keySet()).contains("cron,");
        assertThat(exec(table, "cron", id("system.slice/cron.service"), 0).label()).isEqualTo("cron,cron.service");
        assertThat(exec(table, "cron", id("system.slice/nginx.service"), 0).label()).as("budget full: pinned")
                .isEqualTo("cron,");
        assertThat(exec(table, "sh", id("system.slice/nginx.service"), 0).label()).as("budget full: overflow")
                .isEqualTo(SeriesTable.OVERFLOW_LABEL + "," + SeriesTable.OVERFLOW_LABEL);
        assertThat(table.overflowed()).isEqualTo(1);
    }

    @Test
    void aCgroupTheLastWalkDidNotSeeIsWorkedOutAgainLater() throws IOException {
        SeriesTable table = table("comm,unit", 100, SeriesFilter.none(), List.of());
        exec(table, "sh", id("system.slice/cron.service"), 0); // the first walk
        Files.createDirectories(top.resolve("system.slice/new.service"));
        long id = id("system.slice/new.service");
        assertThat(exec(table, "sh", id, 0).label()).as("too soon for another walk").isEqualTo("sh,");
        now += SeriesTable.PENDING_RETRY_NANOS - 1;
        assertThat(exec(table, "sh", id, 0).label()).as("the route waits before it asks again").isEqualTo("sh,");
        now += Math.max(1, RESCAN.toNanos() - SeriesTable.PENDING_RETRY_NANOS + 1);
        assertThat(exec(table, "sh", id, 0).label()).isEqualTo("sh,new.service");
        assertThat(meters.total("sh,")).isEqualTo(2);
        assertThat(meters.total("sh,new.service")).isEqualTo(1);
    }

    @Test
    void execsOfACgroupRemovedBeforeTheyAreCountedAreCountedWithEmptyLabels() throws IOException {
        Path gone = Files.createDirectories(top.resolve("system.slice/gone.service"));
        long id = id("system.slice/gone.service");
        Files.delete(gone);
        SeriesTable table = table("comm,unit,container", 100, SeriesFilter.none(), List.of());
        for (int i = 0; i < 5; i++) {
            exec(table, "sh", id, 0);
            now += S;
        }
        assertThat(meters.total("sh,,")).isEqualTo(5);
    }

    @Test
    void aSlotFreedByAnIdleSeriesGoesToACombinationThatOverflowed() throws IOException {
        SeriesTable table = table("comm,unit", 1, SeriesFilter.none(), List.of());
        long cron = id("system.slice/cron.service");
        long nginx = id("system.slice/nginx.service");
        exec(table, "sh", cron, 0);
        assertThat(exec(table, "sh", nginx, 0).label()).startsWith(SeriesTable.OVERFLOW_LABEL);
        now += 2 * S;
        exec(table, "sh", nginx, 0); // overflow again: keeps nothing alive
        table.forEach(Series::closeWindow);
        table.forEach(Series::closeWindow);
        assertThat(table.expireIdle(now - S)).containsExactly("sh,cron.service");
        assertThat(exec(table, "sh", nginx, 0).label()).isEqualTo("sh,nginx.service");
        assertThat(exec(table, "sh", cron, 0).label()).as("the removed series' route looks again")
                .startsWith(SeriesTable.OVERFLOW_LABEL);
    }
}
