package org.execexporter.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.execexporter.capture.CgroupRecord;
import org.execexporter.capture.ExecEventSink;
import org.execexporter.capture.ExecRecord;
import org.execexporter.capture.ExitRecord;
import org.execexporter.capture.FailRecord;

/**
 * The bounded queue between the ring pollers (many producers) and the aggregator (one consumer).
 * Each entry is five longs: the comm's two words, the exec's kernel time (an exit's lifetime), the
 * cgroup id, and a word with the uid, the kind and an exit's wait status, copied out of the
 * poller's flyweight record, so neither side allocates. {@link #offer} never blocks and never
 * waits: when the queue is full the exec is dropped and counted.
 *
 * <p>The algorithm is Dmitry Vyukov's bounded MPMC queue, used with a single consumer: every slot
 * carries a sequence number. A producer claims position p by CAS on the tail when the slot's
 * sequence equals p, writes the entry, then publishes sequence p+1; the consumer reads position p
 * when the sequence is p+1 and frees the slot by setting it to p+capacity. JCTools' queues hold
 * objects, which would cost an allocation (or a pool) per exec; this holds primitives in place.
 *
 * <p>The consumer may sleep in {@link #await} until an entry comes: it announces itself in
 * {@code waiter} and checks for an entry, a producer publishes its entry and checks for a waiter,
 * all with volatile accesses, so one of the two always sees the other and no entry waits for a
 * consumer that sleeps. A producer pays one volatile read per entry while the consumer is awake.
 */
public final class ExecQueue implements ExecEventSink {
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(ExecQueue.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Takes the entries the consumer drains. */
    @FunctionalInterface
    public interface EntryHandler {
        /** An exec; {@code uid} is the real uid, unsigned. */
        void onEntry(long commWord0, long commWord1, long ktimeNanos, long cgroupId, int uid);

        /** An exit entry; handlers that only count execs (benchmarks, queue tests) skip it. */
        default void onExit(long commWord0, long commWord1, long cgroupId, int uid, int status, long lifetimeNanos) {
            // not counted by this handler
        }

        /** A failed execve/execveat entry, {@code errno} positive; skipped like exits by default. */
        default void onFailure(long commWord0, long commWord1, long cgroupId, int uid, int errno) {
            // not counted by this handler
        }
    }

    private static final int WORDS = 5;
    /**
     * The last word of an entry: the uid in bits 0-31, an exit's wait status (16 bits: code << 8 |
     * signal | core) or a failure's errno in bits 32-55, the kind in bits 56-63.
     */
    private static final long KIND_EXEC = 0;
    private static final long KIND_EXIT = 1L << 56;
    private static final long KIND_FAIL = 2L << 56;
    private static final long KIND_MASK = 0xffL << 56;

    private final int capacity;
    private final long[] sequences;
    private final long[] entries;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile long head;
    /** The consumer thread while it sleeps in await(); null while it is awake. */
    private volatile Thread waiter;

    public ExecQueue(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("queue capacity must be 2 or more, not " + capacity);
        }
        this.capacity = capacity;
        this.sequences = new long[capacity];
        this.entries = new long[capacity * WORDS];
        for (int i = 0; i < capacity; i++) {
            sequences[i] = i;
        }
    }

    /** Called by the ring pollers, concurrently. */
    @Override
    public void onExec(ExecRecord record) {
        offer(record.commWord(0), record.commWord(1), record.ktimeNanos(), record.cgroupId(), (int) record.uid());
    }

    /** Called by the ring pollers, concurrently. */
    @Override
    public void onExit(ExitRecord record) {
        offerExit(record.commWord(0), record.commWord(1), record.cgroupId(), (int) record.uid(), record.status(),
                record.lifetimeNanos());
    }

    /** Where cgroup records go, on the poller's thread, before the records behind them are queued. */
    @FunctionalInterface
    public interface CgroupListener {
        void learn(long cgroupId, byte[] path);
    }

    private volatile CgroupListener cgroups;

    /** Hands cgroup records to {@code listener} (the cgroup resolver) as the pollers read them. */
    public void learnCgroupsWith(CgroupListener listener) {
        this.cgroups = listener;
    }

    /** Called by the ring pollers, concurrently: the path is learnt before this ring's next record is queued. */
    @Override
    public void onCgroup(CgroupRecord record) {
        CgroupListener listener = cgroups;
        if (listener != null && record.resolved()) {
            listener.learn(record.cgroupId(), record.path());
        }
    }

    /** Called by the ring pollers, concurrently. */
    @Override
    public void onFailure(FailRecord record) {
        offerFailure(record.commWord(0), record.commWord(1), record.cgroupId(), (int) record.uid(), record.error());
    }

