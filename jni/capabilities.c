// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "capabilities.h"

#define MAX_THREADS 4096
#define WAIT_NANOS (2L * 1000 * 1000 * 1000)

static atomic_int acks;

/* Async-signal-safe: raw syscalls only. Bounding set first, while CAP_SETPCAP may still be held. */
static void drop_own_capabilities(void)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	for (int cap = 0; cap <= 63; cap++)
		if (syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) && errno == EINVAL)
			break; /* past the kernel's last capability */
	syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof(data));
	syscall(SYS_capset, &header, data);
}

static void on_signal(int sig, siginfo_t *info, void *context)
{
	int saved = errno;
	(void)sig; (void)info; (void)context;

	drop_own_capabilities();
	atomic_fetch_add(&acks, 1);
	errno = saved;
}

/* A real-time signal with no handler and nobody's use: searched from the top, clear of libc's. */
static int find_free_signal(struct sigaction *previous)
{
	for (int sig = SIGRTMAX - 1; sig >= SIGRTMIN + 4; sig--) {
		if (sigaction(sig, NULL, previous) == 0 && previous->sa_handler == SIG_DFL &&
		    !(previous->sa_flags & SA_SIGINFO))
			return sig;
	}
	return -1;
}

static int drop_all_threads_locked(void);

static int contains(const pid_t *tids, int n, pid_t tid)
{
	for (int i = 0; i < n; i++)
		if (tids[i] == tid)
			return 1;
	return 0;
}

/* Signals every thread not yet signalled; returns how many were, or -errno. */
static int signal_new_threads(int sig, pid_t *done, int *done_count)
{
	pid_t self = (pid_t)syscall(SYS_gettid);
	pid_t pid = getpid();
	DIR *dir = opendir("/proc/self/task");
	struct dirent *entry;
	int sent = 0;

	if (!dir)
		return -errno;
	while ((entry = readdir(dir))) {
		pid_t tid = (pid_t)atoi(entry->d_name);

		if (tid <= 0 || tid == self || contains(done, *done_count, tid) || *done_count >= MAX_THREADS)
			continue;
		done[(*done_count)++] = tid;
		if (syscall(SYS_tgkill, pid, tid, sig) == 0)
			sent++; /* ESRCH: it exited meanwhile, nothing to drop */
	}
	closedir(dir);
	return sent;
}

/* Threads whose status still shows a capability in any set but the bounding one. */
static int threads_with_capabilities(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *entry;
	int holding = 0;

	if (!dir)
		return -errno;
	while ((entry = readdir(dir))) {
		char path[300], line[128];
		FILE *status;

		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", entry->d_name);
		status = fopen(path, "re");
		if (!status)
			continue;
		while (fgets(line, sizeof(line), status)) {
			if ((!strncmp(line, "CapInh:", 7) || !strncmp(line, "CapPrm:", 7) || !strncmp(line, "CapEff:", 7) ||
			     !strncmp(line, "CapAmb:", 7)) && strtoull(line + 7, NULL, 16) != 0) {
				holding++;
				break;
			}
		}
		fclose(status);
	}
	closedir(dir);
	return holding;
}

int caps_drop_all_threads(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int result;

	pthread_mutex_lock(&lock);
	result = drop_all_threads_locked();
	pthread_mutex_unlock(&lock);
	return result;
}

static int drop_all_threads_locked(void)
{
	static pid_t done[MAX_THREADS];
	struct sigaction previous, action = { 0 };
	struct timespec start, now, pause = { 0, 1000 * 1000 };
	int done_count = 0, sent = 0, n, sig;

	sig = find_free_signal(&previous);
	if (sig < 0)
		return -EBUSY;
	action.sa_sigaction = on_signal;
	action.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&action.sa_mask);
	if (sigaction(sig, &action, NULL))
		return -errno;

	atomic_store(&acks, 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	/*
	 * Done when a scan made after every signalled thread had dropped finds no new thread: a
	 * thread started by one not yet dropped inherited its capabilities, but was started before
	 * that one's drop, so before the scan, which therefore sees it.
	 */
	for (;;) {
		int all_dropped = atomic_load(&acks) >= sent;

		n = signal_new_threads(sig, done, &done_count);
		if (n < 0 || (n == 0 && all_dropped))
			break;
		sent += n;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) > WAIT_NANOS)
			break;
		nanosleep(&pause, NULL);
	}
	drop_own_capabilities();
	/* Removing the handler with a signal still in flight would let its default action end the
	 * process: a thread that never answered keeps the (harmless) handler installed. */
	if (atomic_load(&acks) >= sent)
		sigaction(sig, &previous, NULL);
	if (n < 0)
		return n;
	return threads_with_capabilities();
}
