package org.execexporter.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JNI library loads without privileges: its JNI_OnLoad binds every native and resolves what C
 * calls back (BpfException's constructor), so a Java/C mismatch fails here, not on an error path
 * that only a failing probe would reach.
 */
class NativeLibraryTest {
    @Test
    void loadsAndBindsEveryNative() {
        long expected = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - System.nanoTime();
        assertThat(KernelClock.realtimeOffsetNanos()).isCloseTo(expected,
                org.assertj.core.data.Offset.offset(TimeUnit.SECONDS.toNanos(1)));
    }

    @Test
    void errnoReadsAsTheCLibrarySaysIt() {
        assertThat(ExecProbeNative.strerror0(-2)).isEqualTo("No such file or directory");
        assertThat(ExecProbeNative.strerror0(1)).isEqualTo("Operation not permitted");
    }
}
