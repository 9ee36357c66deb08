// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands for the mapping calls of the current task: mmap, munmap,
 * mprotect, madvise, mlock, munlock, and the later kernels' mseal and secretmem;
 * mmap maps a named file (cmd_file.c) with fd=; clear_refs (soft-dirty, young).
 */
#include <errno.h>
#include <string.h>

#include "script_int.h"

bool cmd_mmap(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str;
	struct file_slot *file;
	unsigned long ret;

	if (a->opt[4].given && !s->be->mmap_file) {
		/* gup diff: the host plays no file commands, so it has no file to map. */
		note_sim_only(s, "files are sim-only");
		ret = (unsigned long)-ENOSYS;
	} else if (a->opt[4].given) {
		if (!(file = find_file(s, a->opt[4].str)))
			return false;
		ret = s->be->mmap_file(a->opt[3].u, a->opt[0].u, a->opt[1].u, a->opt[2].u, file->fd,
				       a->opt[5].u);
	} else {
		ret = s->be->mmap(a->opt[3].u, a->opt[0].u, a->opt[1].u, a->opt[2].u);
	}
	s->ret = (long)ret;
	if (!set_value(s, name, (long)ret))
		return false;
	say(s, "  $%s = %s\n", name, NUM((long)ret));
	return true;
}

bool cmd_munmap(struct script *s, struct cmd_args *a)
{
	report(s, "munmap", s->be->munmap(a->arg[0].u, a->arg[1].u));
	return true;
}

bool cmd_mprotect(struct script *s, struct cmd_args *a)
{
	report(s, "mprotect", s->be->mprotect(a->arg[0].u, a->arg[1].u, a->arg[2].u));
	return true;
}

bool cmd_madvise(struct script *s, struct cmd_args *a)
{
	report(s, "madvise", s->be->madvise(a->arg[0].u, a->arg[1].u, (int)a->arg[2].n));
	return true;
}

bool cmd_mlock(struct script *s, struct cmd_args *a)
{
	bool onfault = a->arg[2].given;

	report(s, onfault ? "mlock2" : "mlock", s->be->mlock(a->arg[0].u, a->arg[1].u, onfault));
	return true;
}

bool cmd_munlock(struct script *s, struct cmd_args *a)
{
	report(s, "munlock", s->be->munlock(a->arg[0].u, a->arg[1].u));
	return true;
}

bool cmd_mremap(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str;
	unsigned long flags = (a->arg[3].given ? MREMAP_MAYMOVE : 0) |
			      (a->arg[4].given ? MREMAP_DONTUNMAP : 0) |
			      (a->opt[0].given ? MREMAP_FIXED : 0);
	unsigned long ret =
		s->be->mremap(a->arg[1].u, a->arg[2].u, a->opt[1].u, flags, a->opt[0].u);

	s->ret = (long)ret;
	if (!set_value(s, name, (long)ret))
		return false;
	say(s, "  $%s = %s\n", name, NUM((long)ret));
	return true;
}

bool cmd_split(struct script *s, struct cmd_args *a)
{
	report(s, "split_huge_page", s->be->split_huge_page(a->arg[0].u));
	return true;
}

bool cmd_mseal(struct script *s, struct cmd_args *a)
{
	report(s, "mseal", s->be->mseal(a->arg[0].u, a->arg[1].u, a->opt[0].u));
	return true;
}

/* clear_refs MODE: the number /proc/pid/clear_refs takes for each mode. */
bool cmd_clear_refs(struct script *s, struct cmd_args *a)
{
	static const char *const modes[] = {"young", "anon", "mapped", "soft_dirty"};
	const char *mode = a->arg[0].str;

	for (int i = 0; i < 4; i++)
		if (!strcmp(mode, modes[i])) {
			report(s, "clear_refs", s->be->clear_refs(i + 1));
			return true;
		}
	return fail(s, "expected soft_dirty, young, anon or mapped, got '%s'", mode);
}

bool cmd_secretmem(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str;
	unsigned long ret = s->be->mmap_secretmem(a->opt[0].u, a->opt[1].u);

	s->ret = (long)ret;
	if (!set_value(s, name, (long)ret))
		return false;
	say(s, "  $%s = %s\n", name, NUM((long)ret));
	return true;
}
