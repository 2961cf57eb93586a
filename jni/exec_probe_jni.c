// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * JNI binding of org.execexporter.capture.ExecProbeNative to probe.c.
 *
 * Functions are static and bound in JNI_OnLoad; the library exports nothing else. Errors cross
 * as values (-errno); only open0 throws, through throw_bpf_exception. No call here allocates a
 * Java object per event: poll0 fills the ring's direct buffer and returns a byte count.
 * Native code installs no lasting signal handlers (capabilities.c borrows an unused real-time
 * signal for the length of one call).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jni.h>
#include <linux/types.h>

#include "exec_event.h"
#include "probe.h"
#include "libbpf_log.h"
#include "capabilities.h"
#include "systemd_jni.h"
#include "nss_users.h"
#include "org_execexporter_capture_ExecProbeNative.h"
#include "org_execexporter_capture_ExecRecord.h"
#include "org_execexporter_capture_ExitRecord.h"
#include "org_execexporter_capture_FailRecord.h"

#define JAVA_CLASS "org/execexporter/capture/ExecProbeNative"
#define EXCEPTION_CLASS "org/execexporter/capture/BpfException"

/* The Java constants (javac -h) and the C enums must agree. */
_Static_assert(org_execexporter_capture_ExecProbeNative_ATTACH_AUTO == PROBE_ATTACH_AUTO, "attach");
_Static_assert(org_execexporter_capture_ExecProbeNative_ATTACH_TP_BTF == PROBE_ATTACH_TP_BTF, "attach");
_Static_assert(org_execexporter_capture_ExecProbeNative_ATTACH_TRACEPOINT == PROBE_ATTACH_TRACEPOINT, "attach");
_Static_assert(org_execexporter_capture_ExecProbeNative_STAT_SEEN == EXEC_STAT_SEEN, "stat index");
_Static_assert(org_execexporter_capture_ExecProbeNative_STAT_OUTPUT_ERRORS == EXEC_STAT_OUTPUT_ERRORS, "stat index");
_Static_assert(org_execexporter_capture_ExecProbeNative_STAT_EXITS_SEEN == EXEC_STAT_EXITS_SEEN, "stat index");
_Static_assert(org_execexporter_capture_ExecProbeNative_STAT_FAILS_SEEN == EXEC_STAT_FAILS_SEEN, "stat index");
_Static_assert(org_execexporter_capture_ExecProbeNative_FAILURES_OFF == PROBE_FAILURES_OFF, "failures");
_Static_assert(org_execexporter_capture_ExecProbeNative_FAILURES_AUTO == PROBE_FAILURES_AUTO, "failures");
_Static_assert(org_execexporter_capture_ExecProbeNative_FAILURES_TRACEPOINT == PROBE_FAILURES_TRACEPOINT, "failures");
_Static_assert(org_execexporter_capture_ExecProbeNative_FAILURES_SYS_EXIT == PROBE_FAILURES_SYS_EXIT, "failures");

