// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * spin N: N getppid() system calls in a tight loop (the cheapest system call: no argument, no
 * lock, never cached by libc). Prints the mean ns per call in wall time and in the thread's own
 * CPU time; on a shared machine the CPU time is the steadier of the two (time spent waiting for
 * the CPU is not in it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double ns(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv)
{
	struct timespec wall0, wall1, cpu0, cpu1;
	long n;

	if (argc != 2 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: spin CALLS\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &wall0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
	clock_gettime(CLOCK_MONOTONIC, &wall1);
	printf("%.3f %.3f\n", ns(&wall0, &wall1) / (double)n, ns(&cpu0, &cpu1) / (double)n);
	return 0;
}
