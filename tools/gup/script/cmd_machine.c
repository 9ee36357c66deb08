// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands about the machine and the script itself: boot, check,
 * fault injection, named values (set) and echo.
 */
#include <ctype.h>
#include <string.h>

#include "script_int.h"

static const char *const vsyscall_modes[] = {
	[BK_VSYSCALL_XONLY] = "xonly",
	[BK_VSYSCALL_EMULATE] = "emulate",
	[BK_VSYSCALL_NONE] = "none",
	NULL,
};

static const char *const thp_modes[] = {
	[BK_THP_MADVISE] = "madvise",
	[BK_THP_ALWAYS] = "always",
	[BK_THP_NEVER] = "never",
	NULL,
};

/*
 * The index of @word in the NULL-terminated @modes, into *@mode; a script error
 * naming @what and the modes otherwise. Unset (@word NULL) leaves *@mode alone.
 */
static bool boot_mode(struct script *s, const char *what, const char *const *modes,
		      const char *word, int *mode)
{
	char known[64] = "";

	if (!word)
		return true;
	for (int m = 0; modes[m]; m++) {
		if (!strcmp(modes[m], word)) {
			*mode = m;
			return true;
		}
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", m ? " " : "",
			 modes[m]);
	}
	return fail(s, "expected a %s mode (%s), got '%s'", what, known, word);
}

bool cmd_boot(struct script *s, struct cmd_args *a)
{
	unsigned long mem = a->opt[0].u, movable = a->opt[1].u;
	struct bk_boot cfg = {.mem_bytes = mem, .movable_bytes = movable, .profile = s->profile};
	const char *profile = a->opt[2].str;
	int vsyscall = BK_VSYSCALL_XONLY, thp = BK_THP_MADVISE;

	if (profile) {
		if (!s->be->profile_known(profile))
			return fail(s, "expected a profile (%s), got '%s'", s->be->profile_names(),
				    profile);
		cfg.profile = profile;
	}
	if (!boot_mode(s, "vsyscall", vsyscall_modes, a->opt[3].str, &vsyscall) ||
	    !boot_mode(s, "thp", thp_modes, a->opt[4].str, &thp))
		return false;
	cfg.vsyscall = (enum bk_vsyscall)vsyscall;
	cfg.thp = (enum bk_thp)thp;
	cfg.hugetlb_2m = a->opt[5].u;
	cfg.hugetlb_1g = a->opt[6].u;
	if (a->opt[7].str && strcmp(a->opt[7].str, "on") && strcmp(a->opt[7].str, "off"))
		return fail(s, "expected soft_dirty=on or off, got '%s'", a->opt[7].str);
	cfg.soft_dirty = a->opt[7].str && !strcmp(a->opt[7].str, "on");
	cfg.cma_bytes = a->opt[8].u;
	cfg.swap_bytes = a->opt[9].u;
	cfg.lru_batch = (unsigned int)a->opt[10].u;
	cfg.device_bytes = a->opt[11].u;
	if (a->opt[12].str && strcmp(a->opt[12].str, "on") && strcmp(a->opt[12].str, "off"))
		return fail(s, "expected kswapd=on or off, got '%s'", a->opt[12].str);
	cfg.kswapd = a->opt[12].str && !strcmp(a->opt[12].str, "on");
	cfg.min_free_kbytes = a->opt[13].u;
	cfg.fault_around_bytes = a->opt[14].u;
	cfg.init_on_free = a->opt[15].u;
	if (!boot_machine(s, &cfg))
		return false;
	say(s, "  booted: %lu pages (%lu MiB normal, %lu MiB movable), %lu free\n",
	    s->be->total_pages(), mem >> 20, movable >> 20, s->be->free_pages());
	if (cfg.hugetlb_2m || cfg.hugetlb_1g)
		say(s, "  hugetlb pools: %lu x 2M, %lu x 1G\n", cfg.hugetlb_2m, cfg.hugetlb_1g);
	if (cfg.cma_bytes)
		say(s, "  cma: the top %lu MiB of ZONE_NORMAL\n", cfg.cma_bytes >> 20);
	if (cfg.swap_bytes)
		say(s, "  swap: %lu MiB\n", cfg.swap_bytes >> 20);
	if (cfg.device_bytes)
		say(s, "  device memory: %lu MiB\n", cfg.device_bytes >> 20);
	if (cfg.kswapd)
		say(s, "  kswapd: on\n");
	if (cfg.init_on_free)
		say(s, "  init_on_free: pages are zeroed as they are freed\n");
	return true;
}

