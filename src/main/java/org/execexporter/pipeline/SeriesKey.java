package org.execexporter.pipeline;

/**
 * What an exec record says about its series before any label is worked out: the comm as two
 * little-endian longs (zero after the comm, as {@code ExecRecord.commWord} gives them), the cgroup
 * id and the uid. The parts the chosen labels do not use are zero, so that they do not split
 * series. The table keeps one mutable probe to look keys up without allocating; keys stored in a
 * map are copies and never change.
 */
final class SeriesKey {
    private long word0;
    private long word1;
    private long cgroupId;
    private int uid;

    SeriesKey(long word0, long word1, long cgroupId, int uid) {
        set(word0, word1, cgroupId, uid);
    }

    /** Repoints this probe; never call it on a key that is in a map. */
    SeriesKey set(long word0, long word1, long cgroupId, int uid) {
        this.word0 = word0;
        this.word1 = word1;
        this.cgroupId = cgroupId;
        this.uid = uid;
        return this;
    }

    long cgroupId() {
        return cgroupId;
    }

    int uid() {
        return uid;
    }

    SeriesKey copy() {
        return new SeriesKey(word0, word1, cgroupId, uid);
    }

    /** The words of a comm's bytes (at most 15, none zero). */
    static long[] words(byte[] comm) {
        long[] words = new long[2];
        for (int i = 0; i < comm.length; i++) {
            words[i / 8] |= (comm[i] & 0xffL) << (8 * (i % 8));
        }
        return words;
    }

    /** The comm's bytes, up to the first zero byte. */
    byte[] commBytes() {
        byte[] all = new byte[16];
        int length = 0;
        while (length < 16) {
            long word = length < 8 ? word0 : word1;
            byte b = (byte) (word >>> (8 * (length % 8)));
            if (b == 0) {
                break;
            }
            all[length++] = b;
        }
        return java.util.Arrays.copyOf(all, length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SeriesKey k && k.word0 == word0 && k.word1 == word1 && k.cgroupId == cgroupId
                && k.uid == uid;
    }

    @Override
    public int hashCode() {
        long h = word0 * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(word1 * 0xC2B2AE3D27D4EB4FL, 31)
                ^ Long.rotateLeft(cgroupId * 0x165667B19E3779F9L, 17) ^ uid * 0x27D4EB2F165667C5L;
        return (int) (h ^ (h >>> 32));
    }
}
