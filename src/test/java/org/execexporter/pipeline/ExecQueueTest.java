package org.execexporter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecQueueTest {

    @Test
    void deliversInOrderAndDropsWhenFull() {
        ExecQueue queue = new ExecQueue(4);
        for (int i = 0; i < 6; i++) {
            boolean accepted = queue.offer(i, -i, 100 + i);
            assertThat(accepted).isEqualTo(i < 4);
        }
        assertThat(queue.dropped()).isEqualTo(2);
        assertThat(queue.depth()).isEqualTo(4);
        List<long[]> got = new ArrayList<>();
        assertThat(queue.drain((a, b, t, cgroup, uid) -> got.add(new long[] {a, b, t}), 10)).isEqualTo(4);
        assertThat(got).containsExactly(new long[] {0, 0, 100}, new long[] {1, -1, 101}, new long[] {2, -2, 102},
                new long[] {3, -3, 103});
        assertThat(queue.depth()).isZero();
        assertThat(queue.offer(9, 9, 9)).isTrue(); // slots are reused after a drain
        assertThat(queue.drain((a, b, t, cgroup, uid) -> got.add(new long[] {a, b, t}), 10)).isEqualTo(1);
    }

    @Test
    void drainStopsAtItsLimit() {
        ExecQueue queue = new ExecQueue(8);
        for (int i = 0; i < 5; i++) {
            queue.offer(i, 0, 0);
        }
        AtomicLong seen = new AtomicLong();
        assertThat(queue.drain((a, b, t, cgroup, uid) -> seen.incrementAndGet(), 3)).isEqualTo(3);
        assertThat(queue.depth()).isEqualTo(2);
    }

    /** Several producers against one consumer: every entry arrives intact, once, in each producer's order. */
    @ParameterizedTest
    @ValueSource(ints = {2, 64, 4096})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentProducersLoseNothingUncounted(int capacity) throws Exception {
        int producers = 4;
        int perProducer = 250_000;
        ExecQueue queue = new ExecQueue(capacity);
        long[] accepted = new long[producers];
        long[] lastSeen = new long[producers];
        java.util.Arrays.fill(lastSeen, -1);
        long[] delivered = new long[producers];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long i = 0; i < perProducer; i++) {
                    if (queue.offer(id, i, i ^ 0x5555_5555_5555L)) {
                        accepted[id]++;
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        ExecQueue.EntryHandler check = (producer, sequence, payload, cgroup, uid) -> {
            int id = (int) producer;
            assertThat(payload).isEqualTo(sequence ^ 0x5555_5555_5555L); // not torn
            assertThat(sequence).isGreaterThan(lastSeen[id]); // per-producer FIFO, no duplicates
            lastSeen[id] = sequence;
            delivered[id]++;
        };
        go.countDown();
        while (threads.stream().anyMatch(Thread::isAlive)) {
            queue.drain(check, 1024);
        }
        for (Thread t : threads) {
            t.join();
        }
        queue.drain(check, Integer.MAX_VALUE);
        long totalDelivered = 0;
        for (int p = 0; p < producers; p++) {
            assertThat(delivered[p]).isEqualTo(accepted[p]);
            totalDelivered += delivered[p];
        }
        assertThat(totalDelivered + queue.dropped()).isEqualTo((long) producers * perProducer);
        assertThat(queue.depth()).isZero();
    }

    @Test
    void offeringAllocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ExecQueue queue = new ExecQueue(1024);
        ExecQueue.EntryHandler ignore = (a, b, t, cgroup, uid) -> { };
        for (int i = 0; i < 10_000; i++) { // warm up: let the JIT compile both paths
            queue.offer(i, i, i);
            queue.drain(ignore, 1);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++) {
            queue.offer(i, i, i); // mostly full: the drop path
            if (i % 2 == 0) {
                queue.drain(ignore, 1);
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(queue.dropped()).isPositive();
        assertThat(allocated).isLessThan(64 * 1024); // far less than one byte per exec
    }

    @Test
    void anOfferWakesTheConsumerSleepingWithoutTimeout() throws Exception {
        ExecQueue queue = new ExecQueue(16);
        Thread consumer = new Thread(() -> {
            while (queue.depth() == 0) {
                queue.await(-1);
            }
        });
        consumer.start();
        Thread.sleep(100); // asleep by now, most likely; the offer must wake it either way
        queue.offer(1, 2, 3);
        consumer.join(10_000);
        assertThat(consumer.isAlive()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void eachKindKeepsItsCgroupUidAndValue() {
        ExecQueue queue = new ExecQueue(8);
        queue.offer(1, 2, 3, 44, -2); // uid 4294967294
        queue.offerExit(5, 6, 77, 1000, 3 << 8 | 0x80, 123);
        queue.offerFailure(8, 9, 99, 0, 13);
        java.util.List<String> got = new java.util.ArrayList<>();
        queue.drain(new ExecQueue.EntryHandler() {
            @Override
            public void onEntry(long w0, long w1, long ktime, long cgroup, int uid) {
                got.add("exec " + w0 + " " + w1 + " " + ktime + " " + cgroup + " " + Integer.toUnsignedString(uid));
            }

            @Override
            public void onExit(long w0, long w1, long cgroup, int uid, int status, long lifetime) {
                got.add("exit " + w0 + " " + w1 + " " + cgroup + " " + uid + " " + status + " " + lifetime);
            }

            @Override
            public void onFailure(long w0, long w1, long cgroup, int uid, int errno) {
                got.add("fail " + w0 + " " + w1 + " " + cgroup + " " + uid + " " + errno);
            }
        }, 10);
        org.assertj.core.api.Assertions.assertThat(got).containsExactly("exec 1 2 3 44 4294967294",
                "exit 5 6 77 1000 " + (3 << 8 | 0x80) + " 123", "fail 8 9 99 0 13");
    }
}