    /** Adds a failed exec, or counts a drop (one counter for every kind) and returns false. Never blocks. */
    public boolean offerFailure(long commWord0, long commWord1, long cgroupId, int uid, int errno) {
        long meta = KIND_FAIL | (errno & 0xffffffL) << 32 | Integer.toUnsignedLong(uid);
        return put(commWord0, commWord1, 0, cgroupId, meta);
    }

    /** Adds an exec in cgroup 0 by uid 0 (tests and benchmarks); see {@link #offer(long, long, long, long, int)}. */
    public boolean offer(long commWord0, long commWord1, long ktimeNanos) {
        return offer(commWord0, commWord1, ktimeNanos, 0, 0);
    }

    /** Adds an exec, or counts a drop and returns false when the queue is full. Never blocks. */
    public boolean offer(long commWord0, long commWord1, long ktimeNanos, long cgroupId, int uid) {
        return put(commWord0, commWord1, ktimeNanos, cgroupId, KIND_EXEC | Integer.toUnsignedLong(uid));
    }

    /** Adds an exit in cgroup 0 by uid 0 (tests); see {@link #offerExit(long, long, long, int, int, long)}. */
    public boolean offerExit(long commWord0, long commWord1, int status, long lifetimeNanos) {
        return offerExit(commWord0, commWord1, 0, 0, status, lifetimeNanos);
    }

    /** Adds an exit, or counts a drop (one counter for both kinds) and returns false. Never blocks. */
    public boolean offerExit(long commWord0, long commWord1, long cgroupId, int uid, int status, long lifetimeNanos) {
        long meta = KIND_EXIT | (status & 0xffffffL) << 32 | Integer.toUnsignedLong(uid);
        return put(commWord0, commWord1, lifetimeNanos, cgroupId, meta);
    }

    private boolean put(long commWord0, long commWord1, long time, long cgroupId, long meta) {
        long position = tail.get();
        int slot;
        while (true) {
            slot = (int) (position % capacity);
            long sequence = (long) SEQUENCE.getAcquire(sequences, slot);
            long lag = sequence - position;
            if (lag == 0) {
                if (tail.compareAndSet(position, position + 1)) {
                    break;
                }
                position = tail.get();
            } else if (lag < 0) {
                dropped.incrementAndGet(); // the consumer has not freed this slot yet: full
                return false;
            } else {
                position = tail.get(); // another producer took it
            }
        }
        int at = slot * WORDS;
        entries[at] = commWord0;
        entries[at + 1] = commWord1;
        entries[at + 2] = time;
        entries[at + 3] = cgroupId;
        entries[at + 4] = meta;
        SEQUENCE.setVolatile(sequences, slot, position + 1); // volatile: ordered before the read of waiter
        Thread sleeping = waiter;
        if (sleeping != null) {
            LockSupport.unpark(sleeping);
        }
        return true;
    }

    /** Hands at most {@code limit} entries, oldest first, to {@code handler}. Consumer thread only. */
    public int drain(EntryHandler handler, int limit) {
        long position = (long) HEAD.getOpaque(this);
        int count = 0;
        while (count < limit) {
            int slot = (int) (position % capacity);
            if ((long) SEQUENCE.getAcquire(sequences, slot) != position + 1) {
                break; // empty, or a producer has claimed the slot but not yet published it
            }
            int at = slot * WORDS;
            long word0 = entries[at];
            long word1 = entries[at + 1];
            long time = entries[at + 2];
            long cgroupId = entries[at + 3];
            long meta = entries[at + 4];
            SEQUENCE.setRelease(sequences, slot, position + capacity);
            position++;
            HEAD.setRelease(this, position);
            count++;
            int uid = (int) meta;
            int value = (int) (meta >>> 32) & 0xffffff;
            long kind = meta & KIND_MASK;
            if (kind == KIND_EXEC) {
                handler.onEntry(word0, word1, time, cgroupId, uid);
            } else if (kind == KIND_EXIT) {
                handler.onExit(word0, word1, cgroupId, uid, value, time);
            } else {
                handler.onFailure(word0, word1, cgroupId, uid, value);
            }
        }
        return count;
    }

    /**
     * Consumer thread only: sleeps until an entry is queued, the thread is unparked, or
     * {@code timeoutNanos} pass (negative: no timeout). May return early, as park may.
     */
    public void await(long timeoutNanos) {
        waiter = Thread.currentThread();
        long position = (long) HEAD.getOpaque(this);
        if ((long) SEQUENCE.getVolatile(sequences, (int) (position % capacity)) != position + 1) {
            if (timeoutNanos < 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        }
        waiter = null;
    }

    public int capacity() {
        return capacity;
    }

    /** Entries waiting now (claimed by producers, not yet drained); any thread, approximate. */
    public int depth() {
        long depth = tail.get() - (long) HEAD.getVolatile(this);
        return (int) Math.max(0, Math.min(capacity, depth));
    }

    /** Execs and exits dropped because the queue was full, since it was made. */
    public long dropped() {
        return dropped.get();
    }
}
