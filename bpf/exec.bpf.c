// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * One record per successful exec, from the sched_process_exec tracepoint, sent through a
 * perf buffer (one ring per CPU). Two entry points share one body:
 *   - tp_btf/sched_process_exec: attaches without tracefs (the default);
 *   - tracepoint/sched/sched_process_exec: for kernels without BTF-enabled tracepoints
 *     (needs tracefs mounted). User space enables exactly one of them before load.
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "exec_event.h"

/* Minimal CO-RE views of kernel types: only the fields read here; libbpf relocates offsets. */
struct signal_struct {
	struct {
		int counter;
	} live;
	int group_exit_code;
	unsigned int flags;
} __attribute__((preserve_access_index));

struct thread_info {
	__u32 status;
} __attribute__((preserve_access_index));

/* kernfs_node lost its plain `parent` for an RCU `__parent` in 6.15: both are asked for by CO-RE. */
struct kernfs_node {
	__u64 id;
	const char *name;
} __attribute__((preserve_access_index));

struct kernfs_node___rcu {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

struct kernfs_node___plain {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));

struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

struct task_struct {
	struct thread_info thread_info;
	struct css_set *cgroups;
	int tgid;
	int exit_code;
	__u64 start_time;
	__u64 parent_exec_id;
	__u64 self_exec_id;
	char comm[EXEC_COMM_LEN];
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct signal_struct *signal;
} __attribute__((preserve_access_index));

/* Only to ask whether this kernel's sched_process_exit passes group_dead (6.18 does). */
struct trace_event_raw_sched_process_exit {
	bool group_dead;
} __attribute__((preserve_access_index));

#define SIGNAL_GROUP_EXIT 0x00000004  /* include/linux/sched/signal.h, unchanged since 2.6 */

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

struct trace_event_raw_sched_process_exec {
	__u32 __data_loc_filename;
} __attribute__((preserve_access_index));

/* Tunables, fixed at load time (the verifier sees constants). */
const volatile __u8 capture_filename = 1;
/* Send each CPU's first record of a cgroup after a cgroup record with its path; the id of the
 * cgroup2 mount's directory, where the paths start. 0: no cgroup records (no cgroup label). */
const volatile __u64 cgroup_root_id = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/*
 * The doorbell: while a CPU's ring is drained and its reader sleeps without a timeout, the reader
 * sets that CPU's `drained` flag; the next exec on that CPU clears it and writes one tiny sample
 * to its `doorbell` ring, which wakes the reader on every sample. The reader then waits at most
 * its poll timeout for a batch, as usual. So an idle host wakes no reader, yet every record is
 * read within the poll timeout. `drained` is indexed by CPU id and mmap'd by user space, which
 * sets a flag with an atomic exchange (a full barrier) before it checks that the ring is empty;
 * the exchange here (a full barrier too) comes after the record is written. One of the two
 * always sees the other, so no record is left in a ring whose reader sleeps.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} doorbell SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* set to the number of possible CPUs before load */
	__type(key, __u32);
	__type(value, __u64); /* 8 bytes: an array's elements are 8-byte aligned, so user space indexes a __u64[] */
} drained SEC(".maps");

/* The record is larger than the 512-byte BPF stack: build it in a per-CPU slot. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXEC_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *value = bpf_map_lookup_elem(&stats, &stat);

	if (value)
		*value += 1; /* per-CPU slot: no other writer */
}

/*
 * Cgroups each CPU has sent the path of: the value is per CPU (1: sent from this CPU), so that each
 * ring carries the path ahead of its own records of the cgroup, whatever order the rings are read in.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} announced SEC(".maps");

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___rcu, __parent))
		return BPF_CORE_READ((struct kernfs_node___rcu *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___plain *)kn, parent);
}

/*
 * Sends the path of the current task's cgroup v2, once per CPU and cgroup (while it stays in the
 * LRU map), before the record about to be sent: the record's reader then knows the cgroup even if
 * it is removed before the record is read (a short service ends in milliseconds; a ring may wait
 * its poll timeout to be read). Uses the scratch slot: call it before the record is built there.
 */