/* ExecRecord decodes struct exec_event (bpf/exec_event.h) by these offsets and sizes. */
#define RECORD(name) org_execexporter_capture_ExecRecord_##name
_Static_assert(RECORD(KTIME_OFFSET) == offsetof(struct exec_event, ktime_ns), "ExecRecord layout");
_Static_assert(RECORD(PID_OFFSET) == offsetof(struct exec_event, pid), "ExecRecord layout");
_Static_assert(RECORD(PPID_OFFSET) == offsetof(struct exec_event, ppid), "ExecRecord layout");
_Static_assert(RECORD(UID_OFFSET) == offsetof(struct exec_event, uid), "ExecRecord layout");
_Static_assert(RECORD(FILENAME_LEN_OFFSET) == offsetof(struct exec_event, filename_len), "ExecRecord layout");
_Static_assert(RECORD(FLAGS_OFFSET) == offsetof(struct exec_event, flags), "ExecRecord layout");
_Static_assert(RECORD(COMM_OFFSET) == offsetof(struct exec_event, comm), "ExecRecord layout");
_Static_assert(RECORD(CGROUP_ID_OFFSET) == offsetof(struct exec_event, cgroup_id), "ExecRecord layout");
_Static_assert(RECORD(HEADER_SIZE) == EXEC_EVENT_HEADER_SIZE, "ExecRecord layout");
_Static_assert(RECORD(COMM_LEN) == EXEC_COMM_LEN, "ExecRecord layout");
_Static_assert(RECORD(FILENAME_MAX) == EXEC_FILENAME_MAX, "ExecRecord layout");
_Static_assert(RECORD(FLAG_FILENAME_TRUNCATED) == EXEC_EVENT_FILENAME_TRUNCATED, "ExecRecord layout");
_Static_assert(RECORD(KIND_OFFSET) == offsetof(struct exec_event, kind), "ExecRecord layout");
_Static_assert(RECORD(KIND_EXEC) == RECORD_KIND_EXEC, "record kind");
_Static_assert(RECORD(KIND_EXIT) == RECORD_KIND_EXIT, "record kind");
_Static_assert(RECORD(KIND_FAIL) == RECORD_KIND_FAIL, "record kind");
_Static_assert(RECORD(KIND_CGROUP) == RECORD_KIND_CGROUP, "record kind");
_Static_assert(RECORD(FLAG_CGROUP_UNRESOLVED) == CGROUP_EVENT_UNRESOLVED, "record flag");
#undef RECORD

/* ExitRecord decodes struct exit_event by these, and the shared prefix by ExecRecord's. */
#define EXIT(name) org_execexporter_capture_ExitRecord_##name
_Static_assert(EXIT(LIFETIME_OFFSET) == offsetof(struct exit_event, lifetime_ns), "ExitRecord layout");
_Static_assert(EXIT(STATUS_OFFSET) == offsetof(struct exit_event, status), "ExitRecord layout");
_Static_assert(EXIT(SIZE) == EXIT_EVENT_SIZE, "ExitRecord layout");
#define FAIL(name) org_execexporter_capture_FailRecord_##name
_Static_assert(FAIL(ERROR_OFFSET) == offsetof(struct fail_event, error), "FailRecord layout");
_Static_assert(FAIL(PPID_OFFSET) == offsetof(struct fail_event, ppid), "FailRecord layout");
_Static_assert(FAIL(SIZE) == FAIL_EVENT_SIZE, "FailRecord layout");
_Static_assert(FAIL(FLAG_EXECVEAT) == FAIL_EVENT_EXECVEAT, "FailRecord layout");
#undef EXIT

/* Resolved once in JNI_OnLoad: a BpfException whose constructor differs fails the load, not a later error path. */
static jclass bpf_exception_class;
static jmethodID bpf_exception_ctor;
#define BPF_EXCEPTION_CTOR "(Ljava/lang/String;Ljava/lang/String;ILjava/lang/String;)V"

static struct probe *handle(jlong h)
{
	return (struct probe *)(intptr_t)h;
}

/* strerror is not thread-safe, and every ring's poller thread may fail at once: strerror_r (GNU). */
static jstring errno_string(JNIEnv *env, int err)
{
	char buf[128];

	return (*env)->NewStringUTF(env, strerror_r(err, buf, sizeof(buf)));
}

static void throw_bpf_exception(JNIEnv *env, const struct probe_error *error)
{
	jstring step, object, reason;
	jthrowable ex;

	step = (*env)->NewStringUTF(env, error->step);
	object = (*env)->NewStringUTF(env, error->object);
	reason = errno_string(env, -error->err);
	if (!step || !object || !reason)
		return;
	ex = (jthrowable)(*env)->NewObject(env, bpf_exception_class, bpf_exception_ctor, step, object,
					   (jint)-error->err, reason);
	if (ex)
		(*env)->Throw(env, ex);
}

