// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * Prototype BPF programs for exits and failed execs, and the baselines they are measured against
 * (bench/kernel/README.md). Not part of the daemon's build. The loader enables the programs named on
 * its command line; every program here can be loaded alone.
 *
 * Candidates:
 *   exit_ring          tp_btf/sched_process_exit: one exit_record per process that exec'd, through
 *                      the perf rings
 *   exit_map           the same filter, aggregated in a hash map keyed by (comm, status) instead
 *   fail_btf           tp_btf/sys_exit: runs for every system call of the host; returns at once
 *                      unless the call is execve/execveat and failed, then one exec_failure_record
 *   fail_tp_execve,    tracepoint/syscalls/sys_exit_execve(at): run for those calls only, but need
 *   fail_tp_execveat   tracefs
 * Baselines:
 *   exit_filter        exit_ring's filter and reads, no output
 *   exit_live          exit_ring as on kernels whose tracepoint has no group_dead (signal->live)
 *   exit_null          tp_btf/sched_process_exit that returns at once
 *   sysexit_null       tp_btf/sys_exit that returns at once: the price of hooking sys_exit at all
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "record_proto.h"

/* Minimal CO-RE views of kernel types: only the fields read here. */
struct thread_info {
	__u32 status;
} __attribute__((preserve_access_index));

struct signal_struct {
	struct {
		int counter;
	} live;
	int group_exit_code;
	unsigned int flags;
} __attribute__((preserve_access_index));

struct task_struct {
	struct thread_info thread_info;
	int tgid;
	int exit_code;
	__u64 start_time;
	__u64 parent_exec_id;
	__u64 self_exec_id;
	char comm[RECORD_COMM_LEN];
	struct task_struct *group_leader;
	struct signal_struct *signal;
} __attribute__((preserve_access_index));

/* x86's saved registers; ___x86 keeps the name apart from bpf_tracing.h's pt_regs (CO-RE drops it). */
struct pt_regs___x86 {
	unsigned long orig_ax;
} __attribute__((preserve_access_index));

/* Only to ask whether this kernel's sched_process_exit passes group_dead (6.18 does). */
struct trace_event_raw_sched_process_exit {
	bool group_dead;
} __attribute__((preserve_access_index));

/* The classic syscalls/sys_exit_* record (tracefs format: common fields, __syscall_nr, ret). */
struct syscall_exit_args {
	__u64 common;
	int syscall_nr;
	long ret;
};

#define SIGNAL_GROUP_EXIT 0x00000004  /* include/linux/sched/signal.h, unchanged since 2.6 */
#define TS_COMPAT 0x0002               /* arch/x86/include/asm/thread_info.h: an ia32 system call */
#define NR_EXECVE 59
#define NR_EXECVEAT 322
#define NR_IA32_EXECVE 11
#define NR_IA32_EXECVEAT 358

/* Lifetime buckets of exec_process_lifetime_seconds, in ns: the map variant buckets in the kernel. */
#define LIFETIME_BUCKETS 14
const volatile __u64 lifetime_bounds_ns[LIFETIME_BUCKETS] = {
	1000000ULL, 5000000ULL, 25000000ULL, 100000000ULL, 500000000ULL,              /* 1 ms .. 500 ms */
	1000000000ULL, 5000000000ULL, 30000000000ULL, 60000000000ULL, 300000000000ULL, /* 1 s .. 5 min */
	1800000000000ULL, 3600000000000ULL, 21600000000000ULL, 86400000000000ULL,      /* 30 min .. 1 day */
};

