// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * JNI binding of org.execexporter.systemd.SystemdNative: what Java cannot do for systemd.
 *
 * sd_notify(3) is a datagram on an AF_UNIX socket; Java's Unix domain sockets are streams only.
 * A socket-activated service finds its listening socket at fd 3; Java's inheritedChannel() looks
 * at fd 0 only. Errors cross as -errno. Bound by systemd_jni_register() from JNI_OnLoad.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <jni.h>

#include "systemd_jni.h"

#define JAVA_CLASS "org/execexporter/systemd/SystemdNative"

static jint notify0(JNIEnv *env, jclass cls, jbyteArray address, jbyteArray message)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	jsize address_len = (*env)->GetArrayLength(env, address);
	jsize message_len = (*env)->GetArrayLength(env, message);
	jbyte *text;
	ssize_t sent = 0;
	int fd, err = 0;
	(void)cls;

	if (address_len < 2 || (size_t)address_len >= sizeof(sa.sun_path))
		return -EINVAL;
	(*env)->GetByteArrayRegion(env, address, 0, address_len, (jbyte *)sa.sun_path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* the abstract namespace, as sd_notify reads a leading '@' */
	else if (memchr(sa.sun_path, '\0', (size_t)address_len))
		return -EINVAL;

	text = (*env)->GetByteArrayElements(env, message, NULL);
	if (!text)
		return -ENOMEM;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
	} else {
		sent = sendto(fd, text, (size_t)message_len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)address_len));
		if (sent < 0)
			err = -errno;
		close(fd);
	}
	(*env)->ReleaseByteArrayElements(env, message, text, JNI_ABORT);
	return err ? err : (jint)sent;
}

static jint adoptListenSocket0(JNIEnv *env, jclass cls, jint fd)
{
	(void)env; (void)cls;
	if (dup2(fd, 0) < 0)
		return -errno;
	close(fd);
	return 0;
}

static jstring strerror0(JNIEnv *env, jclass cls, jint err)
{
	(void)cls;
	return (*env)->NewStringUTF(env, strerror(err < 0 ? -err : err));
}

static const JNINativeMethod methods[] = {
	{ "notify0", "([B[B)I", (void *)notify0 },
	{ "adoptListenSocket0", "(I)I", (void *)adoptListenSocket0 },
	{ "strerror0", "(I)Ljava/lang/String;", (void *)strerror0 },
};

int systemd_jni_register(JNIEnv *env)
{
	jclass cls = (*env)->FindClass(env, JAVA_CLASS);

	if (!cls)
		return -1;
	return (*env)->RegisterNatives(env, cls, methods, sizeof(methods) / sizeof(methods[0])) == JNI_OK ? 0 : -1;
}
