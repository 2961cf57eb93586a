package org.execexporter.attribution;

import java.io.IOException;
import java.util.Arrays;
import org.execexporter.capture.NativeLibrary;

/**
 * User names through the C library's name service switch ({@code getpwuid_r}, jni/nss_users.c):
 * the same answer {@code ls -l} and {@code ps} give, whether the user is in /etc/passwd, LDAP, sssd
 * or systemd's userdb.
 *
 * <p>The native code is part of libexecexporter.so, loaded (once per process) before the first
 * lookup; a lookup may block as long as the host's nss does.
 */
public final class NssUsers implements UserNames.Directory {
    /** LOGIN_NAME_MAX: longer names are refused as a failure. */
    static final int NAME_MAX = 256;
    // Linux errno values; checked against <errno.h> in nss_users.c.
    static final int ENOENT = 2;
    static final int ERANGE = 34;

    @Override
    public byte[] name(int uid) throws IOException {
        NativeLibrary.load();
        byte[] out = new byte[NAME_MAX];
        int length = userName0(uid, out);
        if (length >= 0) {
            return Arrays.copyOf(out, length);
        }
        if (length == -ENOENT) {
            return null;
        }
        throw new IOException("cannot look up uid " + Integer.toUnsignedString(uid) + " through nss: "
                + (length == -ERANGE ? "name longer than " + NAME_MAX + " bytes" : "errno " + -length));
    }

    private static native int userName0(int uid, byte[] out);
}
