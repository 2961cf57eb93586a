package org.execexporter.capture;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "000000c000004000 | CAP_IPC_LOCK, CAP_PERFMON, CAP_BPF (000000c000004000)",
        "000001fffeffffff | 40 capabilities (000001fffeffffff)",
        "0800000000000100 | CAP_SETPCAP, capability 59 (0800000000000100)",
    })
    void describesASetByNameWhenItHoldsAFew(String hex, String described) {
        assertThat(Privileges.describe(Long.parseUnsignedLong(hex, 16))).isEqualTo(described);
        assertThat(Privileges.capabilitySet("CapInh:\t0\nCapBnd:\t" + hex + "\n", "CapBnd"))
                .isEqualTo(Long.parseUnsignedLong(hex, 16));
    }

    @Test
    void aKernelWithoutBtfIsOneLineSayingWhatIsNeeded() {
        String root = "CapEff:\t000001ffffffffff\n";
        assertThatThrownBy(() -> Privileges.check(root, Path.of("/nonexistent/btf/vmlinux")))
                .isInstanceOf(CaptureException.class)
                .hasMessage("the kernel has no BTF (/nonexistent/btf/vmlinux is missing): exec-exporter needs a kernel "
                        + "built with CONFIG_DEBUG_INFO_BTF=y");
    }

    @Test
    void missingCapabilitiesComeBeforeBtf() {
        assertThatThrownBy(() -> Privileges.check("CapEff:\t0000000000000000\n", Path.of("/nonexistent")))
                .hasMessage("missing CAP_BPF and CAP_PERFMON: run as root or with the capabilities CAP_BPF and CAP_PERFMON");
    }
}
