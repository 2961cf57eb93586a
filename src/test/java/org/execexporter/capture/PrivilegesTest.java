package org.execexporter.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrivilegesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "000001ffffffffff | ''",                       // root
        "0000000000000000 | CAP_BPF,CAP_PERFMON",
        "0000008000000000 | CAP_PERFMON",              // CAP_BPF only
        "0000004000000000 | CAP_BPF",                  // CAP_PERFMON only
        "000000c000000000 | ''",                       // both
        "0000000000200000 | ''",                       // CAP_SYS_ADMIN alone
    })
    void missingCapabilities(String capEff, String missing) {
        String status = "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\nCapBnd:\t000001ffffffffff\n";
        long effective = Privileges.effectiveCapabilities(status);
        assertThat(Privileges.missingCapabilities(effective))
                .isEqualTo(missing.isEmpty() ? List.of() : List.of(missing.split(",")));
    }
}