enum stat {
	STAT_EXIT_RUNS = 0,     /* sched_process_exit runs (every thread) */
	STAT_GROUP_DEAD,        /* ... of which the thread group's last thread (group_dead) */
	STAT_LIVE_ZERO,         /* ... of which signal->live read 0 (the fallback without group_dead) */
	STAT_EXITS,             /* ... of which the process had exec'd: an exit counted */
	STAT_FAILURES,          /* failed execve/execveat seen */
	STAT_OUTPUT_ERRORS,     /* bpf_perf_event_output failures (ring full) */
	STAT_MAP_FULL,          /* exit_map: no room for a new (comm, status) */
	STAT_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct exit_key {
	char comm[RECORD_COMM_LEN];
	__u32 status;
};

struct exit_value {
	__u64 count;
	__u64 lifetime_sum_ns;
	__u64 buckets[LIFETIME_BUCKETS + 1]; /* the last one: longer than a day */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct exit_key);
	__type(value, struct exit_value);
} exits SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *value = bpf_map_lookup_elem(&stats, &stat);

	if (value)
		*value += 1; /* per-CPU slot: no other writer */
}

/*
 * Whether this exit ends a process that exec'd; if so fills status, lifetime and comm. Runs on
 * every thread's exit, so the common cases (a thread that is not the last, a process that never
 * exec'd) leave first. use_arg: take group_dead from the tracepoint (a constant: the verifier
 * drops the other branch).
 */
static __always_inline bool ended_after_exec(struct task_struct *task, __u64 group_dead_arg, bool use_arg,
					     struct exit_record *r)
{
	struct task_struct *leader;
	struct signal_struct *signal;
	bool group_dead;

	count(STAT_EXIT_RUNS);
	signal = task->signal;
	if (use_arg) {
		group_dead = (__u8)group_dead_arg;
		r->h.flags = 0;
	} else {
		/* do_exit decrements live before the tracepoint: two threads exiting at once can both
		 * read 0, so this count may exceed the processes that ended (measured: see README) */
		group_dead = signal->live.counter == 0;
		r->h.flags = RECORD_EXIT_COMPAT_LIVE;
	}
	if (signal->live.counter == 0)
		count(STAT_LIVE_ZERO);
	if (!group_dead)
		return false;
	count(STAT_GROUP_DEAD);

	leader = task->group_leader;
	/* exec bumps self_exec_id; a child starts with parent_exec_id equal to it */
	if (leader->self_exec_id == leader->parent_exec_id)
		return false;
	count(STAT_EXITS);

	/* what waitpid() reports for the group (wait_task_zombie) */
	r->status = (signal->flags & SIGNAL_GROUP_EXIT) ? signal->group_exit_code : leader->exit_code;
	r->h.ktime_ns = bpf_ktime_get_ns();
	r->lifetime_ns = r->h.ktime_ns - leader->start_time; /* both CLOCK_MONOTONIC */
	r->h.pid = task->tgid;
	bpf_probe_read_kernel(r->h.comm, sizeof(r->h.comm), leader->comm);
	return true;
}

/* Whether this kernel's sched_process_exit passes group_dead (6.18 does): a load-time constant. */
#define HAS_GROUP_DEAD bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead)

/* The group_dead argument, where the tracepoint has one: the verifier drops the dead branch. */
static __always_inline __u64 group_dead_arg(unsigned long long *ctx)
{
	if (HAS_GROUP_DEAD)
		return ctx[1];
	return 0;
}

