package org.execexporter.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The helpers that end processes in known ways do what the exit and failure tests will count on.
 * Java reports a process killed by signal N as exit value 128 + N.
 */
class TestNativeTest {
    private static final int SIGKILL = 9;
    private static final int SIGSEGV = 11;

    private record Ended(int exitValue, String stdout, String stderr, long nanos) {}

    private static Ended run(Path binary, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).start();
        // a helper that hangs is a failure, not a stuck build
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
        long nanos = System.nanoTime() - start;
        return new Ended(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8), nanos);
    }

    @Test
    void exit3ExitsWithThree() throws Exception {
        assertThat(run(TestNative.exit3()).exitValue()).isEqualTo(3);
    }

    @Test
    void killselfIsKilledBySigkill() throws Exception {
        assertThat(run(TestNative.killself()).exitValue()).isEqualTo(128 + SIGKILL);
    }

    @Test
    void segvIsKilledBySigsegv() throws Exception {
        Ended ended = run(TestNative.segv());
        assertThat(ended.exitValue()).as(ended.stderr()).isEqualTo(128 + SIGSEGV);
    }

    @Test
    void sleeperLivesAtLeastWhatItIsTold() throws Exception {
        Ended ended = run(TestNative.sleeper(), "300");
        assertThat(ended.exitValue()).isZero();
        assertThat(ended.nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    }

    @Test
    void execfailFailsEachCallAsAsked() throws Exception {
        Ended ended = run(TestNative.execfail(), "7", "5", "2");
        assertThat(ended.exitValue()).as(ended.stderr()).isZero();
        assertThat(ended.stdout()).isEqualTo("ENOENT 7 EACCES 5 ENOEXEC 2 other 0\n");
    }

    /** after-exit: the kernel makes the last thread's bare exit the group's (synchronize_group_exit). */
    @ParameterizedTest
    @CsvSource({"before,1,5", "before,16,7", "after,1,5", "after,16,7", "after-exit,16,9"})
    void threadsEndTheProcessWithTheCode(String mode, String threads, int code) throws Exception {
        Ended ended = run(TestNative.threads(), mode, threads, Integer.toString(code));
        assertThat(ended.exitValue()).as(ended.stderr()).isEqualTo(code);
    }

    @ParameterizedTest
    @CsvSource({"threads,sideways 1 1", "threads,before 0 1", "sleeper,-1", "sleeper,1x", "execfail,1", "execfail,1 -2"})
    void usageErrorsExitTwo(String helper, String args) throws Exception {
        Ended ended = run(TestNative.dir().resolve(helper), args.split(" "));
        assertThat(ended.exitValue()).isEqualTo(2);
        assertThat(ended.stderr()).isNotBlank();
    }
}
