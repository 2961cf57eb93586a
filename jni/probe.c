// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe.h"
#include "exec.skel.h"

struct ring {
	int fd;                 /* the ring's perf event fd, to poll on */
	int bell_fd;            /* the fd of the same CPU's doorbell ring */
	int cpu;                /* the CPU it belongs to (the ring index is not the CPU id) */
	const struct perf_event_mmap_page *header; /* data_head: where the kernel has written to */
	bool idle;              /* empty, doorbell armed: the poller waits without a timeout */
	unsigned char *buf;     /* the Java-owned direct buffer records are copied into */
	size_t capacity;
	size_t pos;
	uint64_t lost;          /* written by the ring's poller only; read by anyone */
	uint64_t overflow;
};

struct probe {
	struct exec_bpf *skel;
	struct bpf_program *prog;   /* the one program enabled and attached */
	int attach_mode;
	int exits;                  /* the exit program is attached */
	int failures;               /* enum probe_failures: the failure programs attached, or OFF */
	int failures_err;           /* -errno of the failure programs' last attach, if none attached */
	struct perf_buffer *pb;
	struct perf_buffer *bells;  /* the doorbell rings: one tiny sample wakes a drained poller */
	uint64_t *drained;          /* the BPF `drained` flags, mmap'd, indexed by CPU id (8-byte elements) */
	size_t drained_bytes;
	size_t ring_count;
	size_t ring_bytes;
	struct ring *rings;
	int wake_fd;
};

/* The ring whose records the calling thread is consuming: libbpf gives callbacks no ring index. */
static __thread struct ring *current_ring;

