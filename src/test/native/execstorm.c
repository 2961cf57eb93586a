// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * execstorm: N workers exec a tiny binary under K names, as fast as they can or at a set rate,
 * and report how many execs of each name succeeded, so a tracer's counts can be checked exactly.
 *
 *   execstorm --binary PATH --dir DIR [--workers N] (--count TOTAL | --seconds S) [--rate PER_S]
 *             NAME_HEX...
 *
 * Names are given in hex so that they may hold any byte but NUL and '/'. Each becomes a copy of
 * the binary in DIR; the kernel takes the exec'd process's comm from that file name.
 * Output: one line per name, "name <hex> <execs>", then "total <execs> failed <n> seconds <s>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_NAMES 100000

static char **paths;
static char **hex_names;
static size_t name_count;
static atomic_ullong *exec_counts;
static atomic_ullong failed;
static atomic_ullong tickets;
static unsigned long long total = 0;   /* --count */
static double seconds = 0;             /* --seconds */
static double rate = 0;                /* --rate, execs per second over all workers */
static int workers = 2;
static struct timespec start;

static void die(const char *what)
{
	fprintf(stderr, "execstorm: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static char *decode_hex(const char *hex)
{
	size_t len = strlen(hex);
	char *out;

	if (len == 0 || len % 2) {
		fprintf(stderr, "execstorm: name %s: not an even number of hex digits\n", hex);
		exit(2);
	}
	out = calloc(len / 2 + 1, 1);
	if (!out)
		die("calloc");
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);

		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0) || (hi << 4 | lo) == '/') {
			fprintf(stderr, "execstorm: name %s: bad hex, NUL or '/'\n", hex);
			exit(2);
		}
		out[i / 2] = (char)(hi << 4 | lo);
	}
	return out;
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

	if (in < 0)
		die(from);
	if (out < 0)
		die("create a copy of the binary");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die("write");
	if (n < 0 || fchmod(out, 0755) || close(out))
		die("copy");
	close(in);
}

static void pace(unsigned long long ticket)
{
	struct timespec due;
	double at;

	if (rate <= 0)
		return;
	at = (double)ticket / rate;
	due.tv_sec = start.tv_sec + (time_t)at;
	due.tv_nsec = start.tv_nsec + (long)((at - (double)(time_t)at) * 1e9);
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned long long ticket = atomic_fetch_add(&tickets, 1);
		size_t name = ticket % name_count;
		char *argv[] = { paths[name], NULL };
		pid_t pid;
		int status;

		if (total && ticket >= total)
			break;
		if (seconds > 0 && elapsed() >= seconds)
			break;
		pace(ticket);
		if (posix_spawn(&pid, paths[name], NULL, NULL, argv, environ)) {
			atomic_fetch_add(&failed, 1);
			continue;
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			atomic_fetch_add(&exec_counts[name], 1);
		else
			atomic_fetch_add(&failed, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *binary = NULL, *dir = NULL;
	pthread_t *threads;
	unsigned long long sum = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--binary") && i + 1 < argc) binary = argv[++i];
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
		else if (!strcmp(argv[i], "--workers") && i + 1 < argc) workers = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc) total = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc) rate = atof(argv[++i]);
		else if (argv[i][0] == '-') {
			fprintf(stderr, "execstorm: unknown or incomplete option %s\n", argv[i]);
			return 2;
		} else break;
	}
	name_count = (size_t)(argc - i);
	if (!binary || !dir || name_count == 0 || name_count > MAX_NAMES || workers < 1 || (!total && seconds <= 0)) {
		fprintf(stderr, "usage: execstorm --binary PATH --dir DIR [--workers N] "
				"(--count TOTAL | --seconds S) [--rate PER_S] NAME_HEX...\n");
		return 2;
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		die(dir);

	paths = calloc(name_count, sizeof(*paths));
	hex_names = argv + i;
	exec_counts = calloc(name_count, sizeof(*exec_counts));
	if (!paths || !exec_counts)
		die("calloc");
	for (size_t n = 0; n < name_count; n++) {
		char *name = decode_hex(hex_names[n]);

		if (asprintf(&paths[n], "%s/%s", dir, name) < 0)
			die("asprintf");
		copy_file(binary, paths[n]);
		free(name);
	}

	threads = calloc((size_t)workers, sizeof(*threads));
	if (!threads)
		die("calloc");
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < workers; i++)
		if (pthread_create(&threads[i], NULL, worker, NULL))
			die("pthread_create");
	for (i = 0; i < workers; i++)
		pthread_join(threads[i], NULL);

	for (size_t n = 0; n < name_count; n++) {
		unsigned long long c = atomic_load(&exec_counts[n]);

		sum += c;
		printf("name %s %llu\n", hex_names[n], c);
	}
	printf("total %llu failed %llu seconds %.3f\n", sum, (unsigned long long)atomic_load(&failed), elapsed());
	return 0;
}