static __always_inline void announce_cgroup(void *ctx, __u64 cgroup_id)
{
	const char *names[CGROUP_PATH_DEPTH] = {};
	struct task_struct *task;
	struct kernfs_node *kn;
	struct exec_event *e;
	__u32 zero = 0, depth = 0, off = 0;
	__u8 one = 1, flags = CGROUP_EVENT_UNRESOLVED;
	__u8 *seen;
	long n;

	if (!cgroup_root_id)
		return;
	/* the key is shared by every CPU, the value is this CPU's own: a key another CPU made reads 0 here */
	seen = bpf_map_lookup_elem(&announced, &cgroup_id);
	if (seen && *seen)
		return;
	if (seen)
		*seen = 1;
	else
		bpf_map_update_elem(&announced, &cgroup_id, &one, BPF_ANY);
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return;
	task = (struct task_struct *)bpf_get_current_task();
	kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	for (int i = 0; i < CGROUP_PATH_DEPTH && kn; i++) {
		if (BPF_CORE_READ(kn, id) == cgroup_root_id) {
			flags = 0;
			break;
		}
		names[i] = BPF_CORE_READ(kn, name);
		depth = i + 1;
		kn = kn_parent(kn);
	}
	if (!flags && kn == NULL)
		flags = CGROUP_EVENT_UNRESOLVED;
	if (!flags) {
		/* from the root down: names[depth - 1] is the component just below the mount */
		for (int j = 0; j < CGROUP_PATH_DEPTH; j++) {
			int i = (int)depth - 1 - j;

			if (i < 0)
				break;
			if (off > CGROUP_PATH_MAX - CGROUP_NAME_READ - 1) {
				flags = CGROUP_EVENT_UNRESOLVED;
				break;
			}
			e->filename[off & (CGROUP_PATH_MAX - 1)] = '/';
			off++;
			n = bpf_probe_read_kernel_str(&e->filename[off & (CGROUP_PATH_MAX - 1)], CGROUP_NAME_READ,
						      names[i & (CGROUP_PATH_DEPTH - 1)]);
			if (n <= 0) {
				flags = CGROUP_EVENT_UNRESOLVED;
				break;
			}
			off += n - 1;
		}
		if (!flags && depth == 0) {
			e->filename[0] = '/';
			off = 1;
		}
	}
	if (flags)
		off = 0;
	off &= CGROUP_PATH_MAX - 1; /* a no-op bound for the verifier */
	e->ktime_ns = 0;
	e->pid = 0;
	e->ppid = 0;
	e->uid = 0;
	e->filename_len = off;
	e->kind = RECORD_KIND_CGROUP;
	e->flags = flags;
	__builtin_memset(e->comm, 0, sizeof(e->comm));
	e->cgroup_id = cgroup_id;
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, EXEC_EVENT_HEADER_SIZE + off))
		count(EXEC_STAT_OUTPUT_ERRORS);
}

static __always_inline void ring_doorbell(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 *flag = bpf_map_lookup_elem(&drained, &cpu);
	__u32 bell = 1;

	/* always the exchange, never a plain read first: the barrier is what makes the handshake safe */
	if (flag && __sync_lock_test_and_set(flag, 0))
		bpf_perf_event_output(ctx, &doorbell, BPF_F_CURRENT_CPU, &bell, sizeof(bell));
}

static __always_inline int emit_exec(void *ctx, struct task_struct *task, const char *filename)
{
	__u32 zero = 0;
	struct exec_event *e;
	__u32 len = 0;
	long n;

	count(EXEC_STAT_SEEN);
	announce_cgroup(ctx, bpf_get_current_cgroup_id());
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;

	e->ktime_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->kind = RECORD_KIND_EXEC;
	e->flags = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->cgroup_id = bpf_get_current_cgroup_id(); /* about 10 ns (bench/RESULTS.md) */

	if (capture_filename && filename) {
		n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
		if (n > 0) {
			len = n - 1;
			/* A full buffer is a truncation only if the source goes on past it. */
			if (n == EXEC_FILENAME_MAX) {
				char next = 0;

				bpf_probe_read_kernel(&next, 1, filename + EXEC_FILENAME_MAX - 1);
				if (next)
					e->flags |= EXEC_EVENT_FILENAME_TRUNCATED;
			}
		}
	}
	len &= EXEC_FILENAME_MAX - 1; /* a no-op bound for the verifier */
	e->filename_len = len;

	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, EXEC_EVENT_HEADER_SIZE + len))
		count(EXEC_STAT_OUTPUT_ERRORS);
	ring_doorbell(ctx);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *task, int old_pid, struct linux_binprm *bprm)
{
	return emit_exec(ctx, task, BPF_CORE_READ(bprm, filename));
}

SEC("tracepoint/sched/sched_process_exec")
int exec_tracepoint(struct trace_event_raw_sched_process_exec *args)
{
	/* __data_loc: the low 16 bits are the offset of the string from the start of the record. */
	unsigned short offset = args->__data_loc_filename & 0xFFFF;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return emit_exec(args, task, (const char *)args + offset);
}

/* Whether this kernel's sched_process_exit passes group_dead: a load-time constant (CO-RE). */
#define HAS_GROUP_DEAD bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead)

