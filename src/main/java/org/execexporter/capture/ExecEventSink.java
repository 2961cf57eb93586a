package org.execexporter.capture;

/**
 * Receives execs and exits on the poller threads, several at once (one per CPU ring):
 * implementations must be thread-safe, must not block, and must copy what they keep out of the record.
 */
@FunctionalInterface
public interface ExecEventSink {
    void onExec(ExecRecord record);

    /**
     * A process that had exec'd ended. Exit records come only from a capture opened with
     * {@link ProbeOptions#exits()}: a sink that does not count exits (trace) opens without them.
     */
    default void onExit(ExitRecord record) {
        // nothing to count: such a sink's capture sends no exits
    }

    /** An execve or execveat call failed; only from a capture opened with {@link ProbeOptions#failures()}. */
    default void onFailure(FailRecord record) {
        // nothing to count: such a sink's capture sends no failures
    }

    /**
     * The path of a cgroup, ahead of this ring's first record of it; only from a capture opened
     * with {@link ProbeOptions#cgroupRootId()}. Handle it before returning: the records that follow
     * rely on it.
     */
    default void onCgroup(CgroupRecord record) {
        // nothing to learn: such a sink's capture sends no cgroup records
    }
}
