/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The kernel/user-space ABI of exec-exporter: one record per successful exec, one per ended
 * process that had exec'd, and one per failed execve/execveat. Every kind shares a 48-byte
 * header: pid at 8, uid at 16, kind at 22, flags at 23, comm at 24 and cgroup_id at 40; the words
 * at 0, 12 and 20 are the kind's own. A decoder reads the kind byte first and then the rest by the
 * kind's layout, and everything above the decoder can key a record by (comm, cgroup, uid) whatever
 * its kind.
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
#define RECORD_KIND_FAIL 3
#define RECORD_KIND_CGROUP 4

/* flags of an exec record */
#define EXEC_EVENT_FILENAME_TRUNCATED 0x1
/* flags of an exit record: group_dead read from signal->live (kernels whose tracepoint lacks the
 * argument; racy, two threads exiting at once may both see the group dead) */
#define EXIT_EVENT_COMPAT_LIVE 0x1
/* flags of a failure record: the call was execveat, not execve */
#define FAIL_EVENT_EXECVEAT 0x1
/* flags of a cgroup record: the cgroup is not below the root user space named (another cgroup
 * namespace), or deeper than CGROUP_PATH_DEPTH; the path is then empty */
#define CGROUP_EVENT_UNRESOLVED 0x1

/*
 * A cgroup record (kind 4) has the layout of struct exec_event: cgroup_id says which cgroup, and
 * filename[] holds its path below the cgroup2 mount user space named ("/system.slice/cron.service",
 * "/" for the mount's own), filename_len bytes of it. Sent on a CPU before the first record of a
 * cgroup that CPU sends, in the same ring: its reader learns the path before it reads the record,
 * even when the cgroup is gone by then. Only while a cgroup label is chosen.
 */
#define CGROUP_PATH_DEPTH 16   /* components walked up at most */
#define CGROUP_NAME_READ 256   /* bytes of one component read at most (a kernfs name is at most 255) */
#define CGROUP_PATH_MAX 2048   /* the path's bytes at most, its NUL excluded */

struct exec_event {
	__u64 ktime_ns;           /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 pid;                /* tgid of the process that exec'd */
	__u32 ppid;               /* tgid of its real parent */
	__u32 uid;                /* real uid */
	__u16 filename_len;       /* bytes of filename[] used, without the NUL */
	__u8 kind;                /* RECORD_KIND_EXEC */
	__u8 flags;               /* EXEC_EVENT_* */
	char comm[EXEC_COMM_LEN]; /* NUL-terminated, NUL-padded */
	__u64 cgroup_id;          /* bpf_get_current_cgroup_id(): the cgroup v2 id, its directory's inode number */
	char filename[EXEC_FILENAME_MAX];
};

/* A process that had exec'd ended (its last thread left): sent whole, EXIT_EVENT_SIZE bytes. */
struct exit_event {
	__u64 lifetime_ns;        /* from the group leader's start (fork) to now, CLOCK_MONOTONIC */
	__u32 pid;                /* tgid */
	__u32 status;             /* the wait status waitpid() reports: code << 8 | signal | 0x80 core */
	__u32 uid;                /* real uid of the last thread */
	__u16 reserved;
	__u8 kind;                /* RECORD_KIND_EXIT */
	__u8 flags;               /* EXIT_EVENT_* */
	char comm[EXEC_COMM_LEN]; /* the group leader's, NUL-terminated, NUL-padded */
	__u64 cgroup_id;          /* the last thread's cgroup v2 id */
};

#define EXIT_EVENT_SIZE 48

/* An execve or execveat call that failed: sent whole, FAIL_EVENT_SIZE bytes. */
struct fail_event {
	__s32 error;              /* the errno the call returned, positive (ENOENT = 2) */
	__u32 reserved;
	__u32 pid;                /* tgid of the caller */
	__u32 ppid;               /* tgid of its real parent */
	__u32 uid;                /* real uid */
	__u16 reserved2;
	__u8 kind;                /* RECORD_KIND_FAIL */
	__u8 flags;               /* FAIL_EVENT_* */
	char comm[EXEC_COMM_LEN]; /* the caller's, NUL-terminated, NUL-padded */
	__u64 cgroup_id;          /* the caller's cgroup v2 id */
};

