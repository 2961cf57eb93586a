package org.execexporter.capture;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ring's batch as jni/probe.c writes it: records back to back, each a native-endian u32 size
 * followed by that many bytes of struct exec_event, exit_event or fail_event (with the kernel's trailing
 * padding), told apart by the kind byte they share.
 */
final class RecordBatch {
    static final int SIZE_PREFIX = 4;

    private RecordBatch() {}

    /** Decodes {@code length} bytes of batch into {@code record}, one at a time, for the sink. */
    static void dispatch(ByteBuffer batch, int length, ExecRecord record, ExitRecord exit, FailRecord failure,
                         ExecEventSink sink, AtomicLong delivered, AtomicLong malformed) {
        dispatch(batch, length, record, exit, failure, new CgroupRecord(), sink, delivered, malformed);
    }

    /** As above; cgroup records are handed over too, but are not counted as delivered (no exec, exit or failure). */
    static void dispatch(ByteBuffer batch, int length, ExecRecord record, ExitRecord exit, FailRecord failure,
                         CgroupRecord cgroup, ExecEventSink sink, AtomicLong delivered, AtomicLong malformed) {
        int position = 0;
        long good = 0;
        try {
            while (length - position >= SIZE_PREFIX) {
                int size = batch.getInt(position);
                position += SIZE_PREFIX;
                if (size < 0 || size > length - position) {
                    malformed.incrementAndGet(); // the rest of the batch cannot be framed
                    break;
                }
                if (record.wrap(batch, position, size)) {
                    sink.onExec(record);
                    good++;
                } else if (exit.wrap(batch, position, size)) {
                    sink.onExit(exit);
                    good++;
                } else if (failure.wrap(batch, position, size)) {
                    sink.onFailure(failure);
                    good++;
                } else if (cgroup.wrap(batch, position, size)) {
                    sink.onCgroup(cgroup);
                } else {
                    malformed.incrementAndGet();
                }
                position += size;
            }
        } finally {
            if (good > 0) {
                delivered.addAndGet(good);
            }
        }
    }
}