static void counter_add(uint64_t *counter, uint64_t n)
{
	/* single writer: a relaxed store is enough for concurrent readers to see whole values */
	__atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

/* Sample records are copied out as [u32 size][raw sample]; lost records only counted. */
static enum bpf_perf_event_ret on_record(void *ctx, int cpu, struct perf_event_header *header)
{
	struct ring *r = current_ring;
	(void)ctx;
	(void)cpu;

	if (header->type == PERF_RECORD_SAMPLE) {
		const struct {
			struct perf_event_header header;
			uint32_t size;
			unsigned char data[];
		} *sample = (const void *)header;
		size_t need = sizeof(uint32_t) + sample->size;

		/* Cannot happen with a buffer as large as the ring; counted, never written past. */
		if (r->capacity - r->pos < need) {
			counter_add(&r->overflow, 1);
			return LIBBPF_PERF_EVENT_CONT;
		}
		memcpy(r->buf + r->pos, &sample->size, sizeof(uint32_t));
		memcpy(r->buf + r->pos + sizeof(uint32_t), sample->data, sample->size);
		r->pos += need;
	} else if (header->type == PERF_RECORD_LOST) {
		const struct {
			struct perf_event_header header;
			uint64_t id;
			uint64_t lost;
		} *lost = (const void *)header;

		counter_add(&r->lost, lost->lost);
	}
	return LIBBPF_PERF_EVENT_CONT;
}

/* A doorbell sample carries nothing: being woken is the message. */
static enum bpf_perf_event_ret on_bell(void *ctx, int cpu, struct perf_event_header *header)
{
	(void)ctx;
	(void)cpu;
	(void)header;
	return LIBBPF_PERF_EVENT_CONT;
}

/* The online CPUs, from the kernel's list ("0-3,6"): the CPUs libbpf would open rings on. */
static int online_cpus(int **out)
{
	char line[4096];
	int *cpus = NULL, count = 0, first, last, n;
	const char *at = line;
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	while (sscanf(at, "%d%n", &first, &n) == 1) {
		at += n;
		last = first;
		if (*at == '-' && sscanf(at + 1, "%d%n", &last, &n) == 1)
			at += 1 + n;
		for (int cpu = first; cpu <= last; cpu++) {
			int *grown = realloc(cpus, (size_t)(count + 1) * sizeof(*cpus));

			if (!grown) {
				free(cpus);
				return -ENOMEM;
			}
			cpus = grown;
			cpus[count++] = cpu;
		}
		if (*at != ',')
			break;
		at++;
	}
	if (count == 0) {
		free(cpus);
		return -EIO;
	}
	*out = cpus;
	return count;
}

static int fail(struct probe_error *error, const char *step, const char *object, int err)
{
	error->step = step;
	error->object = object;
	error->err = err < 0 ? err : -err;
	if (error->err == 0)
		error->err = -EINVAL;
	return error->err;
}

static void probe_free(struct probe *p)
{
	if (!p)
		return;
	/* reverse order of probe_open_mode: links go with the skeleton */
	if (p->wake_fd >= 0)
		close(p->wake_fd);
	free(p->rings);
	perf_buffer__free(p->bells);
	perf_buffer__free(p->pb);
	if (p->drained)
		munmap(p->drained, p->drained_bytes);
	exec_bpf__destroy(p->skel);
	free(p);
}

/*
 * Attaches the failure programs: the classic pair (both or neither), else, for auto, the filtered
 * tp_btf/sys_exit. Never fails the probe: what could not attach is remembered for the daemon's log.
 */
static void attach_failures(struct probe *p, int failures, int mode)
{
	struct bpf_link *execve, *execveat, *sys_exit;

	p->failures = PROBE_FAILURES_OFF;
	p->failures_err = -ENOENT;
	if (failures == PROBE_FAILURES_AUTO || failures == PROBE_FAILURES_TRACEPOINT) {
		execve = bpf_program__attach(p->skel->progs.fail_execve_tp);
		if (!execve) {
			p->failures_err = -errno;
		} else {
			execveat = bpf_program__attach(p->skel->progs.fail_execveat_tp);
			if (!execveat) {
				p->failures_err = -errno;
				bpf_link__destroy(execve);
			} else {
				p->skel->links.fail_execve_tp = execve;
				p->skel->links.fail_execveat_tp = execveat;
				p->failures = PROBE_FAILURES_TRACEPOINT;
				return;
			}
		}
	}
	if ((failures == PROBE_FAILURES_AUTO || failures == PROBE_FAILURES_SYS_EXIT) && mode == PROBE_ATTACH_TP_BTF) {
		sys_exit = bpf_program__attach(p->skel->progs.fail_btf);
		if (!sys_exit) {
			p->failures_err = -errno;
			return;
		}
		p->skel->links.fail_btf = sys_exit;
		p->failures = PROBE_FAILURES_SYS_EXIT;
	}
}

static int probe_open_mode(const struct probe_options *opts, int mode, struct probe **out,
			   struct probe_error *error)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		/* batch wake-ups: waking the reader per sample costs ~10x in the kernel */
		.wakeup_events = opts->wakeup_events ? opts->wakeup_events : 1,
	};
	const char *prog_name = mode == PROBE_ATTACH_TP_BTF ? "tp_btf/sched_process_exec"
							    : "tracepoint/sched/sched_process_exec";
	struct perf_event_attr bell_attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.wakeup_events = 1, /* a doorbell rings at once */
	};
	LIBBPF_OPTS(perf_buffer_raw_opts, rings_opts);
	struct bpf_link *link;
	struct probe *p;
	int *cpus = NULL;
	int cpu_count, possible;
	int err;

	attr.size = sizeof(attr);
	bell_attr.size = sizeof(bell_attr);
	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(error, "allocate", "probe", -ENOMEM);
	p->wake_fd = -1;
	p->attach_mode = mode;

	p->skel = exec_bpf__open();
	if (!p->skel) {
		err = fail(error, "open", "BPF object", -errno);
		goto cleanup;
	}
	p->skel->rodata->capture_filename = opts->capture_filename ? 1 : 0;
	p->skel->rodata->cgroup_root_id = opts->cgroup_root_id;
	p->prog = mode == PROBE_ATTACH_TP_BTF ? p->skel->progs.exec_btf : p->skel->progs.exec_tracepoint;
	bpf_program__set_autoload(mode == PROBE_ATTACH_TP_BTF ? p->skel->progs.exec_tracepoint
							       : p->skel->progs.exec_btf, false);
	/* exits need tp_btf: with the classic exec tracepoint (a kernel without it) they stay off */
	p->exits = opts->exits && mode == PROBE_ATTACH_TP_BTF;
	bpf_program__set_autoload(p->skel->progs.exit_btf, p->exits);
	/* loading needs no tracefs (attaching the classic ones does); tp_btf/sys_exit needs tp_btf */
	bpf_program__set_autoload(p->skel->progs.fail_execve_tp, opts->failures == PROBE_FAILURES_AUTO ||
								     opts->failures == PROBE_FAILURES_TRACEPOINT);
	bpf_program__set_autoload(p->skel->progs.fail_execveat_tp, opts->failures == PROBE_FAILURES_AUTO ||
								       opts->failures == PROBE_FAILURES_TRACEPOINT);
	bpf_program__set_autoload(p->skel->progs.fail_btf, mode == PROBE_ATTACH_TP_BTF &&
							       (opts->failures == PROBE_FAILURES_AUTO ||
								opts->failures == PROBE_FAILURES_SYS_EXIT));
	possible = libbpf_num_possible_cpus();
	if (possible <= 0) {
		err = fail(error, "count", "possible CPUs", possible < 0 ? possible : -EINVAL);
		goto cleanup;
	}
	err = bpf_map__set_max_entries(p->skel->maps.drained, (uint32_t)possible);
	if (err) {
		fail(error, "size", "drained map", err);
		goto cleanup;
	}

	err = exec_bpf__load(p->skel);
	if (err) {
		fail(error, "load", prog_name, err);
		goto cleanup;
	}

	p->drained_bytes = ((size_t)possible * sizeof(uint64_t) + (size_t)sysconf(_SC_PAGESIZE) - 1) &
			   ~((size_t)sysconf(_SC_PAGESIZE) - 1);
	p->drained = mmap(NULL, p->drained_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
			  bpf_map__fd(p->skel->maps.drained), 0);
	if (p->drained == MAP_FAILED) {
		p->drained = NULL;
		err = fail(error, "map", "drained flags", -errno);
		goto cleanup;
	}

	/* The CPUs named explicitly, so that ring i of both perf buffers is cpus[i]'s. */
	cpu_count = online_cpus(&cpus);
	if (cpu_count < 0) {
		err = fail(error, "read", "/sys/devices/system/cpu/online", cpu_count);
		goto cleanup;
	}
	rings_opts.cpu_cnt = cpu_count;
	rings_opts.cpus = cpus;
	rings_opts.map_keys = cpus;

	/* The perf buffer exists before the program is attached, so no exec goes unseen. */
	p->pb = perf_buffer__new_raw(bpf_map__fd(p->skel->maps.events), opts->ring_pages, &attr,
				     on_record, p, &rings_opts);
	if (!p->pb) {
		err = fail(error, "create", "perf buffer", -errno);
		goto cleanup;
	}
	p->bells = perf_buffer__new_raw(bpf_map__fd(p->skel->maps.doorbell), 1, &bell_attr, on_bell, p,
					&rings_opts);
	if (!p->bells) {
		err = fail(error, "create", "doorbell perf buffer", -errno);
		goto cleanup;
	}
	p->ring_count = perf_buffer__buffer_cnt(p->pb);
	p->ring_bytes = opts->ring_pages * (size_t)sysconf(_SC_PAGESIZE);
	p->rings = calloc(p->ring_count, sizeof(*p->rings));
	if (!p->rings) {
		err = fail(error, "allocate", "ring table", -ENOMEM);
		goto cleanup;
	}
	for (size_t i = 0; i < p->ring_count; i++) {
		void *base;
		size_t size;

		p->rings[i].fd = perf_buffer__buffer_fd(p->pb, i);
		p->rings[i].bell_fd = perf_buffer__buffer_fd(p->bells, i);
		p->rings[i].cpu = cpus[i];
		err = perf_buffer__buffer(p->pb, (int)i, &base, &size);
		if (err) {
			fail(error, "map", "perf ring header", err);
			goto cleanup;
		}
		p->rings[i].header = base;
	}
	free(cpus);
	cpus = NULL;

	p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->wake_fd < 0) {
		err = fail(error, "create", "eventfd", -errno);
		goto cleanup;
	}

	link = bpf_program__attach(p->prog);
	if (!link) {
		err = fail(error, "attach", prog_name, -errno);
		goto cleanup;
	}
	if (mode == PROBE_ATTACH_TP_BTF)
		p->skel->links.exec_btf = link;
	else
		p->skel->links.exec_tracepoint = link;
	if (p->exits) {
		link = bpf_program__attach(p->skel->progs.exit_btf);
		if (!link) {
			err = fail(error, "attach", "tp_btf/sched_process_exit", -errno);
			goto cleanup;
		}
		p->skel->links.exit_btf = link;
	}
	if (opts->failures != PROBE_FAILURES_OFF)
		attach_failures(p, opts->failures, mode);

	*out = p;
	return 0;

