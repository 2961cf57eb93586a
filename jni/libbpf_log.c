// SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "libbpf_log.h"

#define LOG_CAPACITY (64 * 1024)

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[LOG_CAPACITY];
static size_t log_len;

static int keep_message(enum libbpf_print_level level, const char *format, va_list args)
{
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	pthread_mutex_lock(&log_lock);
	/* When full, the oldest messages are kept: they say why a load failed first. */
	if (log_len < LOG_CAPACITY - 1) {
		n = vsnprintf(log_text + log_len, LOG_CAPACITY - log_len, format, args);
		if (n > 0)
			log_len += (size_t)n < LOG_CAPACITY - log_len ? (size_t)n : LOG_CAPACITY - 1 - log_len;
	}
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void libbpf_log_install(void)
{
	libbpf_set_print(keep_message);
}

size_t libbpf_log_drain(char *dst, size_t capacity)
{
	size_t n;

	if (capacity == 0)
		return 0;
	pthread_mutex_lock(&log_lock);
	n = log_len < capacity - 1 ? log_len : capacity - 1;
	memcpy(dst, log_text, n);
	dst[n] = '\0';
	log_len = 0;
	pthread_mutex_unlock(&log_lock);
	return n;
}
