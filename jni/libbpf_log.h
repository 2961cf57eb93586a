/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * libbpf's messages (verifier logs, load failures) are kept, not printed: the Java side drains
 * them after each probe_open and logs them at debug level, so a failure reads as one line.
 */
#ifndef EXEC_LIBBPF_LOG_H
#define EXEC_LIBBPF_LOG_H

#include <stddef.h>

void libbpf_log_install(void);

/* Copies the kept messages into dst (NUL-terminated) and forgets them; returns their length. */
size_t libbpf_log_drain(char *dst, size_t capacity);

#endif