/*
 * One record per ended process that had exec'd. Runs on every thread's exit, so the common cases
 * (a thread that is not the last, a process that never exec'd) leave first.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf, struct task_struct *task)
{
	struct signal_struct *signal = task->signal;
	struct task_struct *leader;
	struct exit_event e = {};
	bool group_dead;

	if (HAS_GROUP_DEAD) {
		group_dead = (__u8)ctx[1]; /* sched_process_exit(p, group_dead) */
	} else {
		/* do_exit decrements live before the tracepoint: two threads exiting at once can both
		 * read 0, so this may count an exit twice; the record says so */
		group_dead = signal->live.counter == 0;
		e.flags = EXIT_EVENT_COMPAT_LIVE;
	}
	if (!group_dead)
		return 0;
	leader = task->group_leader;
	/* exec bumps self_exec_id; a forked child starts with parent_exec_id equal to its parent's */
	if (leader->self_exec_id == leader->parent_exec_id)
		return 0;
	count(EXEC_STAT_EXITS_SEEN);

	e.kind = RECORD_KIND_EXIT;
	/* what waitpid() reports for the group (the kernel's wait_task_zombie) */
	e.status = (signal->flags & SIGNAL_GROUP_EXIT) ? signal->group_exit_code : leader->exit_code;
	/* start_time is CLOCK_MONOTONIC, like bpf_ktime_get_ns; the leader's survives a de_thread */
	e.lifetime_ns = bpf_ktime_get_ns() - leader->start_time;
	e.pid = task->tgid;
	/* the tracepoint runs in the exiting thread: current is task, still in its cgroup */
	e.uid = (__u32)bpf_get_current_uid_gid();
	e.cgroup_id = bpf_get_current_cgroup_id();
	announce_cgroup(ctx, e.cgroup_id);
	bpf_probe_read_kernel(e.comm, sizeof(e.comm), leader->comm);
	/* the same rings and doorbell as execs: records of one CPU stay in order */
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e)))
		count(EXEC_STAT_OUTPUT_ERRORS);
	ring_doorbell(ctx);
	return 0;
}

/*
 * Failed execs: one record per execve/execveat call that returned an error. Two ways to see them,
 * user space enables one (bench/RESULTS.md, "Exits and failed execs", has what each costs):
 *   - the classic syscalls/sys_exit_execve and sys_exit_execveat tracepoints run for those calls
 *     only, but need tracefs mounted and readable;
 *   - tp_btf/sys_exit needs no tracefs, but runs on the exit of every system call of the host, so
 *     it leaves at once unless the call failed and was one of the two.
 */

/* x86's saved registers; ___x86 keeps the name apart from bpf_tracing.h's pt_regs (CO-RE drops it). */
struct pt_regs___x86 {
	unsigned long orig_ax;
} __attribute__((preserve_access_index));

/* The classic syscalls/sys_exit_* record (tracefs format: common fields, __syscall_nr, ret). */
struct syscall_exit_args {
	__u64 common;
	int syscall_nr;
	long ret;
};

#define TS_COMPAT 0x0002 /* arch/x86/include/asm/thread_info.h: an ia32 system call */
#define NR_EXECVE 59
#define NR_EXECVEAT 322
#define NR_IA32_EXECVE 11
#define NR_IA32_EXECVEAT 358
/* include/linux/errno.h: the call is restarted, or the task dies of a fatal signal: no failure */
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516

static __always_inline void emit_failure(void *ctx, long ret, __u8 flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fail_event e = {};

	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK)
		return;
	count(EXEC_STAT_FAILS_SEEN);
	e.error = (__s32)-ret;
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.ppid = BPF_CORE_READ(task, real_parent, tgid);
	e.uid = (__u32)bpf_get_current_uid_gid();
	e.kind = RECORD_KIND_FAIL;
	e.flags = flags;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	e.cgroup_id = bpf_get_current_cgroup_id();
	announce_cgroup(ctx, e.cgroup_id);
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e)))
		count(EXEC_STAT_OUTPUT_ERRORS);
	ring_doorbell(ctx);
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
		emit_failure(ctx, ret, 0);
	else if (compat ? nr == NR_IA32_EXECVEAT : nr == NR_EXECVEAT)
		emit_failure(ctx, ret, FAIL_EVENT_EXECVEAT);
	return 0;
}

/* The classic syscall events are 64-bit only: ia32 calls do not reach them. */
SEC("tracepoint/syscalls/sys_exit_execve")
int fail_execve_tp(struct syscall_exit_args *args)
{
	if (args->ret < 0)
		emit_failure(args, args->ret, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int fail_execveat_tp(struct syscall_exit_args *args)
{
	if (args->ret < 0)
		emit_failure(args, args->ret, FAIL_EVENT_EXECVEAT);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
