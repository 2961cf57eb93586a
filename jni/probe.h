/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The exec probe: the BPF skeleton's life (open -> load -> attach -> destroy) and its perf
 * buffer, read one ring per thread. Plain C, no JNI: exec_probe_jni.c adapts it to Java.
 *
 * Threading contract (libbpf's perf buffer is not thread-safe as a whole):
 *   - probe_poll(p, i, ...) for ring i is called by at most one thread at a time;
 *     different rings may be polled by different threads concurrently;
 *   - probe_wake() may be called from any thread, any time before probe_close();
 *   - probe_close() only after every poller has returned and will not call again.
 */
#ifndef EXEC_PROBE_H
#define EXEC_PROBE_H

#include <stddef.h>
#include <stdint.h>

enum probe_attach {
	PROBE_ATTACH_AUTO = 0,       /* tp_btf when the kernel supports it, else tracepoint */
	PROBE_ATTACH_TP_BTF = 1,     /* BTF tracepoint: no tracefs needed */
	PROBE_ATTACH_TRACEPOINT = 2, /* classic tracepoint: needs tracefs mounted */
};

/* How failed execs are seen (bpf/exec.bpf.c, "Failed execs"). */
enum probe_failures {
	PROBE_FAILURES_OFF = 0,
	PROBE_FAILURES_AUTO = 1,       /* the classic tracepoints if they attach, else tp_btf/sys_exit */
	PROBE_FAILURES_TRACEPOINT = 2, /* syscalls/sys_exit_execve{,at}: needs tracefs */
	PROBE_FAILURES_SYS_EXIT = 3,   /* tp_btf/sys_exit, filtered: runs on every system call */
};

struct probe_options {
	int attach;                /* enum probe_attach */
	int capture_filename;      /* 0: send comm and ids only */
	size_t ring_pages;         /* pages per CPU ring, a power of two */
	uint32_t wakeup_events;    /* wake the reader every N samples (1 = every sample) */
	int exits;                 /* 1: also one record per ended process that exec'd (tp_btf only) */
	int failures;              /* enum probe_failures */
	uint64_t cgroup_root_id;   /* cgroup records with paths below this cgroup v2 id; 0: none */
};

struct probe;

/* Where a failed probe_open stopped: "open", "load", "attach", ... and -errno. */
struct probe_error {
	const char *step;
	const char *object;
	int err;
};

int probe_open(const struct probe_options *opts, struct probe **out, struct probe_error *error);

size_t probe_ring_count(const struct probe *p);
size_t probe_ring_bytes(const struct probe *p);
int probe_attach_mode(const struct probe *p);   /* PROBE_ATTACH_TP_BTF or _TRACEPOINT */
int probe_exits_attached(const struct probe *p); /* 1 if the exit program runs */
/*
 * PROBE_FAILURES_TRACEPOINT or _SYS_EXIT: how failed execs are seen; PROBE_FAILURES_OFF if not
 * asked for or if nothing could attach (then probe_failures_error says why: -errno). A failure
 * program that cannot attach never fails the probe: execs are counted without it.
 */
int probe_failures_attached(const struct probe *p);
int probe_failures_error(const struct probe *p);

/* The destination of ring `ring`'s records: [u32 size][size bytes of struct exec_event]... */
int probe_set_buffer(struct probe *p, size_t ring, void *buf, size_t capacity);

/*
 * Waits up to timeout_ms for ring `ring` to have a batch (or for probe_wake), then consumes
 * everything pending into its buffer. Returns the bytes written, or -errno.
 */
long probe_poll(struct probe *p, size_t ring, int timeout_ms);

uint64_t probe_lost(const struct probe *p, size_t ring);     /* samples the kernel dropped */
uint64_t probe_overflow(const struct probe *p, size_t ring); /* records that did not fit the buffer */

/* Sums over CPUs of the program's own counters; index as enum exec_stat in exec.bpf.c. */
int probe_read_stat(const struct probe *p, uint32_t stat, uint64_t *value);

/* Kernel-side program statistics (kernel.bpf_stats_enabled=1), summed over the enabled program. */
int probe_prog_stats(const struct probe *p, uint64_t *run_cnt, uint64_t *run_time_ns, uint32_t *prog_id);

int probe_wake(struct probe *p);
void probe_close(struct probe *p);

#endif /* EXEC_PROBE_H */
