// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/* exit3: exits with status 3 at once (exit_group(3)); like noop, no libc and no dynamic loader. */
void _start(void)
{
	__asm__ volatile("mov $231, %eax\n\tmov $3, %edi\n\tsyscall");
	__builtin_unreachable();
}