static jlong open0(JNIEnv *env, jclass cls, jint attach, jboolean capture_filename, jint ring_pages,
		   jint wakeup_events, jboolean exits, jint failures, jlong cgroup_root_id)
{
	struct probe_options opts = {
		.attach = attach,
		.capture_filename = capture_filename == JNI_TRUE,
		.ring_pages = ring_pages > 0 ? (size_t)ring_pages : 0,
		.wakeup_events = wakeup_events > 0 ? (uint32_t)wakeup_events : 1,
		.exits = exits == JNI_TRUE,
		.failures = failures,
		.cgroup_root_id = (uint64_t)cgroup_root_id,
	};
	struct probe_error error = { 0 };
	struct probe *p = NULL;
	(void)cls;

	if (probe_open(&opts, &p, &error)) {
		throw_bpf_exception(env, &error);
		return 0;
	}
	return (jlong)(intptr_t)p;
}

static jint ringCount0(JNIEnv *env, jclass cls, jlong h)
{
	(void)env; (void)cls;
	return (jint)probe_ring_count(handle(h));
}

static jint ringBytes0(JNIEnv *env, jclass cls, jlong h)
{
	(void)env; (void)cls;
	return (jint)probe_ring_bytes(handle(h));
}

static jint attachMode0(JNIEnv *env, jclass cls, jlong h)
{
	(void)env; (void)cls;
	return probe_attach_mode(handle(h));
}

static jboolean exitsAttached0(JNIEnv *env, jclass cls, jlong h)
{
	(void)env; (void)cls;
	return probe_exits_attached(handle(h)) ? JNI_TRUE : JNI_FALSE;
}

static jint failuresAttached0(JNIEnv *env, jclass cls, jlong h)
{
	(void)env; (void)cls;
	return probe_failures_attached(handle(h));
}

static jint failuresError0(JNIEnv *env, jclass cls, jlong h)
{
	(void)env; (void)cls;
	return probe_failures_error(handle(h));
}

static jint setBuffer0(JNIEnv *env, jclass cls, jlong h, jint ring, jobject buffer)
{
	void *address = (*env)->GetDirectBufferAddress(env, buffer);
	jlong capacity = (*env)->GetDirectBufferCapacity(env, buffer);
	(void)cls;

	if (!address || capacity < 0)
		return -EINVAL;
	return probe_set_buffer(handle(h), (size_t)ring, address, (size_t)capacity);
}

static jlong poll0(JNIEnv *env, jclass cls, jlong h, jint ring, jint timeout_ms)
{
	(void)env; (void)cls;
	return probe_poll(handle(h), (size_t)ring, timeout_ms);
}

static jlong lost0(JNIEnv *env, jclass cls, jlong h, jint ring)
{
	(void)env; (void)cls;
	return (jlong)probe_lost(handle(h), (size_t)ring);
}

static jlong overflow0(JNIEnv *env, jclass cls, jlong h, jint ring)
{
	(void)env; (void)cls;
	return (jlong)probe_overflow(handle(h), (size_t)ring);
}

static jlong stat0(JNIEnv *env, jclass cls, jlong h, jint stat)
{
	uint64_t value = 0;
	int err = probe_read_stat(handle(h), (uint32_t)stat, &value);
	(void)env; (void)cls;

	return err ? err : (jlong)(value & INT64_MAX);
}

/* out: {run_cnt, run_time_ns, prog_id}; returns 0 or -errno. */
static jint progStats0(JNIEnv *env, jclass cls, jlong h, jlongArray out)
{
	uint64_t run_cnt = 0, run_time_ns = 0;
	uint32_t id = 0;
	jlong values[3];
	int err = probe_prog_stats(handle(h), &run_cnt, &run_time_ns, &id);
	(void)cls;

	if (err)
		return err;
	if ((*env)->GetArrayLength(env, out) < 3)
		return -EINVAL;
	values[0] = (jlong)run_cnt;
	values[1] = (jlong)run_time_ns;
	values[2] = (jlong)id;
	(*env)->SetLongArrayRegion(env, out, 0, 3, values);
	return 0;
}

