// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands for reclaim and swap: pageout (MADV_PAGEOUT of a range),
 * reclaim N (sim_reclaim), kswapd wait, and the `swap` query expect reads.
 */
#include <string.h>
#include <sys/mman.h>

#include "script_int.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

bool cmd_pageout(struct script *s, struct cmd_args *a)
{
	report(s, "madvise(MADV_PAGEOUT)", s->be->madvise(a->arg[0].u, a->arg[1].u, MADV_PAGEOUT));
	return true;
}

bool cmd_reclaim(struct script *s, struct cmd_args *a)
{
	if (a->arg[0].n <= 0)
		return fail(s, "expected a positive page count, got %ld", a->arg[0].n);
	report(s, "sim_reclaim", s->be->reclaim((unsigned long)a->arg[0].n));
	return true;
}

bool cmd_kswapd_wait(struct script *s, struct cmd_args *a)
{
	(void)a;
	if (!s->be->kswapd_wait)
		return fail(s, "kswapd wait: the %s back end has no kswapd to wait for",
			    s->be->name);
	report(s, "kswapd wait", s->be->kswapd_wait());
	return true;
}

/* `swap FIELD`: the swap device's slots (total, used) or the swap cache's pages (cached). */
bool swap_item(struct script *s, const char *field, long *v)
{
	static const char *const fields[] = {"total", "used", "cached"};
	unsigned long counts[3];

	s->be->swap_stats(counts);
	for (int i = 0; i < 3; i++)
		if (!strcmp(field, fields[i])) {
			*v = (long)counts[i];
			return true;
		}
	return fail(s, "expected a swap field (total used cached), got '%s'", field);
}
