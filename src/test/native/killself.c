// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
/* killself: sends itself SIGKILL, so it ends killed by a signal that cannot be caught. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	kill(getpid(), SIGKILL);
	perror("killself: kill");
	return 1;
}
