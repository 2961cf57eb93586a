package org.execexporter.capture;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecordBatchTest {
    private final List<ExecEvent> seen = new ArrayList<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    private void dispatch(ByteBuffer batch, int length) {
        RecordBatch.dispatch(batch, length, new ExecRecord(), new ExitRecord(), new FailRecord(), r -> seen.add(ExecEvent.of(r)), delivered, malformed);
    }

    @Test
    void deliversEveryRecordInOrder() {
        ByteBuffer batch = TestRecords.batch(
                TestRecords.row(1, 10, 1, 0, "a".getBytes(US_ASCII), "/a".getBytes(US_ASCII), false, 6),
                TestRecords.row(2, 11, 1, 0, "bb".getBytes(US_ASCII), "/bb".getBytes(US_ASCII), false, 1),
                TestRecords.row(3, 12, 1, 0, "ccc".getBytes(US_ASCII), new byte[0], false, 0));
        dispatch(batch, batch.capacity());
        assertThat(seen).extracting(ExecEvent::pid).containsExactly(10, 11, 12);
        assertThat(seen.get(1).filename()).isEqualTo("/bb".getBytes(US_ASCII));
        assertThat(delivered.get()).isEqualTo(3);
        assertThat(malformed.get()).isZero();
    }

    @Test
    void tellsExitsFromExecsByTheirKind() {
        List<String> order = new ArrayList<>();
        ExecEventSink sink = new ExecEventSink() {
            @Override
            public void onExec(ExecRecord r) {
                order.add("exec " + r.pid());
            }

            @Override
            public void onExit(ExitRecord r) {
                order.add("exit " + r.pid() + " " + ExitStatus.label(r.status()) + " " + r.lifetimeNanos()
                        + " " + new String(r.comm(), US_ASCII));
            }
        };
        byte[] zeroKind = TestRecords.exitRow(1, 13, 0, "z".getBytes(US_ASCII));
        zeroKind[ExecRecord.KIND_OFFSET] = 0; // a zeroed kind is never a record
        ByteBuffer batch = TestRecords.batch(
                TestRecords.row(1, 10, 1, 0, "a".getBytes(US_ASCII), "/a".getBytes(US_ASCII), false, 0),
                TestRecords.exitRow(2_500_000, 10, 3 << 8, "a".getBytes(US_ASCII)),
                TestRecords.exitRow(7, 11, 9, "fifteen-bytes-x".getBytes(US_ASCII)),
                zeroKind);
        RecordBatch.dispatch(batch, batch.capacity(), new ExecRecord(), new ExitRecord(), new FailRecord(), sink, delivered, malformed);
        assertThat(order).containsExactly("exec 10", "exit 10 3 2500000 a", "exit 11 SIGKILL 7 fifteen-bytes-x");
        assertThat(delivered.get()).isEqualTo(3);
        assertThat(malformed.get()).isEqualTo(1);
    }

    @Test
    void emptyBatchDeliversNothing() {
        dispatch(TestRecords.batch(), 0);
        assertThat(seen).isEmpty();
        assertThat(delivered.get()).isZero();
    }

    @Test
    void aSizeBeyondTheBatchStopsDecodingAndIsCounted() {
        ByteBuffer batch = TestRecords.batch(
                TestRecords.row(1, 10, 1, 0, "a".getBytes(US_ASCII), new byte[0], false, 0),
                TestRecords.row(2, 11, 1, 0, "b".getBytes(US_ASCII), new byte[0], false, 0));
        batch.putInt(4 + ExecRecord.HEADER_SIZE, 9999); // the second record's size prefix
        dispatch(batch, batch.capacity());
        assertThat(seen).extracting(ExecEvent::pid).containsExactly(10);
        assertThat(malformed.get()).isEqualTo(1);
    }

    @Test
    void aRecordTooShortIsSkippedAndCounted() {
        ByteBuffer batch = TestRecords.batch(new byte[8],
                TestRecords.row(2, 11, 1, 0, "b".getBytes(US_ASCII), new byte[0], false, 0));
        dispatch(batch, batch.capacity());
        assertThat(seen).extracting(ExecEvent::pid).containsExactly(11);
        assertThat(malformed.get()).isEqualTo(1);
    }

    @Test
    void deliveredCountsRecordsBeforeASinkFailure() {
        ByteBuffer batch = TestRecords.batch(
                TestRecords.row(1, 10, 1, 0, "a".getBytes(US_ASCII), new byte[0], false, 0),
                TestRecords.row(2, 11, 1, 0, "b".getBytes(US_ASCII), new byte[0], false, 0));
        // the failure reaches the poller, which logs it
        assertThatThrownBy(() -> RecordBatch.dispatch(batch, batch.capacity(), new ExecRecord(), new ExitRecord(), new FailRecord(), r -> {
            if (r.pid() == 11) {
                throw new IllegalStateException("boom");
            }
        }, delivered, malformed)).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(delivered.get()).isEqualTo(1);
        assertThat(malformed.get()).isZero();
    }
}
