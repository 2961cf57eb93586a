// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * JNI binding of org.execexporter.attribution.NssUsers: uid -> user name through the C library's
 * name service switch (getpwuid_r), so users that live in LDAP, sssd or systemd's userdb resolve as
 * they do for ls and ps, not only those in /etc/passwd. Java has no API for it.
 *
 * Bound by nss_users_register() from JNI_OnLoad. Errors cross as -errno; no Java object is made
 * here: the name is copied into the caller's array.
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jni.h>

#include "nss_users.h"
#include "org_execexporter_attribution_NssUsers.h"

#define JAVA_CLASS "org/execexporter/attribution/NssUsers"

/* The Java side tells these apart (javac -h writes its constants into the header). */
_Static_assert(org_execexporter_attribution_NssUsers_ENOENT == ENOENT, "errno");
_Static_assert(org_execexporter_attribution_NssUsers_ERANGE == ERANGE, "errno");

/* A passwd entry's strings live in the caller's buffer; large directory entries need more. */
#define PW_BUFFER_MIN 1024
#define PW_BUFFER_MAX (1024 * 1024)

/*
 * Copies the name of `uid` into `out`; returns its length, -ENOENT when nss knows no such user,
 * -ERANGE when the name does not fit `out`, or the -errno of the lookup.
 */
static jint userName0(JNIEnv *env, jclass cls, jint uid, jbyteArray out)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > PW_BUFFER_MIN ? (size_t)hint : PW_BUFFER_MIN;
	struct passwd pw, *found = NULL;
	char *buffer = NULL;
	size_t length;
	int err;
	(void)cls;

	for (;;) {
		char *bigger = realloc(buffer, size);

		if (!bigger) {
			free(buffer);
			return -ENOMEM;
		}
		buffer = bigger;
		err = getpwuid_r((uid_t)uid, &pw, buffer, size, &found);
		if (err != ERANGE || size >= PW_BUFFER_MAX)
			break;
		size *= 2;
	}
	if (err || !found) {
		free(buffer);
		/* "not found" is 0 with no entry in glibc; some nss modules say ENOENT */
		return err && err != ENOENT ? -err : -ENOENT;
	}
	length = strlen(pw.pw_name);
	if (length > (size_t)(*env)->GetArrayLength(env, out)) {
		free(buffer);
		return -ERANGE;
	}
	(*env)->SetByteArrayRegion(env, out, 0, (jsize)length, (const jbyte *)pw.pw_name);
	free(buffer);
	return (jint)length;
}

static const JNINativeMethod methods[] = {
	{ "userName0", "(I[B)I", (void *)userName0 },
};

int nss_users_register(JNIEnv *env)
{
	jclass cls = (*env)->FindClass(env, JAVA_CLASS);

	if (!cls)
		return -1;
	return (*env)->RegisterNatives(env, cls, methods, sizeof(methods) / sizeof(methods[0])) == JNI_OK ? 0 : -1;
}
