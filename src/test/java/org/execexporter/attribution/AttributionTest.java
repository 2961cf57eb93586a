package org.execexporter.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Label values from a cgroup tree laid out as the kubelet's and the host's real nss. */
class AttributionTest {
    private static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final String UID = "3f4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d";

    @TempDir
    Path top;

    @BeforeAll
    static void loadNative() throws IOException {
        NativeForTests.load();
    }

    private CgroupResolver resolver() {
        return new CgroupResolver(new CgroupMount(top, new byte[] {'/'}),
                new CgroupResolver.Settings(100, 32, 10_000, Duration.ZERO), System::nanoTime);
    }

    private static UserNames users() {
        return new UserNames(new NssUsers(), UserNames.Settings.DEFAULTS, System::nanoTime);
    }

    @Test
    void valuesFollowTheChosenLabelsInTheirOrder() throws IOException {
        Path container = Files.createDirectories(top.resolve("kubepods.slice/kubepods-besteffort.slice/"
                + "kubepods-besteffort-pod" + UID.replace('-', '_') + ".slice/cri-containerd-" + ID + ".scope"));
        long id = (Long) Files.getAttribute(container, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        Attribution attribution = new Attribution(AttributionLabel.parseList("comm,unit,container,pod,user,user_unit"),
                resolver(), users());

        assertThat(attribution.labels()).containsExactly(AttributionLabel.UNIT, AttributionLabel.USER_UNIT,
                AttributionLabel.CONTAINER, AttributionLabel.POD, AttributionLabel.USER);
        assertThat(attribution.resolve(id, 0).values())
                .containsExactly("cri-containerd-" + ID + ".scope", "", ID.substring(0, 12), UID, "root");
        assertThat(attribution.resolve(id + 1_000_000, 2_147_000_123).values()).containsExactly("", "", "", "", "2147000123");
    }

    @Test
    void onlyWhatTheLabelsNeedIsOpened() throws IOException {
        Attribution commOnly = Attribution.open(AttributionLabel.parseList("comm"), CgroupResolver.Settings.DEFAULTS,
                UserNames.Settings.DEFAULTS);
        assertThat(commOnly.labels()).isEmpty();
        assertThat(commOnly.cgroups()).isNull();
        assertThat(commOnly.users()).isNull();
        assertThat(commOnly.resolve(1, 0).values()).isEmpty();

        Attribution user = Attribution.open(AttributionLabel.parseList("comm,user"), CgroupResolver.Settings.DEFAULTS,
                UserNames.Settings.DEFAULTS);
        assertThat(user.cgroups()).isNull();
        assertThat(user.resolve(1, 0).values()).containsExactly("root");
    }

    @Test
    void aLabelWithoutItsSourceIsAMistake() {
        assertThatThrownBy(() -> new Attribution(AttributionLabel.parseList("container"), null, users()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Attribution(AttributionLabel.parseList("user"), resolver(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
