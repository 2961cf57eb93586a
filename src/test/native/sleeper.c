// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/* sleeper MS: sleeps MS milliseconds (at least; through signals that interrupt it), then exits 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec due;
	char *end;
	long ms;

	if (argc != 2 || (ms = strtol(argv[1], &end, 10)) < 0 || *end || end == argv[1]) {
		fprintf(stderr, "usage: sleeper MILLISECONDS\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &due);
	due.tv_sec += ms / 1000;
	due.tv_nsec += (ms % 1000) * 1000000L;
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
		;
	return 0;
}
