// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * loader [--stats] [--pages N] [--wakeup N] OBJECT PROGRAM...
 *
 * Loads OBJECT with only the named programs, attaches them, reads the perf rings as the daemon does
 * (the reader woken every N samples, 64 as the daemon's default, a 100 ms poll timeout for the
 * rest), and prints "ready" once
 * attached. On SIGINT/SIGTERM it drains the rings and prints one JSON object: records by
 * (kind, comm, status or errno) with lifetimes, lost samples, the program's own counters, the
 * kernel's run_cnt/run_time_ns per program, and the exits map. --stats turns the kernel's BPF
 * statistics on for as long as it runs (BPF_ENABLE_STATS: held by an fd, so nobody else's setting
 * is touched and it ends with the process).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "record_proto.h"

#define MAX_PROGS 8
#define TABLE_SIZE 65536 /* distinct (kind, comm, value) triples; a power of two */
#define STAT_COUNT 7
#define LIFETIME_BUCKETS 14

struct row {
	uint16_t kind;
	uint32_t value;
	char comm[RECORD_COMM_LEN];
	uint64_t count;
	uint64_t lifetime_min_ns;
	uint64_t lifetime_max_ns;
	uint64_t lifetime_sum_ns;
};

static struct row *table;
static uint64_t rows_full, lost, bad;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t hash(uint16_t kind, uint32_t value, const char *comm)
{
	uint64_t h = 1469598103934665603ULL ^ kind ^ ((uint64_t)value << 16);

	for (int i = 0; i < RECORD_COMM_LEN; i++)
		h = (h ^ (unsigned char)comm[i]) * 1099511628211ULL;
	return h;
}

static void tally(uint16_t kind, uint32_t value, const char *comm, uint64_t lifetime_ns)
{
	uint64_t i = hash(kind, value, comm) & (TABLE_SIZE - 1);

	for (int probes = 0; probes < TABLE_SIZE; probes++, i = (i + 1) & (TABLE_SIZE - 1)) {
		struct row *r = &table[i];

		if (r->count == 0) {
			r->kind = kind;
			r->value = value;
			memcpy(r->comm, comm, RECORD_COMM_LEN);
			r->lifetime_min_ns = UINT64_MAX;
		} else if (r->kind != kind || r->value != value || memcmp(r->comm, comm, RECORD_COMM_LEN)) {
			continue;
		}
		r->count++;
		r->lifetime_sum_ns += lifetime_ns;
		if (lifetime_ns < r->lifetime_min_ns)
			r->lifetime_min_ns = lifetime_ns;
		if (lifetime_ns > r->lifetime_max_ns)
			r->lifetime_max_ns = lifetime_ns;
		return;
	}
	rows_full++;
}

static enum bpf_perf_event_ret on_event(void *ctx, int cpu, struct perf_event_header *header)
{
	(void)ctx;
	(void)cpu;
	if (header->type == PERF_RECORD_SAMPLE) {
		const struct {
			struct perf_event_header header;
			uint32_t size;
			unsigned char data[];
		} *s = (const void *)header;
		struct record_header h;

		if (s->size < sizeof(h)) {
			bad++;
			return LIBBPF_PERF_EVENT_CONT;
		}
		memcpy(&h, s->data, sizeof(h));
		if (h.kind == RECORD_EXIT && s->size >= sizeof(struct exit_record)) {
			struct exit_record r;

			memcpy(&r, s->data, sizeof(r));
			tally(h.kind, r.status, h.comm, r.lifetime_ns);
		} else if (h.kind == RECORD_EXEC_FAILURE && s->size >= sizeof(struct exec_failure_record)) {
			struct exec_failure_record r;

			memcpy(&r, s->data, sizeof(r));
			tally(h.kind, r.err, h.comm, 0);
		} else {
			bad++;
		}
	} else if (header->type == PERF_RECORD_LOST) {
		const struct {
			struct perf_event_header header;
			uint64_t id;
			uint64_t lost;
		} *l = (const void *)header;

		lost += l->lost;
	}
	return LIBBPF_PERF_EVENT_CONT;
}

/* A comm as a JSON string: printable ASCII as is, everything else \u00NN. */
static void print_comm(const char *comm)
{
	putchar('"');
	for (int i = 0; i < RECORD_COMM_LEN && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			putchar(c);
		else
			printf("\\u%04x", c);
	}
	putchar('"');
}

