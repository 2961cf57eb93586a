// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * threads MODE N CODE: a process of N threads besides its leader, ended in one of three ways:
 *   before      the threads exit first, then the leader ends the process with exit(CODE): status CODE
 *   after       the leader exits first (pthread_exit); then the threads leave all at once, the last
 *               of them with exit(CODE), a group exit: status CODE
 *   after-exit  as after, but the last thread waits until it is alone with the zombie leader and
 *               leaves with the bare exit system call, not exit_group: the kernel makes the exit of
 *               the last thread to start exiting the group's (synchronize_group_exit, 6.18 here):
 *               status CODE; older kernels report the leader's status, 0
 * Orders are facts, not guesses: the threads wait (10 s at most, else exit 70) until the kernel
 * shows the leader as a zombie, and in after-exit the last until the others are gone from
 * /proc/self/task (without that wait a thread still on its way out could end the group with 0).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

enum mode { BEFORE, AFTER, AFTER_EXIT };

static enum mode mode;
static int code;
static atomic_int remaining;

/* The leader's state letter from /proc/self/task/PID/stat, or 0 if unreadable. */
static char leader_state(void)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", getpid());
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')'); /* the comm may hold anything: the state follows its last ')' */
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* The threads the kernel still lists for this process, the zombie leader included. */
static int tasks_listed(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *entry;
	int n = 0;

	if (!dir)
		return -1;
	while ((entry = readdir(dir)))
		if (entry->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static bool leader_exited(void)
{
	return leader_state() == 'Z';
}

static bool alone_with_leader(void)
{
	return tasks_listed() == 2;
}

static void wait_until(bool (*done)(void), const char *what)
{
	struct timespec pause = { 0, 1000000 };

	for (int i = 0; i < 10000; i++) {
		if (done())
			return;
		nanosleep(&pause, NULL);
	}
	fprintf(stderr, "threads: %s: not within 10 s\n", what);
	exit(70);
}

static void *run(void *arg)
{
	(void)arg;
	if (mode == BEFORE)
		return NULL;
	wait_until(leader_exited, "the leader's exit");
	if (atomic_fetch_sub(&remaining, 1) != 1)
		return NULL;
	if (mode == AFTER)
		exit(code);
	wait_until(alone_with_leader, "the other threads' exits");
	syscall(SYS_exit, code);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t *ids;
	long n;

	if (argc != 4 || (n = atol(argv[2])) < 1 || n > 1000) {
		fprintf(stderr, "usage: threads before|after|after-exit THREADS(1..1000) CODE\n");
		return 2;
	}
	if (!strcmp(argv[1], "before"))
		mode = BEFORE;
	else if (!strcmp(argv[1], "after"))
		mode = AFTER;
	else if (!strcmp(argv[1], "after-exit"))
		mode = AFTER_EXIT;
	else {
		fprintf(stderr, "threads: %s: not before, after or after-exit\n", argv[1]);
		return 2;
	}
	code = atoi(argv[3]);
	atomic_store(&remaining, (int)n);
	ids = calloc((size_t)n, sizeof(*ids));
	if (!ids)
		return 1;
	for (long i = 0; i < n; i++) {
		int err = pthread_create(&ids[i], NULL, run, NULL);

		if (err) {
			fprintf(stderr, "threads: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	if (mode != BEFORE)
		pthread_exit(NULL);
	for (long i = 0; i < n; i++)
		pthread_join(ids[i], NULL);
	return code;
}
