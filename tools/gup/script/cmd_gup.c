// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands around GUP: every get_user_pages / pin_user_pages entry
 * point, releasing page sets, follow_page, get_dump_page, and the populate and
 * fault-fixup calls built on GUP.
 */
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

static void list_pfns(struct script *s, struct bk_page **pages, long nr)
{
	say(s, "    pfns:");
	for (long i = 0; i < nr && i < LISTED_PFNS; i++)
		say(s, " %#lx", s->be->page_pfn(pages[i]));
	say(s, "%s\n", nr > LISTED_PFNS ? " ..." : "");
}

/* gup|pin [VARIANT] ADDR NPAGES [flags=FLAGS] [as NAME] */
bool cmd_gup(struct script *s, struct cmd_args *a)
{
	bool pin = !strcmp(a->cmd->name, "pin");
	enum gup_flavour flavour = (enum gup_flavour)a->arg[0].flavour;
	bool lock_may_drop = flavour == GUP_LOCKED || a->arg[0].remote_locked;
	enum gup_entry entry = gup_entry_of(pin, flavour);
	unsigned long start = a->arg[1].u;
	unsigned int flags = (unsigned int)a->opt[0].u;
	const char *name = a->as;
	long nr = a->arg[2].n, ret;
	/* The fast calls take an int and accept a negative count (they return 0). */
	long min_nr = flavour == GUP_FAST || flavour == GUP_FAST_ONLY ? -MAX_GUP_PAGES : 0;
	struct bk_page **pages = NULL;
	char flag_text[160], call[256];
	int locked = 1;

	if (nr < min_nr || nr > MAX_GUP_PAGES)
		return fail(s, "expected a page count from %ld to %d, got %ld", min_nr,
			    MAX_GUP_PAGES, nr);
	if (name && !check_name(s, name, "page set"))
		return false;
	if (name) {
		pages = calloc((size_t)(nr > 0 ? nr : 1), sizeof(*pages));
		if (!pages)
			return fail(s, "out of host memory");
	}
	ret = s->be->gup(entry, a->arg[0].task, start, nr, flags, pages,
			 lock_may_drop ? &locked : NULL);
	print_foll_flags(flag_text, sizeof(flag_text), flags);
	snprintf(call, sizeof(call), "%s(%#lx, %ld, %s)", gup_entry_names[entry], start, nr,
		 flag_text);
	report(s, call, ret);
	if (lock_may_drop && !locked)
		say(s, "    (mmap_lock was dropped: *locked = 0)\n");
	if (!name)
		return true;
	if (ret > 0)
		list_pfns(s, pages, ret);
	return store_pages(s, name, pin || (flags & FOLL_PIN) ? REF_PIN : REF_GET, pages, ret);
}

static bool release_set(struct script *s, const char *name, enum ref_kind kind, bool dirty)
{
	struct page_set *set = find_set(s, name);

	if (!set)
		return false;
	if (set->released)
		return fail(s, "'%s' was already released", name);
	if (set->kind != kind)
		return fail(s, "'%s' holds %s: release it with `%s`", name,
			    set->kind == REF_PIN ? "pins (FOLL_PIN)" : "references (FOLL_GET)",
			    set->kind == REF_PIN ? "unpin" : "put");
	if (kind == REF_GET)
		for (long i = 0; i < set->nr; i++)
			s->be->put_page(set->pages[i]);
	else
		s->be->unpin_pages(set->pages, (unsigned long)set->nr, dirty);
	set->released = true;
	say(s, "  released %ld page(s)%s\n", set->nr, dirty ? ", marked dirty" : "");
	return true;
}

bool cmd_unpin(struct script *s, struct cmd_args *a)
{
	return release_set(s, a->arg[0].str, REF_PIN, a->arg[1].given);
}

bool cmd_put(struct script *s, struct cmd_args *a)
{
	return release_set(s, a->arg[0].str, REF_GET, false);
}

bool cmd_follow(struct script *s, struct cmd_args *a)
{
	unsigned long f = a->opt[0].u;
	bool takes_ref = f & (FOLL_GET | FOLL_PIN);
	const char *name = a->as;
	struct bk_page *page;
	long err;

	if (name && !check_name(s, name, "page set"))
		return false;
	if (takes_ref && !name)
		return fail(s, "follow with flags=get or pin takes a reference: add `as NAME`");
	err = s->be->follow_page(a->arg[0].u, (unsigned int)f, &page);
	if (err) {
		report(s, "follow_page", err);
	} else {
		s->ret = page ? (long)s->be->page_pfn(page) : 0;
		say(s, "  follow_page = %s\n", page ? NUM(s->ret) : "NULL");
	}
	if (!name || !takes_ref)
		return true;
	return store_single_page(s, name, f & FOLL_PIN ? REF_PIN : REF_GET, page);
}

bool cmd_dump_page(struct script *s, struct cmd_args *a)
{
	unsigned long addr = a->arg[0].u;
	struct bk_page *page;

	if (!check_name(s, a->as, "page set"))
		return false;
	page = s->be->get_dump_page(addr);
	s->ret = page ? 1 : 0;
	say(s, "  get_dump_page(%#lx) = %s\n", addr,
	    page ? NUM((long)s->be->page_pfn(page)) : "NULL (a hole in the dump)");
	return store_single_page(s, a->as, REF_GET, page);
}

bool cmd_populate(struct script *s, struct cmd_args *a)
{
	unsigned long start, end;

	if (!page_range(s, a->arg[0].u, a->arg[1].u, &start, &end))
		return false;
	report(s, "__mm_populate", s->be->populate(start, end - start));
	return true;
}

bool cmd_populate_vma(struct script *s, struct cmd_args *a)
{
	unsigned long start, end;
	long ret;

	if (!page_range(s, a->arg[0].u, a->arg[1].u, &start, &end))
		return false;
	if (!s->be->populate_vma(start, end, &ret))
		return fail(s, "populate_vma needs a non-empty range inside one VMA");
	report(s, "populate_vma_page_range", ret);
	return true;
}

bool cmd_fixup(struct script *s, struct cmd_args *a)
{
	bool unlocked = false;
	long ret = s->be->fixup(a->arg[0].u, a->arg[1].given, a->arg[2].given ? &unlocked : NULL);

	report(s, "fixup_user_fault", ret);
	if (unlocked)
		say(s, "    (mmap_lock was dropped and retaken: *unlocked = true)\n");
	return true;
}
