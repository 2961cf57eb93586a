package org.execexporter.pipeline;

/**
 * A comm as a map key: its 16 bytes as two little-endian longs, zero after the comm (as
 * {@code ExecRecord.commWord} gives them). The aggregator keeps one mutable probe to look keys up
 * without allocating; keys stored in a map are copies and never change.
 */
final class SeriesKey {
    private long word0;
    private long word1;

    SeriesKey(long word0, long word1) {
        this.word0 = word0;
        this.word1 = word1;
    }

    /** Repoints this probe; never call it on a key that is in a map. */
    SeriesKey set(long word0, long word1) {
        this.word0 = word0;
        this.word1 = word1;
        return this;
    }

    /** The key of a comm's bytes (at most 15, none zero). */
    static SeriesKey of(byte[] comm) {
        long[] words = new long[2];
        for (int i = 0; i < comm.length; i++) {
            words[i / 8] |= (comm[i] & 0xffL) << (8 * (i % 8));
        }
        return new SeriesKey(words[0], words[1]);
    }

    SeriesKey copy() {
        return new SeriesKey(word0, word1);
    }

    /** The comm's bytes, up to the first zero byte. */
    byte[] bytes() {
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
        return other instanceof SeriesKey k && k.word0 == word0 && k.word1 == word1;
    }

    @Override
    public int hashCode() {
        long h = word0 * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(word1 * 0xC2B2AE3D27D4EB4FL, 31);
        return (int) (h ^ (h >>> 32));
    }
}