bool cmd_check(struct script *s, struct cmd_args *a)
{
	int bad = s->be->check(s->out);

	s->ret = bad;
	if (bad) {
		show(s, "%s:%d: check found %d violation(s)\n", s->file, s->line, bad);
		s->failed++;
	} else {
		say(s, "  check: all invariants hold\n");
	}
	return true;
}

bool cmd_inject(struct script *s, struct cmd_args *a)
{
	const char *point = a->arg[0].str;
	long nth = a->opt[0].n, count = a->opt[1].n;

	/* Faults retried without end would make GUP loop for ever, as the kernel would. */
	if (!strcmp(point, "fault_retry") && (count < 1 || count > MAX_RETRY_INJECT))
		return fail(s, "fault_retry needs a count from 1 to %d (more retries never end)",
			    MAX_RETRY_INJECT);
	if (s->be->inject_arm(point, (unsigned long)nth, (unsigned long)count))
		return fail(s,
			    "expected an injection point (page_alloc pgtable_alloc vma_alloc "
			    "fault_retry fault_oom fault_sigbus gup_signal hugetlb_alloc thp_alloc "
			    "thp_zero_page_alloc migrate_move), got '%s'",
			    point);
	return true;
}

bool cmd_inject_host_io(struct script *s, struct cmd_args *a)
{
	const char *op = a->arg[1].str, *fault = a->arg[2].str;
	long nth = a->opt[0].n, count = a->opt[1].n;

	if (!s->be->host_io_inject)
		return fail(s, "inject host_io: the %s back end has no host I/O seam", s->be->name);
	if (s->be->host_io_inject(op, fault, (unsigned long)nth, (unsigned long)count))
		return fail(
			s,
			"usage: inject host_io pread|pwrite|fsync|ftruncate|swap_read|swap_write "
			"eio|enospc|short "
			"(short: pread and pwrite only), got '%s %s'",
			op, fault);
	return true;
}

bool cmd_inject_off(struct script *s, struct cmd_args *a)
{
	s->be->inject_off();
	return true;
}

bool cmd_set(struct script *s, struct cmd_args *a)
{
	struct word *rest = a->arg[2].w;
	long v = 0;

	if (a->opt[0].given) {
		if (!eval_text(s, a->opt[0].w->val, &v))
			return false;
		return set_value(s, a->opt[0].w->key, v);
	}
	if (!rest)
		return fail(s, "usage: set NAME = EXPR|QUERY");
	return eval_number(s, a->arg[2].rest, a->arg[2].nrest, &v) &&
	       set_value(s, a->arg[0].str, v);
}

/* echo TEXT: print the rest of the line, with $name replaced by its value. */
bool cmd_echo(struct script *s, struct cmd_args *a)
{
	const char *text = a->arg[0].str;

	while (*text == ' ' || *text == '\t')
		text++;
	while (*text) {
		const char *end = text + 1;
		struct symbol *sym;

		while (*text == '$' && (isalnum((unsigned char)*end) || *end == '_'))
			end++;
		sym = end > text + 1 ? find_symbol(s, text + 1, (size_t)(end - text - 1)) : NULL;
		if (!sym) {
			fputc(*text++, s->out);
			continue;
		}
		show(s, "%s", NUM(sym->kind == SYM_VALUE ? sym->value : sym->set.nr));
		text = end;
	}
	fputc('\n', s->out);
	return true;
}
