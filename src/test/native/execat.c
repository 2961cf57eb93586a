// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * execat DIR RELPATH: execveat(DIR's fd, RELPATH). The kernel names such an exec
 * "/dev/fd/N/RELPATH", which can be longer than PATH_MAX: the way to test filename truncation.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

extern char **environ;

int main(int argc, char **argv)
{
	int dir;

	if (argc != 3) {
		fprintf(stderr, "usage: execat DIR RELPATH\n");
		return 2;
	}
	dir = open(argv[1], O_PATH | O_DIRECTORY);
	if (dir < 0) {
		fprintf(stderr, "execat: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	char *args[] = { argv[2], NULL };
	syscall(SYS_execveat, dir, argv[2], args, environ, 0);
	fprintf(stderr, "execat: execveat: %s\n", strerror(errno));
	return 1;
}
