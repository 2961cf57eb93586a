package org.execexporter.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that loads BPF for real (see {@link RootOrCi}): as root it runs, in CI without
 * root it fails, elsewhere it is skipped, loudly. Tagged "bpf" so a run can select or leave them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("bpf")
@ExtendWith(NeedsBpf.Gate.class)
public @interface NeedsBpf {
    /** Checks once per class, before any of its tests or their @BeforeAll. */
    final class Gate implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            RootOrCi.requireBpf();
        }
    }
}