#define FAIL_EVENT_SIZE 48

#define EXEC_EVENT_HEADER_SIZE 48 /* offsetof(struct exec_event, filename) */

/* The layout the Java decoder reads: fixed offsets, no implicit padding. */
_Static_assert(__builtin_offsetof(struct exec_event, ktime_ns) == 0, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, pid) == 8, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, ppid) == 12, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, uid) == 16, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, filename_len) == 20, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, kind) == 22, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, flags) == 23, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, comm) == 24, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, cgroup_id) == 40, "exec_event layout");
_Static_assert(__builtin_offsetof(struct exec_event, filename) == EXEC_EVENT_HEADER_SIZE, "exec_event layout");
_Static_assert(sizeof(struct exec_event) == EXEC_EVENT_HEADER_SIZE + EXEC_FILENAME_MAX, "exec_event size");
_Static_assert(__builtin_offsetof(struct exit_event, lifetime_ns) == 0, "exit_event layout");
_Static_assert(__builtin_offsetof(struct exit_event, pid) == __builtin_offsetof(struct exec_event, pid), "shared prefix");
_Static_assert(__builtin_offsetof(struct exit_event, status) == 12, "exit_event layout");
_Static_assert(__builtin_offsetof(struct exit_event, kind) == __builtin_offsetof(struct exec_event, kind), "shared prefix");
_Static_assert(__builtin_offsetof(struct exit_event, flags) == __builtin_offsetof(struct exec_event, flags), "shared prefix");
_Static_assert(__builtin_offsetof(struct exit_event, comm) == __builtin_offsetof(struct exec_event, comm), "shared prefix");
_Static_assert(__builtin_offsetof(struct exit_event, uid) == __builtin_offsetof(struct exec_event, uid), "shared prefix");
_Static_assert(__builtin_offsetof(struct exit_event, cgroup_id) == __builtin_offsetof(struct exec_event, cgroup_id), "shared prefix");
_Static_assert(sizeof(struct exit_event) == EXIT_EVENT_SIZE, "exit_event size");
_Static_assert(__builtin_offsetof(struct fail_event, error) == 0, "fail_event layout");
_Static_assert(__builtin_offsetof(struct fail_event, pid) == __builtin_offsetof(struct exec_event, pid), "shared prefix");
_Static_assert(__builtin_offsetof(struct fail_event, ppid) == __builtin_offsetof(struct exec_event, ppid), "shared prefix");
_Static_assert(__builtin_offsetof(struct fail_event, uid) == __builtin_offsetof(struct exec_event, uid), "shared prefix");
_Static_assert(__builtin_offsetof(struct fail_event, kind) == __builtin_offsetof(struct exec_event, kind), "shared prefix");
_Static_assert(__builtin_offsetof(struct fail_event, flags) == __builtin_offsetof(struct exec_event, flags), "shared prefix");
_Static_assert(__builtin_offsetof(struct fail_event, comm) == __builtin_offsetof(struct exec_event, comm), "shared prefix");
_Static_assert(__builtin_offsetof(struct fail_event, cgroup_id) == __builtin_offsetof(struct exec_event, cgroup_id), "shared prefix");
_Static_assert(sizeof(struct fail_event) == FAIL_EVENT_SIZE, "fail_event size");

/* Indexes of the per-CPU counters in the BPF program's `stats` map (ExecProbeNative.STAT_*). */
enum exec_stat {
	EXEC_STAT_SEEN = 0,        /* execs the program ran for */
	EXEC_STAT_OUTPUT_ERRORS,   /* bpf_perf_event_output failures, of either kind (ring full: also lost) */
	EXEC_STAT_EXITS_SEEN,      /* ended processes that had exec'd, records attempted */
	EXEC_STAT_FAILS_SEEN,      /* failed execve/execveat calls, records attempted */
	EXEC_STAT_COUNT,
};

#endif /* EXEC_EVENT_H */
