// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * execfail MISSING NOEXEC [JUNK]: calls execve() MISSING times on a path that does not exist
 * (ENOENT), NOEXEC times on a file without an exec bit (EACCES, even for root), and JUNK times on an
 * executable file of no known format (ENOEXEC), in a fresh directory under $TMPDIR (or /tmp).
 * Prints what the calls returned, "ENOENT n EACCES n ENOEXEC n other n", and exits 0 only if every
 * call failed as asked (a noexec mount, say, turns the JUNK calls into EACCES: exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

extern char **environ;

static long count_arg(const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (n < 0 || *end || end == arg) {
		fprintf(stderr, "execfail: %s: not a count\n", arg);
		exit(2);
	}
	return n;
}

static void make_file(const char *path, mode_t mode)
{
	static const char junk[] = "\x01\x02\x03\x04 not a known executable format\n";
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, junk, sizeof(junk) - 1) != (ssize_t)sizeof(junk) - 1 || fchmod(fd, mode) ||
	    close(fd)) {
		fprintf(stderr, "execfail: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* execve() `times` times; returns how many failed with `expected`, counts the others in *other. */
static long exec_failing(const char *path, long times, int expected, long *other)
{
	char *argv[] = { (char *)path, NULL };
	long matched = 0;

	for (long i = 0; i < times; i++) {
		execve(path, argv, environ);
		if (errno == expected)
			matched++;
		else
			(*other)++;
	}
	return matched;
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], missing[PATH_MAX + 16], noexec[PATH_MAX + 16], junk[PATH_MAX + 16];
	const char *tmp = getenv("TMPDIR");
	long want_missing, want_noexec, want_junk = 0, other = 0;
	long enoent, eacces, enoexec;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: execfail MISSING NOEXEC [JUNK]\n");
		return 2;
	}
	want_missing = count_arg(argv[1]);
	want_noexec = count_arg(argv[2]);
	if (argc == 4)
		want_junk = count_arg(argv[3]);

	snprintf(dir, sizeof(dir), "%s/execfail.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "execfail: mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	snprintf(noexec, sizeof(noexec), "%s/noexec", dir);
	snprintf(junk, sizeof(junk), "%s/junk", dir);
	make_file(noexec, 0644);
	make_file(junk, 0755);

	enoent = exec_failing(missing, want_missing, ENOENT, &other);
	eacces = exec_failing(noexec, want_noexec, EACCES, &other);
	enoexec = exec_failing(junk, want_junk, ENOEXEC, &other);

	unlink(noexec);
	unlink(junk);
	rmdir(dir);
	printf("ENOENT %ld EACCES %ld ENOEXEC %ld other %ld\n", enoent, eacces, enoexec, other);
	return enoent == want_missing && eacces == want_noexec && enoexec == want_junk ? 0 : 1;
}
