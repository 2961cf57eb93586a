package org.execexporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.execexporter.base.NameEscaper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CgroupPathsTest {
    private static final String ID = "3b8f0c6d2a1e4f5b9c7d8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b";
    private static final String ID2 = "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1";
    private static final String SHORT = ID.substring(0, 12);
    private static final String UID = "3f4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d";
    private static final String UID_ = UID.replace('-', '_');
    private static final String STATIC_UID = "8f2a8c2e1d7b4f6a9e0c3b5d7f9a1c2e";

    /** path, unit, user unit, container, pod */
    static Stream<Arguments> paths() {
        return Stream.of(
                // systemd services, nested slices, instances and escapes
                row("/system.slice/cron.service", "cron.service", "", "", ""),
                row("/init.scope", "init.scope", "", "", ""),
                row("/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service", "", "", ""),
                row("/system.slice/system-systemd\\x2dfsck.slice/systemd-fsck@dev-disk-by\\x2duuid-12ab.service",
                        "systemd-fsck@dev-disk-by\\\\x2duuid-12ab.service", "", "", ""),
                row("/system.slice/_cpu.service", "cpu.service", "", "", ""),           // cgroup-escaped name
                row("/system.slice/foo.service/payload/sub", "foo.service", "", "", ""), // delegated subtree
                row("/system.slice/run-u42.scope", "run-u42.scope", "", "", ""),
                row("/machine.slice/systemd-nspawn@debian.service/payload/system.slice/cron.service",
                        "systemd-nspawn@debian.service", "", "", ""),
                // in no unit
                row("/", "", "", "", ""),
                row("", "", "", "", ""),
                row("/system.slice", "", "", "", ""),
                row("/user.slice/user-1000.slice", "", "", "", ""),
                row("/payload/init.scope", "", "", "", ""),                               // not systemd's layout
                row("/lxc.payload.c1/init.scope", "", "", "", ""),
                row("/system.slice/foo@.service", "", "", "", ""),                        // a template never runs
                row("/system.slice/@foo.service", "", "", "", ""),
                row("/system.slice/foo.socketx", "", "", "", ""),
                row("/system.slice/.service", "", "", "", ""),
                // user sessions and per-user service managers
                row("/user.slice/user-1000.slice/session-3.scope", "session-3.scope", "", "", ""),
                row("/user.slice/user-0.slice/session-c1.scope", "session-c1.scope", "", "", ""),
                row("/user.slice/user-1000.slice/user@1000.service/init.scope", "user@1000.service", "init.scope", "", ""),
                row("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
                        "user@1000.service", "foo.service", "", ""),
                row("/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/"
                        + "vte-spawn-2a6d2b07-bb2e-4c4f-a7b5-9b6f7c2a1b3e.scope",
                        "user@1000.service", "vte-spawn-2a6d2b07-bb2e-4c4f-a7b5-9b6f7c2a1b3e.scope", "", ""),
                row("/user.slice/user-1000.slice/user@1000.service/session.slice/dbus-broker.service",
                        "user@1000.service", "dbus-broker.service", "", ""),
                row("/user.slice/user-1000.slice/user@1000.service/app.slice", "user@1000.service", "", "", ""),
                row("/user.slice/user-0.slice/user@0.service/app.slice/x@1.service", "user@0.service", "x@1.service", "", ""),
                row("/user.slice/user-65535.slice/user@65535.service/app.slice/x.service", "user@65535.service", "", "", ""),
                row("/user.slice/user-1000.slice/user@01000.service/app.slice/x.service", "user@01000.service", "", "", ""),
                row("/system.slice/capsule.slice/capsule@alice.service/app.slice/y.service",
                        "capsule@alice.service", "y.service", "", ""),
                // docker: systemd and cgroupfs drivers, docker in docker (the host's id wins)
                row("/system.slice/docker-" + ID + ".scope", "docker-" + ID + ".scope", "", SHORT, ""),
                row("/system.slice/docker-" + ID + ".scope/init.scope", "docker-" + ID + ".scope", "", SHORT, ""),
                row("/docker/" + ID, "", "", SHORT, ""),
                row("/system.slice/docker-" + ID + ".scope/docker/" + ID2, "docker-" + ID + ".scope", "", SHORT, ""),
                // containerd, nerdctl
                row("/system.slice/cri-containerd-" + ID + ".scope", "cri-containerd-" + ID + ".scope", "", SHORT, ""),
                row("/default/" + ID, "", "", SHORT, ""),
                row("/system.slice/nerdctl-" + ID + ".scope", "nerdctl-" + ID + ".scope", "", SHORT, ""),
                // podman: systemd and cgroupfs managers, rootless, and its monitor
                row("/machine.slice/libpod-" + ID + ".scope", "libpod-" + ID + ".scope", "", SHORT, ""),
                row("/machine.slice/libpod-" + ID + ".scope/container", "libpod-" + ID + ".scope", "", SHORT, ""),
                row("/libpod_parent/libpod-" + ID, "", "", SHORT, ""),
                row("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope/container",
                        "user@1000.service", "libpod-" + ID + ".scope", SHORT, ""),
                row("/machine.slice/libpod-conmon-" + ID + ".scope", "libpod-conmon-" + ID + ".scope", "", "", ""),
                // kubelet, systemd driver: each QoS class, CRI-O and containerd, static pods
                row("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_ + ".slice/cri-containerd-"
                        + ID + ".scope", "cri-containerd-" + ID + ".scope", "", SHORT, UID),
                row("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID_ + ".slice/crio-"
                        + ID + ".scope", "crio-" + ID + ".scope", "", SHORT, UID),
                row("/kubepods.slice/kubepods-pod" + UID_ + ".slice/crio-" + ID + ".scope", "crio-" + ID + ".scope", "", SHORT,
                        UID),
                row("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_ + ".slice/crio-" + ID
                        + ".scope/container", "crio-" + ID + ".scope", "", SHORT, UID),
                row("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_ + ".slice/crio-conmon-" + ID
                        + ".scope", "crio-conmon-" + ID + ".scope", "", "", UID),
                row("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + STATIC_UID + ".slice/cri-containerd-"
                        + ID + ".scope", "cri-containerd-" + ID + ".scope", "", SHORT, STATIC_UID),
                row("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID_ + ".slice",
                        "", "", "", UID),
                row("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                        + "kubelet-kubepods-besteffort-pod" + UID_ + ".slice/cri-containerd-" + ID + ".scope",
                        "cri-containerd-" + ID + ".scope", "", SHORT, UID),
                row("/system.slice/docker-" + ID + ".scope/kubepods/besteffort/pod" + UID + "/" + ID2,
                        "docker-" + ID + ".scope", "", SHORT, UID),                   // kind: a node in docker
                // kubelet, cgroupfs driver: each QoS class
                row("/kubepods/burstable/pod" + UID + "/" + ID, "", "", SHORT, UID),
                row("/kubepods/besteffort/pod" + UID + "/" + ID, "", "", SHORT, UID),
                row("/kubepods/pod" + UID + "/" + ID, "", "", SHORT, UID),
                row("/kubepods/besteffort/pod" + UID + "/crio-" + ID, "", "", SHORT, UID),
                row("/kubepods/burstable/pod" + STATIC_UID + "/" + ID, "", "", SHORT, STATIC_UID),
                // look-alikes that are not containers nor pods
                row("/docker/" + ID.substring(1), "", "", "", ""),                        // 63 digits
                row("/docker/" + ID.toUpperCase(), "", "", "", ""),
                row("/system.slice/docker-" + ID + "0.scope", "docker-" + ID + "0.scope", "", "", ""),
                row("/system.slice/pod" + UID + ".service", "pod" + UID + ".service", "", "", ""), // not under kubepods
                row("/kubepods/burstable/pod" + UID_ + "/" + ID, "", "", SHORT, ""),      // cgroupfs writes dashes
                row("/kubepods.slice/kubepods-burstable-pod" + UID + ".slice", "", "", "", ""), // a slice writes _
                row("/kubepods/burstable/podnotauid", "", "", "", ""),
                row("/system.slice/foo-pod" + UID_ + ".slice/x.service", "x.service", "", "", ""));
    }

    private static Arguments row(String path, String unit, String userUnit, String container, String pod) {
        return Arguments.of(path, new CgroupLabels(unit, userUnit, container, pod));
    }

    @ParameterizedTest
    @MethodSource("paths")
    void labels(String path, CgroupLabels expected) {
        assertThat(CgroupPaths.labels(path.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }

    /** path (hex), unit, container: bytes nobody but a hostile user would put in a cgroup name */
    static Stream<Arguments> hostile() {
        String docker = hex("/system.slice/docker-" + ID + ".scope");
        return Stream.of(
                Arguments.of(hex("/system.slice/ev") + "0a" + hex("il.service"), "", ""),
                Arguments.of(hex("/system.slice/cron.service/") + "ff1b5b324a", "cron.service", ""),
                Arguments.of(hex("/evil") + "e280ae" + hex(".slice/x.service"), "", ""),
                Arguments.of(hex("/system.slice/caf") + "c3a9" + hex(".service"), "", ""),  // é: not a unit character
                Arguments.of(hex("/docker/" + ID.substring(0, 63)) + "ff", "", ""),
                Arguments.of(hex("/docker/") + "ff" + hex(ID.substring(1)), "", ""),
                Arguments.of(docker + hex("/") + "0a0a" + hex("/docker/" + ID2), "docker-" + ID + ".scope", SHORT),
                Arguments.of(hex("//system.slice///cron.service//"), "cron.service", ""));
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void hostileBytesNeverReachALabel(String pathHex, String unit, String container) {
        byte[] path = HexFormat.of().parseHex(pathHex);
        CgroupLabels labels = CgroupPaths.labels(path);
        assertThat(labels.unit()).isEqualTo(unit);
        assertThat(labels.container()).isEqualTo(container);
        assertThat(CgroupPaths.render(path)).isEqualTo(NameEscaper.escape(path));
        assertThat(NameEscaper.unescape(CgroupPaths.render(path))).isEqualTo(path);
    }

    @Test
    void aPathRendersAsANameDoes() {
        byte[] path = HexFormat.of().parseHex(hex("/system.slice/a") + "0aff5c" + hex("b.service"));
        assertThat(CgroupPaths.render(path)).isEqualTo("/system.slice/a\\x0a\\xff\\\\b.service");
    }

    @Test
    void aUnitNameOfMoreThan255BytesIsNoUnit() {
        String longest = "a".repeat(255 - ".service".length()) + ".service";
        assertThat(CgroupPaths.labels(("/system.slice/" + longest).getBytes(StandardCharsets.US_ASCII)).unit())
                .isEqualTo(longest);
        assertThat(CgroupPaths.labels(("/system.slice/a" + longest).getBytes(StandardCharsets.US_ASCII)).unit())
                .isEmpty();
    }

    /** Whatever the bytes, every label is short, printable ASCII of its own alphabet. */
    @Test
    void labelsStayBoundedWhateverThePath() {
        Pattern unit = Pattern.compile("[A-Za-z0-9:_.\\-@\\\\]{0,510}");
        Pattern container = Pattern.compile("([0-9a-f]{12})?");
        Pattern pod = Pattern.compile("([0-9a-f-]{32}|[0-9a-f-]{36})?");
        Random random = new Random(12);
        byte[] alphabet = "/.-_@\\sliceservicescopedocker0123456789abcdefkubepods\n\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 30_000; i++) {
            byte[] path = new byte[random.nextInt(i % 100 == 0 ? 20_000 : 300)];
            for (int k = 0; k < path.length; k++) {
                path[k] = random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            CgroupLabels labels = CgroupPaths.labels(path);
            if (!unit.matcher(labels.unit()).matches() || !unit.matcher(labels.userUnit()).matches()
                    || !container.matcher(labels.container()).matches() || !pod.matcher(labels.pod()).matches()) {
                fail(CgroupPaths.render(path) + " gave " + labels);
            }
        }
    }

    private static String hex(String ascii) {
        return HexFormat.of().formatHex(ascii.getBytes(StandardCharsets.US_ASCII));
    }
}
