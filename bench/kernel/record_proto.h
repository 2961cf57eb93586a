/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Prototype of the records for exits and failed execs (not built by Maven; see bench/kernel/README.md).
 * The proposal for bpf/exec_event.h: every record starts with the same 40-byte header, whose first
 * field is the kind, so one perf ring, one decoder loop and one queue carry all three kinds.
 *
 * Little-endian, no implicit padding (the _Static_asserts below pin the offsets the Java decoder
 * reads). Sizes are multiples of 8: perf pads each sample to 8 bytes anyway.
 */
#ifndef RECORD_PROTO_H
#define RECORD_PROTO_H

#define RECORD_COMM_LEN 16

enum record_kind {
	RECORD_EXEC = 1,          /* a successful exec (today's struct exec_event, behind this header) */
	RECORD_EXIT = 2,          /* the last thread of a process that exec'd has exited */
	RECORD_EXEC_FAILURE = 3,  /* execve/execveat returned an error */
};

struct record_header {
	__u16 kind;               /* enum record_kind */
	__u16 flags;              /* per kind */
	__u32 pid;                /* tgid */
	__u64 ktime_ns;           /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cgroup_id;          /* bpf_get_current_cgroup_id(): the attribution labels' key */
	char comm[RECORD_COMM_LEN]; /* exec: the new comm; exit: the group leader's; failure: the caller's */
};

struct exit_record {
	struct record_header h;
	__u32 status;             /* as waitpid() reports it: (code << 8) | signal, 0x80 = core dumped */
	__u32 reserved;
	__u64 lifetime_ns;        /* from the process's start (fork, task->start_time) to its exit */
};

struct exec_failure_record {
	struct record_header h;
	__u32 err;                /* errno, positive (ENOENT = 2) */
	__u32 syscall;            /* RECORD_SYSCALL_* */
};

#define RECORD_SYSCALL_EXECVE   0
#define RECORD_SYSCALL_EXECVEAT 1

/* exit_record.flags */
#define RECORD_EXIT_COMPAT_LIVE 0x1 /* group end told from signal->live (kernels without group_dead) */

_Static_assert(sizeof(struct record_header) == 40, "record_header layout");
_Static_assert(__builtin_offsetof(struct record_header, comm) == 24, "record_header layout");
_Static_assert(sizeof(struct exit_record) == 56, "exit_record layout");
_Static_assert(__builtin_offsetof(struct exit_record, lifetime_ns) == 48, "exit_record layout");
_Static_assert(sizeof(struct exec_failure_record) == 48, "exec_failure_record layout");

#endif /* RECORD_PROTO_H */
