// SPDX-License-Identifier: GPL-2.0-only
/*
 * The contiguous-memory commands: cma_alloc and cma_release, offline and online.
 * The host back end plays none of them (its plays_command() does not list them).
 */
#include "script_int.h"

static bool have_op(struct script *s, const void *op, const char *name)
{
	if (!op)
		return fail(s, "`%s` is not played by the %s back end", name, s->be->name);
	return true;
}

bool cmd_cma_alloc(struct script *s, struct cmd_args *a)
{
	long ret;

	if (!have_op(s, s->be->cma_alloc, "cma_alloc"))
		return false;
	ret = s->be->cma_alloc(a->arg[1].u, (unsigned int)a->opt[0].u, s->out);
	report(s, "cma_alloc", ret);
	return set_value(s, a->arg[0].str, ret);
}

bool cmd_cma_release(struct script *s, struct cmd_args *a)
{
	if (!have_op(s, s->be->cma_release, "cma_release"))
		return false;
	report(s, "cma_release", s->be->cma_release(a->arg[0].u, a->arg[1].u));
	return true;
}

bool cmd_offline(struct script *s, struct cmd_args *a)
{
	if (!have_op(s, s->be->offline, "offline"))
		return false;
	report(s, "offline_range", s->be->offline(a->arg[0].u, a->arg[1].u, s->out));
	return true;
}

bool cmd_online(struct script *s, struct cmd_args *a)
{
	if (!have_op(s, s->be->online, "online"))
		return false;
	report(s, "online_range", s->be->online(a->arg[0].u, a->arg[1].u));
	return true;
}
