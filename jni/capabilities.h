/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Dropping every capability of the whole process once the probe is attached.
 *
 * Linux keeps capabilities per thread, and the JVM runs many threads (GC, JIT, pollers) that all
 * inherited the capabilities the process started with. Like libcap's psx, each thread is made to
 * drop its own: a handler on a real-time signal nobody uses is installed for the duration of the
 * call, every thread is signalled, and the handler is removed again.
 */
#ifndef EXEC_CAPABILITIES_H
#define EXEC_CAPABILITIES_H

/*
 * Clears the effective, permitted, inheritable and ambient sets of every thread, and empties the
 * bounding set where CAP_SETPCAP allows. Returns the number of threads that still hold a
 * capability afterwards (0 on success), or -errno if the drop could not be attempted.
 */
int caps_drop_all_threads(void);

#endif
