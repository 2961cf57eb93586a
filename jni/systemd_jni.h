/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef EXEC_EXPORTER_SYSTEMD_JNI_H
#define EXEC_EXPORTER_SYSTEMD_JNI_H

#include <jni.h>

/* Binds the natives of org.execexporter.systemd.SystemdNative; 0 or -1 (a Java exception pending). */
int systemd_jni_register(JNIEnv *env);

#endif
