/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The kernel/user-space ABI of exec-exporter: one record per successful exec, and one per ended
 * process that had exec'd. Both kinds share a prefix (pid at 8, kind at 22, comm at 24), so a
 * decoder reads the kind byte first and then the rest by the kind's layout.
 *
 * Included by the BPF program (bpf/exec.bpf.c) and the JNI shim (jni/exec_probe_jni.c). The Java
 * decoder (src/main/java/org/execexporter/capture/ExecRecord.java) reads the same layout by offset,
 * and ExecProbeNative reads the stats by index: their constants are @Native or JNI-bound, so
 * javac -h writes them to headers, and jni/exec_probe_jni.c asserts them against this file at
 * compile time. Change one side and the build fails until the other follows.
 *
 * Little-endian, no implicit padding. Only the first EXEC_EVENT_HEADER_SIZE + filename_len
 * bytes are sent through the perf buffer, not the whole filename array.
 */
#ifndef EXEC_EVENT_H
#define EXEC_EVENT_H

#define EXEC_COMM_LEN 16          /* TASK_COMM_LEN: 15 bytes and a NUL */
#define EXEC_FILENAME_MAX 4096    /* capture limit, PATH_MAX; longer names are truncated */

/* kind: never 0, so a zeroed buffer decodes as an error */
#define RECORD_KIND_EXEC 1
#define RECORD_KIND_EXIT 2

/* flags of an exec record */
#define EXEC_EVENT_FILENAME_TRUNCATED 0x1
/* flags of an exit record: group_dead read from signal->live (kernels whose tracepoint lacks the
 * argument; racy, two threads exiting at once may both see the group dead) */
#define EXIT_EVENT_COMPAT_LIVE 0x1

struct exec_event {
	__u64 ktime_ns;           /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 pid;                /* tgid of the process that exec'd */
	__u32 ppid;               /* tgid of its real parent */
	__u32 uid;                /* real uid */
	__u16 filename_len;       /* bytes of filename[] used, without the NUL */
	__u8 kind;                /* RECORD_KIND_EXEC */
	__u8 flags;               /* EXEC_EVENT_* */
	char comm[EXEC_COMM_LEN]; /* NUL-terminated, NUL-padded */
	char filename[EXEC_FILENAME_MAX];
};

/* A process that had exec'd ended (its last thread left): sent whole, EXIT_EVENT_SIZE bytes. */
struct exit_event {
	__u64 lifetime_ns;        /* from the group leader's start (fork) to now, CLOCK_MONOTONIC */
	__u32 pid;                /* tgid */
	__u32 status;             /* the wait status waitpid() reports: code << 8 | signal | 0x80 core */
	__u32 reserved;
	__u16 reserved2;
	__u8 kind;                /* RECORD_KIND_EXIT */
	__u8 flags;               /* EXIT_EVENT_* */
	char comm[EXEC_COMM_LEN]; /* the group leader's, NUL-terminated, NUL-padded */
};

#define EXIT_EVENT_SIZE 40

#define EXEC_EVENT_HEADER_SIZE 40 /* offsetof(struct exec_event, filename) */

/* The layout the Java decoder reads: fixed offsets, no implicit padding. */
_Static_assert(__builtin_offsetof(struct exec_event, ktime_ns) == 0, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, pid) == 8, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, ppid) == 12, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, uid) == 16, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, filename_len) == 20, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, kind) == 22, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, flags) == 23, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, comm) == 24, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, filename) == EXEC_EVENT_HEADER_SIZE, "exec_event layout");
_Static_assert(sizeof(struct exec_event) == EXEC_EVENT_HEADER_SIZE + EXEC_FILENAME_MAX, "exec_event size");
_Static_assert(__builtin_offsetof(struct exit_event, lifetime_ns) == 0, "exit_event layout");
_Static_assert(__builtin_offsetof(struct exit_event, pid) == __builtin_offsetof(struct exec_event, pid), "shared prefix");
_Static_assert(__builtin_offsetof(struct exit_event, status) == 12, "exit_event layout");
_Static_assert(__builtin_offsetof(struct exit_event, kind) == __builtin_offsetof(struct exec_event, kind), "shared prefix");
_Static_assert(__builtin_offsetof(struct exit_event, flags) == __builtin_offsetof(struct exec_event, flags), "shared prefix");
_Static_assert(__builtin_offsetof(struct exit_event, comm) == __builtin_offsetof(struct exec_event, comm), "shared prefix");
_Static_assert(sizeof(struct exit_event) == EXIT_EVENT_SIZE, "exit_event size");

/* Indexes of the per-CPU counters in the BPF program's `stats` map (ExecProbeNative.STAT_*). */
enum exec_stat {
	EXEC_STAT_SEEN = 0,        /* execs the program ran for */
	EXEC_STAT_OUTPUT_ERRORS,   /* bpf_perf_event_output failures, of either kind (ring full: also lost) */
	EXEC_STAT_EXITS_SEEN,      /* ended processes that had exec'd, records attempted */
	EXEC_STAT_COUNT,
};

#endif /* EXEC_EVENT_H */
