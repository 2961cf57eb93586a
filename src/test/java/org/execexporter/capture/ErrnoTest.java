package org.execexporter.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** errno numbers as asm-generic/errno-base.h and errno.h define them, by name. */
class ErrnoTest {
    @ParameterizedTest
    @CsvSource({"1, EPERM", "2, ENOENT", "7, E2BIG", "8, ENOEXEC", "13, EACCES", "20, ENOTDIR", "26, ETXTBSY",
            "36, ENAMETOOLONG", "40, ELOOP", "41, E41", "42, ENOMSG", "58, E58", "59, EBFONT", "61, ENODATA",
            "84, EILSEQ", "95, EOPNOTSUPP", "110, ETIMEDOUT", "125, ECANCELED", "133, EHWPOISON", "134, E134",
            "0, E0", "-1, E4294967295"})
    void namesEachNumberOrSaysTheNumber(int errno, String name) {
        assertThat(Errno.name(errno)).isEqualTo(name);
    }
}
