package org.execexporter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Pinned comms, and a new policy applied to a table that is counting. */
class SeriesTableTest {
    private static final long S = 1_000_000_000L;
    private static final Duration IDLE = Duration.ofHours(1);

    private final RecordingMeters meters = new RecordingMeters();

    private static SeriesPolicy policy(int maxSeries, List<String> pinned) {
        return new SeriesPolicy(maxSeries, IDLE, SeriesFilter.none(), pinned);
    }

    private static Series exec(SeriesTable table, String comm, long at) {
        long[] w = TestComms.words(comm);
        Series s = table.lookup(w[0], w[1], at);
        if (s != null) {
            s.count(0, at);
        }
        return s;
    }

    @Test
    void pinnedCommsHaveASeriesAtZeroFromTheStartAndTakeSlotsOfTheBudget() {
        SeriesTable table = new SeriesTable(policy(3, List.of("cron", "backup.sh", "tab\\x09")), meters, 0);
        assertThat(meters.live.keySet()).containsExactlyInAnyOrder(SeriesTable.OVERFLOW_LABEL, "cron", "backup.sh",
                "tab\\x09");
        assertThat(meters.total("cron")).isZero();
        assertThat(table.size()).isEqualTo(3);
        assertThat(exec(table, "tab\t", 1).label()).as("a pinned comm with an escaped byte").isEqualTo("tab\\x09");
        assertThat(exec(table, "bash", 1).label()).as("the budget is taken by the pinned comms")
                .isEqualTo(SeriesTable.OVERFLOW_LABEL);
        assertThat(exec(table, "cron", 2).label()).as("a pinned comm never overflows").isEqualTo("cron");
    }

    @Test
    void pinnedCommsNeverExpireAndPassTheAllowAndDenyLists() {
        SeriesFilter denyAll = new SeriesFilter(List.of(), List.of(Pattern.compile(".*")));
        SeriesTable table = new SeriesTable(new SeriesPolicy(5, IDLE, denyAll, List.of("cron")), meters, 0);
        assertThat(exec(table, "cron", 1).label()).isEqualTo("cron");
        assertThat(exec(table, "bash", 1)).isNull();
        assertThat(table.expireIdle(100 * S)).isEmpty();
        assertThat(meters.total("cron")).isEqualTo(1);
    }

    @Test
    void aLowerBudgetRemovesTheLeastRecentlyExecutedUnpinnedSeries() {
        SeriesTable table = new SeriesTable(policy(10, List.of("cron")), meters, 0);
        exec(table, "old", 1 * S);
        exec(table, "mid", 2 * S);
        exec(table, "new", 3 * S);
        exec(table, "old", 4 * S); // old is now the most recent
        SeriesTable.Applied applied = table.apply(policy(2, List.of("cron")), 5 * S);
        assertThat(applied.overBudget()).isEqualTo(2);
        assertThat(meters.removed).containsExactlyInAnyOrder("mid", "new");
        assertThat(meters.total("old")).as("a series that stays keeps its count").isEqualTo(2);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.maxSeries()).isEqualTo(2);
        assertThat(exec(table, "fresh", 6 * S).label()).isEqualTo(SeriesTable.OVERFLOW_LABEL);
        table.apply(policy(3, List.of("cron")), 7 * S);
        assertThat(exec(table, "fresh", 8 * S).label()).as("a raised budget admits again").isEqualTo("fresh");
    }

    @Test
    void pinningAnExistingSeriesKeepsItsCountAndUnpinningLetsItExpire() {
        SeriesTable table = new SeriesTable(policy(10, List.of("cron")), meters, 0);
        exec(table, "backup.sh", 1);
        exec(table, "backup.sh", 2);
        table.apply(policy(10, List.of("backup.sh")), 3);
        assertThat(meters.total("backup.sh")).isEqualTo(2);
        assertThat(meters.removed).isEmpty();
        assertThat(table.expireIdle(10 * S)).containsExactly("cron"); // unpinned, never executed
        assertThat(table.expireIdle(20 * S)).isEmpty();
    }

    @Test
    void newAllowAndDenyListsRemoveTheSeriesTheyExclude() {
        SeriesTable table = new SeriesTable(policy(10, List.of("cron")), meters, 0);
        exec(table, "bash", 1);
        exec(table, "python3", 1);
        SeriesFilter noBash = new SeriesFilter(List.of(), List.of(Pattern.compile("bash|cron")));
        SeriesTable.Applied applied = table.apply(new SeriesPolicy(10, IDLE, noBash, List.of("cron")), 2);
        assertThat(applied.excluded()).isEqualTo(1);
        assertThat(meters.live.keySet()).containsExactlyInAnyOrder(SeriesTable.OVERFLOW_LABEL, "cron", "python3");
        assertThat(exec(table, "bash", 3)).isNull();
        assertThat(table.filtered()).isEqualTo(1);
    }
}
