// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/*
 * segv: a real segmentation fault (a store to a page mapped without access), so it ends killed by
 * SIGSEGV. RLIMIT_CORE is lowered to 0 first: no core file wherever it runs.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>

int main(void)
{
	struct rlimit none = { 0, 0 };
	volatile int *page;

	setrlimit(RLIMIT_CORE, &none);
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		perror("segv: mmap");
		return 1;
	}
	*page = 1;
	fprintf(stderr, "segv: the store did not fault\n");
	return 1;
}
