// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reporting: WARN_ON output with the call site and BUG aborts. Warnings are
 * counted so tests can assert on them.
 */
#include <stdio.h>
#include <stdlib.h>
#include "mm/internal.h"

static unsigned long warn_count;

void __gup_warn(const char *file, int line, const char *func, const char *cond)
{
	__atomic_add_fetch(&warn_count, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "WARNING: at %s:%d %s(): %s\n", file, line, func, cond);
}

void __gup_bug(const char *file, int line, const char *func, const char *cond)
{
	fprintf(stderr, "kernel BUG at %s:%d %s(): %s\n", file, line, func, cond);
	abort();
}

unsigned long sim_warn_count(void)
{
	return __atomic_load_n(&warn_count, __ATOMIC_RELAXED);
}
