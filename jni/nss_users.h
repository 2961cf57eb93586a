/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef EXEC_EXPORTER_NSS_USERS_H
#define EXEC_EXPORTER_NSS_USERS_H

#include <jni.h>

/* Binds the natives of org.execexporter.attribution.NssUsers; 0 or -1 (a Java exception pending). */
int nss_users_register(JNIEnv *env);

#endif
