package org.execexporter.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.execexporter.pipeline.CommSeries;
import org.execexporter.pipeline.ExecMeters;

/**
 * The exec metrics proper: per comm, {@code exec_events_total} and the exec-rate histogram
 * {@code exec_rate_per_comm_execs}; for the host, {@code exec_rate_host_execs}.
 *
 * <p>A rate histogram observes, for each closed 1-second window, the number of execs in it: the
 * bucket {@code le="N"} counts the windows that had at most N execs. The per-comm histogram
 * observes only the windows in which that comm executed; the host-wide one observes every window,
 * zeros included, so its {@code _count} is the seconds observed. (Micrometer also exports each
 * histogram's {@code _max}: the busiest window of the last few minutes.)
 *
 * <p>The counter reads the aggregator's plain total at scrape time: no per-exec work here.
 */
public final class CommMeters implements ExecMeters {
    static final String EVENTS = "exec.events";
    static final String RATE_PER_COMM = "exec.rate.per.comm";
    static final String RATE_HOST = "exec.rate.host";

    private final MeterRegistry registry;
    private final double[] buckets;
    private final DistributionSummary host;

    public CommMeters(MeterRegistry registry, List<Double> buckets) {
        this.registry = registry;
        this.buckets = buckets.stream().mapToDouble(Double::doubleValue).toArray();
        this.host = DistributionSummary.builder(RATE_HOST)
                .description("Execs on the whole host per 1-second window, observed for every window (zeros "
                        + "included); bucket le=N counts the windows with at most N execs")
                .baseUnit("execs")
                .serviceLevelObjectives(this.buckets)
                .register(registry);
    }

    @Override
    public SeriesMeters register(CommSeries series) {
        FunctionCounter counter = FunctionCounter.builder(EVENTS, series, CommSeries::total)
                .description("Successful execs per command name (comm: at most 15 bytes; bytes that are not "
                        + "printable UTF-8 shown as \\xNN, a backslash doubled; comm=__overflow_comms__ counts "
                        + "the comms beyond comm.max_series)")
                .tag("comm", series.label())
                .register(registry);
        DistributionSummary rate = DistributionSummary.builder(RATE_PER_COMM)
                .description("Execs of a comm per 1-second window, observed for each window in which the comm "
                        + "executed; bucket le=N counts the windows with at most N execs")
                .baseUnit("execs")
                .tag("comm", series.label())
                .serviceLevelObjectives(buckets)
                .register(registry);
        return new SeriesMeters() {
            @Override
            public void observeWindow(long execs) {
                rate.record(execs);
            }

            @Override
            public void remove() {
                registry.remove(counter);
                registry.remove(rate);
            }
        };
    }

    @Override
    public void observeHostWindow(long execs) {
        host.record(execs);
    }
}