static int usage(void)
{
	fprintf(stderr, "usage: loader [--stats] [--pages N] [--wakeup N] OBJECT PROGRAM...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.wakeup_events = 64, /* the daemon's default (bpf.wakeup-events) */
	};
	struct bpf_program *progs[MAX_PROGS], *prog;
	struct bpf_link *links[MAX_PROGS] = { 0 };
	struct perf_buffer *pb = NULL;
	struct bpf_object *obj;
	size_t pages = 64;
	int nprogs = 0, stats_fd = -1, err = 1, argi = 1;

	for (; argi < argc && !strncmp(argv[argi], "--", 2); argi++) {
		if (!strcmp(argv[argi], "--stats"))
			stats_fd = 0;
		else if (!strcmp(argv[argi], "--pages") && argi + 1 < argc)
			pages = strtoul(argv[++argi], NULL, 10);
		else if (!strcmp(argv[argi], "--wakeup") && argi + 1 < argc)
			attr.wakeup_events = (uint32_t)strtoul(argv[++argi], NULL, 10);
		else
			return usage();
	}
	if (argc - argi < 2 || argc - argi - 1 > MAX_PROGS)
		return usage();
	attr.size = sizeof(attr);
	table = calloc(TABLE_SIZE, sizeof(*table));
	if (!table)
		return 1;

	obj = bpf_object__open_file(argv[argi], NULL);
	if (!obj) {
		fprintf(stderr, "loader: failed to open %s: %s\n", argv[argi], strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);
	for (int i = argi + 1; i < argc; i++) {
		progs[nprogs] = bpf_object__find_program_by_name(obj, argv[i]);
		if (!progs[nprogs]) {
			fprintf(stderr, "loader: no program %s in %s\n", argv[i], argv[argi]);
			goto out;
		}
		bpf_program__set_autoload(progs[nprogs++], true);
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "loader: failed to load %s: %s\n", argv[argi], strerror(errno));
		goto out;
	}
	pb = perf_buffer__new_raw(bpf_object__find_map_fd_by_name(obj, "events"), pages, &attr, on_event,
				  NULL, NULL);
	if (!pb) {
		fprintf(stderr, "loader: failed to create perf buffer: %s\n", strerror(errno));
		goto out;
	}
	if (stats_fd == 0) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			fprintf(stderr, "loader: failed to enable BPF stats: %s\n", strerror(errno));
			goto out;
		}
	}
	for (int i = 0; i < nprogs; i++) {
		links[i] = bpf_program__attach(progs[i]);
		if (!links[i]) {
			fprintf(stderr, "loader: failed to attach %s: %s\n", bpf_program__name(progs[i]),
				strerror(errno));
			goto out;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
		int n = perf_buffer__poll(pb, 100);

		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "loader: failed to poll: %s\n", strerror(-n));
			goto out;
		}
	}
	/* detach first, so that what is drained is everything there will be */
	for (int i = 0; i < nprogs; i++) {
		bpf_link__destroy(links[i]);
		links[i] = NULL;
	}
	perf_buffer__consume(pb);

	printf("{\"lost\":%llu,\"bad\":%llu,\"rows_full\":%llu,\"progs\":{", (unsigned long long)lost,
	       (unsigned long long)bad, (unsigned long long)rows_full);
	for (int i = 0; i < nprogs; i++) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info);

		bpf_obj_get_info_by_fd(bpf_program__fd(progs[i]), &info, &len);
		printf("%s\"%s\":{\"run_cnt\":%llu,\"run_time_ns\":%llu}", i ? "," : "", bpf_program__name(progs[i]),
		       (unsigned long long)info.run_cnt, (unsigned long long)info.run_time_ns);
	}
	printf("},\"stats\":[");
	{
		int cpus = libbpf_num_possible_cpus();
		uint64_t *values = calloc((size_t)cpus, sizeof(*values));
		int fd = bpf_object__find_map_fd_by_name(obj, "stats");

		for (uint32_t s = 0; s < STAT_COUNT; s++) {
			uint64_t sum = 0;

			if (values && !bpf_map_lookup_elem(fd, &s, values))
				for (int c = 0; c < cpus; c++)
					sum += values[c];
			printf("%s%llu", s ? "," : "", (unsigned long long)sum);
		}
		free(values);
	}
	printf("],\"records\":[");
	for (size_t i = 0, first = 1; i < TABLE_SIZE; i++) {
		const struct row *r = &table[i];

		if (!r->count)
			continue;
		printf("%s{\"kind\":%u,\"comm\":", first ? "" : ",", r->kind);
		print_comm(r->comm);
		printf(",\"value\":%u,\"count\":%llu,\"lifetime_min_ns\":%llu,\"lifetime_max_ns\":%llu,"
		       "\"lifetime_sum_ns\":%llu}", r->value, (unsigned long long)r->count,
		       (unsigned long long)r->lifetime_min_ns, (unsigned long long)r->lifetime_max_ns,
		       (unsigned long long)r->lifetime_sum_ns);
		first = 0;
	}
	printf("],\"map\":[");
	{
		struct { char comm[RECORD_COMM_LEN]; uint32_t status; } key, next;
		struct { uint64_t count, sum, buckets[LIFETIME_BUCKETS + 1]; } value;
		int fd = bpf_object__find_map_fd_by_name(obj, "exits");
		void *prev = NULL;

		for (int first = 1; fd >= 0 && !bpf_map_get_next_key(fd, prev, &next); first = 0) {
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(fd, &key, &value))
				continue;
			printf("%s{\"comm\":", first ? "" : ",");
			print_comm(key.comm);
			printf(",\"status\":%u,\"count\":%llu,\"lifetime_sum_ns\":%llu,\"buckets\":[", key.status,
			       (unsigned long long)value.count, (unsigned long long)value.sum);
			for (int b = 0; b <= LIFETIME_BUCKETS; b++)
				printf("%s%llu", b ? "," : "", (unsigned long long)value.buckets[b]);
			printf("]}");
		}
	}
	printf("]}\n");
	err = 0;
out:
	for (int i = 0; i < nprogs; i++)
		bpf_link__destroy(links[i]);
	perf_buffer__free(pb);
	if (stats_fd > 0)
		close(stats_fd);
	bpf_object__close(obj);
	free(table);
	return err;
}