static jint wake0(JNIEnv *env, jclass cls, jlong h)
{
	(void)env; (void)cls;
	return probe_wake(handle(h));
}

static void close0(JNIEnv *env, jclass cls, jlong h)
{
	(void)env; (void)cls;
	probe_close(handle(h));
}

static jstring drainLog0(JNIEnv *env, jclass cls)
{
	size_t capacity = 64 * 1024;
	char *text = malloc(capacity);
	jstring result;
	(void)cls;

	if (!text)
		return (*env)->NewStringUTF(env, "");
	libbpf_log_drain(text, capacity);
	result = (*env)->NewStringUTF(env, text);
	free(text);
	return result;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC: turns bpf_ktime_get_ns() into wall-clock time. */
static jlong clockOffsetNanos0(JNIEnv *env, jclass cls)
{
	struct timespec real, mono;
	(void)env; (void)cls;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return ((jlong)real.tv_sec - (jlong)mono.tv_sec) * 1000000000LL + ((jlong)real.tv_nsec - (jlong)mono.tv_nsec);
}

static jint dropCapabilities0(JNIEnv *env, jclass cls)
{
	(void)env; (void)cls;
	return caps_drop_all_threads();
}

static jstring strerror0(JNIEnv *env, jclass cls, jint err)
{
	(void)cls;
	return errno_string(env, err < 0 ? -err : err);
}

static const JNINativeMethod methods[] = {
	{ "open0", "(IZIIZIJ)J", (void *)open0 },
	{ "exitsAttached0", "(J)Z", (void *)exitsAttached0 },
	{ "failuresAttached0", "(J)I", (void *)failuresAttached0 },
	{ "failuresError0", "(J)I", (void *)failuresError0 },
	{ "ringCount0", "(J)I", (void *)ringCount0 },
	{ "ringBytes0", "(J)I", (void *)ringBytes0 },
	{ "attachMode0", "(J)I", (void *)attachMode0 },
	{ "setBuffer0", "(JILjava/nio/ByteBuffer;)I", (void *)setBuffer0 },
	{ "poll0", "(JII)J", (void *)poll0 },
	{ "lost0", "(JI)J", (void *)lost0 },
	{ "overflow0", "(JI)J", (void *)overflow0 },
	{ "stat0", "(JI)J", (void *)stat0 },
	{ "progStats0", "(J[J)I", (void *)progStats0 },
	{ "wake0", "(J)I", (void *)wake0 },
	{ "close0", "(J)V", (void *)close0 },
	{ "drainLog0", "()Ljava/lang/String;", (void *)drainLog0 },
	{ "clockOffsetNanos0", "()J", (void *)clockOffsetNanos0 },
	{ "strerror0", "(I)Ljava/lang/String;", (void *)strerror0 },
	{ "dropCapabilities0", "()I", (void *)dropCapabilities0 },
};

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
	JNIEnv *env;
	jclass cls;
	(void)reserved;

	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;
	cls = (*env)->FindClass(env, JAVA_CLASS);
	if (!cls)
		return JNI_ERR;
	if ((*env)->RegisterNatives(env, cls, methods, sizeof(methods) / sizeof(methods[0])) != JNI_OK)
		return JNI_ERR;
	cls = (*env)->FindClass(env, EXCEPTION_CLASS);
	if (!cls)
		return JNI_ERR;
	bpf_exception_ctor = (*env)->GetMethodID(env, cls, "<init>", BPF_EXCEPTION_CTOR);
	if (!bpf_exception_ctor)
		return JNI_ERR; /* NoSuchMethodError pending: the load fails with it */
	bpf_exception_class = (*env)->NewGlobalRef(env, cls);
	if (!bpf_exception_class)
		return JNI_ERR;
	if (systemd_jni_register(env))
		return JNI_ERR;
	if (nss_users_register(env))
		return JNI_ERR;
	libbpf_log_install();
	return JNI_VERSION_1_8;
}