cleanup:
	free(cpus);
	probe_free(p);
	return err;
}

int probe_open(const struct probe_options *opts, struct probe **out, struct probe_error *error)
{
	struct probe_error first;
	int err;

	*out = NULL;
	if (opts->ring_pages == 0 || (opts->ring_pages & (opts->ring_pages - 1)))
		return fail(error, "check", "ring page count (must be a power of two)", -EINVAL);
	if (opts->attach != PROBE_ATTACH_AUTO)
		return probe_open_mode(opts, opts->attach, out, error);

	/* auto: the BTF tracepoint needs no tracefs; fall back only when it cannot be had */
	err = probe_open_mode(opts, PROBE_ATTACH_TP_BTF, out, &first);
	if (!err)
		return 0;
	if (err == -EPERM || err == -EACCES) {
		*error = first;
		return err;
	}
	err = probe_open_mode(opts, PROBE_ATTACH_TRACEPOINT, out, error);
	if (err)
		*error = first; /* the preferred mode's reason is the one to report */
	return err ? first.err : 0;
}

size_t probe_ring_count(const struct probe *p) { return p->ring_count; }
int probe_exits_attached(const struct probe *p) { return p->exits; }
int probe_failures_attached(const struct probe *p) { return p->failures; }
int probe_failures_error(const struct probe *p) { return p->failures ? 0 : p->failures_err; }
size_t probe_ring_bytes(const struct probe *p) { return p->ring_bytes; }
int probe_attach_mode(const struct probe *p) { return p->attach_mode; }

