package org.execexporter.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Wait statuses as waitpid() reports them, named as the status label shows them. */
class ExitStatusTest {
    @Test
    void aNormalExitIsItsDecimalCode() {
        assertThat(ExitStatus.label(0)).isEqualTo("0");
        assertThat(ExitStatus.label(3 << 8)).isEqualTo("3");
        assertThat(ExitStatus.label(255 << 8)).isEqualTo("255");
        assertThat(ExitStatus.signal(3 << 8)).isZero();
        assertThat(ExitStatus.code(3 << 8)).isEqualTo(3);
    }

    @Test
    void aSignalIsItsNameWithOrWithoutACore() {
        assertThat(ExitStatus.label(9)).isEqualTo("SIGKILL");
        assertThat(ExitStatus.label(11)).isEqualTo("SIGSEGV");
        assertThat(ExitStatus.label(11 | 0x80)).isEqualTo("SIGSEGV");
        assertThat(ExitStatus.coreDumped(11 | 0x80)).isTrue();
        assertThat(ExitStatus.coreDumped(11)).isFalse();
        assertThat(ExitStatus.label(1)).isEqualTo("SIGHUP");
        assertThat(ExitStatus.label(15)).isEqualTo("SIGTERM");
        assertThat(ExitStatus.label(31)).isEqualTo("SIGSYS");
    }

    @Test
    void realtimeAndUnknownSignalsHaveNumberedNames() {
        assertThat(ExitStatus.label(34)).isEqualTo("SIGRT_2"); // glibc's SIGRTMIN
        assertThat(ExitStatus.label(64)).isEqualTo("SIGRT_32");
        assertThat(ExitStatus.label(0x7e)).isEqualTo("SIG126");
    }

    /** Every signal 1-31 has its own name: the table has no gap or duplicate. */
    @Test
    void everyClassicSignalHasADistinctName() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int signal = 1; signal < 32; signal++) {
            assertThat(ExitStatus.signalName(signal)).startsWith("SIG").doesNotStartWith("SIGRT");
            names.add(ExitStatus.signalName(signal));
        }
        assertThat(names).hasSize(31);
    }
}
