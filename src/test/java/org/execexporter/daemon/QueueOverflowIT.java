package org.execexporter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.execexporter.base.BuildInfo;
import org.execexporter.capture.ExecCapture;
import org.execexporter.config.DaemonConfig;
import org.execexporter.config.ListenAddress;
import org.execexporter.config.WebConfig;
import org.execexporter.http.MetricsServer;
import org.execexporter.testing.ExecStorm;
import org.execexporter.testing.NeedsBpf;
import org.execexporter.testing.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon in this JVM with the real capture and its aggregator stalled (never started): the
 * ring pollers keep reading the kernel (nothing lost), drop what the full queue cannot take and
 * count it, and allocate nothing per exec, so memory stays flat.
 */
@NeedsBpf
class QueueOverflowIT {
    private static final int CAPACITY = 1000;
    private static final int EXECS = 10_000;

    @TempDir
    Path dir;

    @Test
    void aStalledAggregatorMeansCountedDropsNotBlockedPollers() throws Exception {
        DaemonConfig d = DaemonConfig.defaults();
        DaemonConfig config = new DaemonConfig(new DaemonConfig.Web(new ListenAddress("127.0.0.1", 0), "/metrics"),
                d.log(), d.metrics(), new DaemonConfig.Queue(CAPACITY), d.rate(), new DaemonConfig.Collector(false),
                d.bpf());
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ExecCapture capture = ExecCapture.open(config.bpf());
        try (Daemon daemon = new Daemon(config, capture, BuildInfo.load(), System::nanoTime)) {
            daemon.startCounting(false);
            long[] pollers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("exec-ring-")).mapToLong(Thread::getId).toArray();
            assertThat(pollers).hasSize(capture.ringCount());
            long allocatedBefore = allocated(threads, pollers);

            String tag = Long.toString(ProcessHandle.current().pid(), 36);
            ExecStorm.Result storm = ExecStorm.run(dir, 3, EXECS, List.of(ExecStorm.ascii("qo" + tag)));
            long deadline = System.nanoTime() + storm.deadline().toNanos();
            while (daemon.queue().dropped() < storm.total() - CAPACITY && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long allocatedDuring = allocated(threads, pollers) - allocatedBefore;

            assertThat(daemon.queue().depth()).isEqualTo(CAPACITY);
            assertThat(daemon.queue().dropped()).isGreaterThanOrEqualTo(storm.total() - CAPACITY);
            assertThat(capture.stats().lost()).as("execs lost in the kernel rings").isZero();
            assertThat(allocatedDuring).as("bytes the pollers allocated for %d execs", storm.total())
                    .isLessThan(storm.total() * 16L);

            daemon.aggregator().start(); // un-stall: the queue drains, the drops stay counted
            MetricsServer server = daemon.serve(WebConfig.open());
            Scrape s = Scrape.fetch(server.port(), "/metrics");
            deadline = System.nanoTime() + storm.deadline().toNanos();
            while (s.value("exec_exporter_queue_depth") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                s = Scrape.fetch(server.port(), "/metrics");
            }
            assertThat(s.value("exec_exporter_queue_depth")).isZero();
            assertThat(s.value("exec_exporter_queue_capacity")).isEqualTo(CAPACITY);
            assertThat(s.value("exec_exporter_dropped_events_total"))
                    .isGreaterThanOrEqualTo(storm.total() - CAPACITY);
            assertThat(s.value("exec_exporter_lost_events_total")).isZero();
        }
    }

    private static long allocated(ThreadMXBean threads, long[] ids) {
        long sum = 0;
        for (long a : threads.getThreadAllocatedBytes(ids)) {
            sum += Math.max(0, a);
        }
        return sum;
    }
}
