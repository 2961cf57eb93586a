/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The kernel/user-space ABI of exec-exporter: one record per successful exec.
 *
 * Included by the BPF program (bpf/exec.bpf.c) and the JNI shim (jni/). The Java decoder
 * (src/main/java/org/execexporter/capture/ExecRecord.java) reads the same layout by offset:
 * if you change this struct, change EXEC_EVENT_* offsets there too (a unit test pins them).
 *
 * Little-endian, no implicit padding. Only the first EXEC_EVENT_HEADER_SIZE + filename_len
 * bytes are sent through the perf buffer, not the whole filename array.
 */
#ifndef EXEC_EVENT_H
#define EXEC_EVENT_H

#define EXEC_COMM_LEN 16          /* TASK_COMM_LEN: 15 bytes and a NUL */
#define EXEC_FILENAME_MAX 4096    /* capture limit, PATH_MAX; longer names are truncated */

/* flags */
#define EXEC_EVENT_FILENAME_TRUNCATED 0x1

struct exec_event {
	__u64 ktime_ns;           /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 pid;                /* tgid of the process that exec'd */
	__u32 ppid;               /* tgid of its real parent */
	__u32 uid;                /* real uid */
	__u16 filename_len;       /* bytes of filename[] used, without the NUL */
	__u16 flags;              /* EXEC_EVENT_* */
	char comm[EXEC_COMM_LEN]; /* NUL-terminated, NUL-padded */
	char filename[EXEC_FILENAME_MAX];
};

#define EXEC_EVENT_HEADER_SIZE 40 /* offsetof(struct exec_event, filename) */

#endif /* EXEC_EVENT_H */
