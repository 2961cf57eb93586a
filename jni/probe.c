// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe.h"
#include "exec.skel.h"

struct ring {
	int fd;                 /* the ring's perf event fd, to poll on */
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
	struct perf_buffer *pb;
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
	perf_buffer__free(p->pb);
	exec_bpf__destroy(p->skel);
	free(p);
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
	struct bpf_link *link;
	struct probe *p;
	int err;

	attr.size = sizeof(attr);
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
	p->prog = mode == PROBE_ATTACH_TP_BTF ? p->skel->progs.exec_btf : p->skel->progs.exec_tracepoint;
	bpf_program__set_autoload(mode == PROBE_ATTACH_TP_BTF ? p->skel->progs.exec_tracepoint
							       : p->skel->progs.exec_btf, false);

	err = exec_bpf__load(p->skel);
	if (err) {
		fail(error, "load", prog_name, err);
		goto cleanup;
	}

	/* The perf buffer exists before the program is attached, so no exec goes unseen. */
	p->pb = perf_buffer__new_raw(bpf_map__fd(p->skel->maps.events), opts->ring_pages, &attr,
				     on_record, p, NULL);
	if (!p->pb) {
		err = fail(error, "create", "perf buffer", -errno);
		goto cleanup;
	}
	p->ring_count = perf_buffer__buffer_cnt(p->pb);
	p->ring_bytes = opts->ring_pages * (size_t)sysconf(_SC_PAGESIZE);
	p->rings = calloc(p->ring_count, sizeof(*p->rings));
	if (!p->rings) {
		err = fail(error, "allocate", "ring table", -ENOMEM);
		goto cleanup;
	}
	for (size_t i = 0; i < p->ring_count; i++)
		p->rings[i].fd = perf_buffer__buffer_fd(p->pb, i);

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

	*out = p;
	return 0;

cleanup:
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

long probe_poll(struct probe *p, size_t ring, int timeout_ms)
{
	struct ring *r;
	struct pollfd fds[2];
	int err;

	if (ring >= p->ring_count || !p->rings[ring].buf)
		return -EINVAL;
	r = &p->rings[ring];
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
