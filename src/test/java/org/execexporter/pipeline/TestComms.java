package org.execexporter.pipeline;

import java.nio.charset.StandardCharsets;

/** Comms as the two little-endian words the queue and the comm table take, for tests. */
final class TestComms {
    private TestComms() {}

    static long[] words(byte[] comm) {
        long[] words = new long[2];
        for (int i = 0; i < comm.length && i < 15; i++) {
            words[i / 8] |= (comm[i] & 0xffL) << (8 * (i % 8));
        }
        return words;
    }

    static long[] words(String comm) {
        return words(comm.getBytes(StandardCharsets.UTF_8));
    }
}