int probe_set_buffer(struct probe *p, size_t ring, void *buf, size_t capacity)
{
	if (ring >= p->ring_count || !buf)
		return -EINVAL;
	/* the whole ring must fit: a consume cannot be stopped half-way without losing records */
	if (capacity < p->ring_bytes)
		return -ENOBUFS;
	p->rings[ring].buf = buf;
	p->rings[ring].capacity = capacity;
	return 0;
}

static bool ring_empty(const struct ring *r)
{
	/* data_tail is ours (the consumer's); data_head the kernel's, read after the flag's barrier */
	return __atomic_load_n(&r->header->data_head, __ATOMIC_ACQUIRE) == r->header->data_tail;
}

/*
 * One ring's reader, in two states. Timed: wait for a batch (wakeup_events) or the timeout,
 * then consume whatever is there; the timeout bounds how long a record waits. Idle: after a
 * whole timeout brought nothing, arm the doorbell and, if the ring is still empty, wait with no
 * timeout at all; the next exec on this CPU rings the doorbell, and the reader goes back to
 * timed, so that exec too is read within the timeout. An idle host wakes no reader.
 */
long probe_poll(struct probe *p, size_t ring, int timeout_ms)
{
	struct ring *r;
	struct pollfd fds[3];
	int err;

	if (ring >= p->ring_count || !p->rings[ring].buf)
		return -EINVAL;
	r = &p->rings[ring];
	if (r->idle) {
		fds[0] = (struct pollfd){ .fd = r->fd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = p->wake_fd, .events = POLLIN };
		fds[2] = (struct pollfd){ .fd = r->bell_fd, .events = POLLIN };
		if (poll(fds, 3, -1) < 0)
			return errno == EINTR ? 0 : -errno;
		if (fds[1].revents)
			return 0; /* probe_wake: the caller is closing */
		err = perf_buffer__consume_buffer(p->bells, ring);
		if (err < 0)
			return err;
		r->idle = false;
	}

	fds[0] = (struct pollfd){ .fd = r->fd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = p->wake_fd, .events = POLLIN };
	if (poll(fds, 2, timeout_ms) < 0 && errno != EINTR)
		return -errno;

	/* Consume whether woken by a batch or by the timeout: the timeout bounds delivery delay. */
	r->pos = 0;
	current_ring = r;
	err = perf_buffer__consume_buffer(p->pb, ring);
	current_ring = NULL;
	if (err < 0)
		return err;
	if (r->pos == 0 && !fds[1].revents) {
		/* A full barrier before the emptiness check; the BPF side has one after its write. */
		__atomic_exchange_n(&p->drained[r->cpu], 1, __ATOMIC_SEQ_CST);
		r->idle = ring_empty(r);
	}
	return (long)r->pos;
}

uint64_t probe_lost(const struct probe *p, size_t ring)
{
	return ring < p->ring_count ? __atomic_load_n(&p->rings[ring].lost, __ATOMIC_RELAXED) : 0;
}

uint64_t probe_overflow(const struct probe *p, size_t ring)
{
	return ring < p->ring_count ? __atomic_load_n(&p->rings[ring].overflow, __ATOMIC_RELAXED) : 0;
}

int probe_read_stat(const struct probe *p, uint32_t stat, uint64_t *value)
{
	int cpus = libbpf_num_possible_cpus();
	uint64_t *values;
	int err;

	if (cpus <= 0)
		return cpus < 0 ? cpus : -EINVAL;
	values = calloc((size_t)cpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.stats), &stat, values);
	if (err) {
		err = -errno;
	} else {
		*value = 0;
		for (int i = 0; i < cpus; i++)
			*value += values[i];
	}
	free(values);
	return err;
}

int probe_prog_stats(const struct probe *p, uint64_t *run_cnt, uint64_t *run_time_ns, uint32_t *prog_id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(p->prog), &info, &len))
		return -errno;
	*run_cnt = info.run_cnt;
	*run_time_ns = info.run_time_ns;
	*prog_id = info.id;
	return 0;
}

int probe_wake(struct probe *p)
{
	uint64_t one = 1;

	/* The counter stays non-zero: every poller, now and later, sees the fd readable. */
	if (write(p->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

void probe_close(struct probe *p)
{
	probe_free(p);
}
