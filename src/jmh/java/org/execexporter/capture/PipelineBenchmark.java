package org.execexporter.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.execexporter.config.DaemonConfig;
import org.execexporter.metrics.ExecMetrics;
import org.execexporter.metrics.Registries;
import org.execexporter.pipeline.Aggregator;
import org.execexporter.pipeline.SeriesFilter;
import org.execexporter.pipeline.SeriesTable;
import org.execexporter.pipeline.ExecQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The user-space pipeline's ceiling without the kernel: synthetic ring batches, framed as
 * jni/probe.c frames them and holding records as the BPF program sends them for the daemon (no
 * filename; the kernel pads each raw sample to 8 bytes with its size field), are decoded by the
 * pollers' own loop ({@link RecordBatch#dispatch}) into the real {@link ExecQueue}, and drained by
 * the real {@link Aggregator} into a {@link SeriesTable} whose series are Micrometer meters in a
 * Prometheus registry, as the daemon wires them.
 *
 * <p>{@code pipeline} runs decode → queue → aggregate on one thread: the CPU time of every stage
 * an exec passes through in user space, summed, so its events/s is the ceiling of one core. In
 * the daemon the stages run on different threads (pollers, aggregator), which adds a cache-line
 * hand-off per entry but spreads the work over cores; on a 2-core machine that a running exec
 * storm saturates, a two-thread figure would measure the scheduler more than the code.
 * {@code decodeAndQueue} is the pollers' share alone.
 *
 * <p>In the capture package to reach RecordBatch, the decode loop the pollers run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PipelineBenchmark {
    /** Records per batch: the default wake-up batch (ProbeOptions.DEFAULT_WAKEUP_EVENTS). */
    static final int BATCH = 64;
    /** Distinct batches cycled through, so that the names' order varies as in a real stream. */
    static final int BATCHES = 64;
    /** struct exec_event without filename (48 bytes), padded by the kernel to 52 (4 + 52 = 56). */
    static final int PADDING = 4;

    /** Distinct comms: 8 as in bench/run.sh's storm; 500, the default comm.max_series. */
    @Param({"8", "500"})
    public int names;

    private ByteBuffer[] batches;
    private int[] lengths;
    private int next;
    private final ExecRecord record = new ExecRecord();
    private final ExitRecord exit = new ExitRecord();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private ExecQueue queue;
    private Aggregator aggregator;
    private final ExecQueue.EntryHandler discard = (w0, w1, t) -> { };

    @Setup
    public void setUp() {
        long now = System.nanoTime();
        batches = new ByteBuffer[BATCHES];
        lengths = new int[BATCHES];
        int n = 0;
        for (int b = 0; b < BATCHES; b++) {
            byte[][] rows = new byte[BATCH][];
            for (int i = 0; i < BATCH; i++, n++) {
                byte[] comm = ("comm-" + (n % names)).getBytes(StandardCharsets.US_ASCII);
                rows[i] = TestRecords.row(now, 1000 + n, 1, 0, comm, new byte[0], false, PADDING);
            }
            batches[b] = TestRecords.batch(rows);
            lengths[b] = batches[b].limit();
        }
        DaemonConfig defaults = DaemonConfig.defaults(); // the daemon's sizes, from their one source
        queue = new ExecQueue(defaults.queue().capacity());
        PrometheusMeterRegistry registry = Registries.prometheus();
        ExecMetrics meters = new ExecMetrics(registry, registry.getPrometheusRegistry(), defaults.rate().buckets(),
                defaults.rate().perComm());
        SeriesTable table = new SeriesTable(defaults.metrics().maxSeries(), SeriesFilter.none(), meters, now);
        aggregator = new Aggregator(queue, table, meters, Duration.ofMillis(300), Duration.ofHours(1),
                System::nanoTime);
        // Every synthetic record must decode and reach the aggregator, or the numbers mean nothing.
        RecordBatch.dispatch(batches[0], lengths[0], record, exit, queue, delivered, malformed);
        if (delivered.get() != BATCH || malformed.get() != 0 || aggregator.step() != BATCH
                || table.size() != Math.min(names, BATCH)) {
            throw new IllegalStateException("synthetic batch did not decode: delivered " + delivered
                    + ", malformed " + malformed + ", series " + table.size());
        }
    }

    private int nextBatch() {
        int b = next;
        next = (b + 1) % BATCHES;
        return b;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int pipeline() {
        int b = nextBatch();
        RecordBatch.dispatch(batches[b], lengths[b], record, exit, queue, delivered, malformed);
        return aggregator.step();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decodeAndQueue() {
        int b = nextBatch();
        RecordBatch.dispatch(batches[b], lengths[b], record, exit, queue, delivered, malformed);
        return queue.drain(discard, BATCH);
    }
}