static __always_inline void emit_exit(void *ctx, struct exit_record *r)
{
	r->h.kind = RECORD_EXIT;
	r->h.cgroup_id = bpf_get_current_cgroup_id();
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, r, sizeof(*r)))
		count(STAT_OUTPUT_ERRORS);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_ring, struct task_struct *task)
{
	struct exit_record r = {};

	if (ended_after_exec(task, group_dead_arg(ctx), HAS_GROUP_DEAD, &r))
		emit_exit(ctx, &r);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_map, struct task_struct *task)
{
	struct exit_record r = {};
	struct exit_key key = {};
	struct exit_value *value;
	__u32 bucket = LIFETIME_BUCKETS;

	if (!ended_after_exec(task, group_dead_arg(ctx), HAS_GROUP_DEAD, &r))
		return 0;
	__builtin_memcpy(key.comm, r.h.comm, sizeof(key.comm));
	key.status = r.status;
	value = bpf_map_lookup_elem(&exits, &key);
	if (!value) {
		struct exit_value zero = {};

		/* BPF_NOEXIST: a racing CPU may have created it; then the lookup below finds it */
		bpf_map_update_elem(&exits, &key, &zero, BPF_NOEXIST);
		value = bpf_map_lookup_elem(&exits, &key);
		if (!value) {
			count(STAT_MAP_FULL);
			return 0;
		}
	}
	for (__u32 i = 0; i < LIFETIME_BUCKETS; i++) {
		if (r.lifetime_ns <= lifetime_bounds_ns[i]) {
			bucket = i;
			break;
		}
	}
	__sync_fetch_and_add(&value->count, 1);
	__sync_fetch_and_add(&value->lifetime_sum_ns, r.lifetime_ns);
	if (bucket <= LIFETIME_BUCKETS) /* always: a bound for the verifier */
		__sync_fetch_and_add(&value->buckets[bucket], 1);
	return 0;
}

/* exit_ring's filter alone, no output: what the record costs is exit_ring minus this */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_filter, struct task_struct *task)
{
	struct exit_record r = {};

	ended_after_exec(task, group_dead_arg(ctx), HAS_GROUP_DEAD, &r);
	return 0;
}

/* exit_ring as on kernels without group_dead: tells the group's end from signal->live alone. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_live, struct task_struct *task)
{
	struct exit_record r = {};

	if (ended_after_exec(task, 0, false, &r))
		emit_exit(ctx, &r);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_null, struct task_struct *task)
{
	return 0;
}

/* include/linux/errno.h: the call is restarted, or the task is dying of a fatal signal: not a failure */
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516

static __always_inline void emit_failure(void *ctx, long ret, __u32 syscall)
{
	struct exec_failure_record r = {};

	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK)
		return;
	count(STAT_FAILURES);
	r.h.kind = RECORD_EXEC_FAILURE;
	r.h.ktime_ns = bpf_ktime_get_ns();
	r.h.pid = bpf_get_current_pid_tgid() >> 32;
	r.h.cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(r.h.comm, sizeof(r.h.comm));
	r.err = (__u32)-ret;
	r.syscall = syscall;
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &r, sizeof(r)))
		count(STAT_OUTPUT_ERRORS);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fail_btf, struct pt_regs___x86 *regs, long ret)
{
	unsigned long nr;
	bool compat;

	/* every system call of the host comes here: the successful ones leave on the first test */
	if (ret >= 0)
		return 0;
	nr = regs->orig_ax;
	if (nr != NR_EXECVE && nr != NR_EXECVEAT && nr != NR_IA32_EXECVE && nr != NR_IA32_EXECVEAT)
		return 0;
	/* ia32 numbers mean other calls in 64-bit mode (11 is munmap): tell the two apart */
	compat = bpf_get_current_task_btf()->thread_info.status & TS_COMPAT;
	if (compat ? nr == NR_IA32_EXECVE : nr == NR_EXECVE)
		emit_failure(ctx, ret, RECORD_SYSCALL_EXECVE);
	else if (compat ? nr == NR_IA32_EXECVEAT : nr == NR_EXECVEAT)
		emit_failure(ctx, ret, RECORD_SYSCALL_EXECVEAT);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sysexit_null, struct pt_regs___x86 *regs, long ret)
{
	return 0;
}

/* The classic syscall events are 64-bit only: ia32 calls do not reach them. */
SEC("tracepoint/syscalls/sys_exit_execve")
int fail_tp_execve(struct syscall_exit_args *args)
{
	if (args->ret < 0)
		emit_failure(args, args->ret, RECORD_SYSCALL_EXECVE);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int fail_tp_execveat(struct syscall_exit_args *args)
{
	if (args->ret < 0)
		emit_failure(args, args->ret, RECORD_SYSCALL_EXECVEAT);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
