// SPDX-License-Identifier: GPL-2.0-only
/*
 * What scripts name: values and page sets in one namespace (with the reserved
 * words), tasks in another, and the page sets GUP calls fill.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

/* ------------------------------------------------------------------ names -- */

static bool is_name(const char *t, size_t len)
{
	if (!len || len > MAX_NAME || !(isalpha((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '_')
			return false;
	return true;
}

bool check_name(struct script *s, const char *t, const char *what)
{
	if (!is_name(t, strlen(t)))
		return fail(s, "expected a %s name (letters, digits, '_', at most %d), got '%s'",
			    what, MAX_NAME, t);
	return true;
}

struct symbol *find_symbol(struct script *s, const char *name, size_t len)
{
	for (int i = 0; i < MAX_SYMBOLS; i++)
		if (s->syms[i].kind != SYM_FREE && strlen(s->syms[i].name) == len &&
		    !strncmp(s->syms[i].name, name, len))
			return &s->syms[i];
	return NULL;
}

bool set_holds_refs(const struct page_set *set)
{
	return !set->released && set->nr > 0;
}

/* Words an expression or an expect operand reads as something else. */
static bool is_reserved(const char *name)
{
	static const char *const reserved[] = {
		"ret",	  "warnings", "free_pages", "violations", "page", "read",
		"pinned", "vmstat",   "vma",	    "PAGE_SIZE",  "true", "false",
	};

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			return true;
	return lookup_name(errno_names, name, strlen(name)) != NULL;
}

bool check_value_name(struct script *s, const char *name)
{
	if (!check_name(s, name, "value"))
		return false;
	if (is_reserved(name))
		return fail(
			s,
			"'%s' is reserved (a query, a constant or an errno name): choose another "
			"name",
			name);
	return true;
}

/* The slot a name is (re)defined in; refuses to drop page references silently. */
static struct symbol *define_symbol(struct script *s, const char *name)
{
	struct symbol *sym;

	if (!check_value_name(s, name))
		return NULL;
	sym = find_symbol(s, name, strlen(name));
	if (sym && sym->kind == SYM_PAGES && set_holds_refs(&sym->set)) {
		fail(s,
		     "'%s' still holds %ld page reference(s): unpin/put it before reusing the name",
		     name, sym->set.nr);
		return NULL;
	}
	if (!sym) {
		for (int i = 0; i < MAX_SYMBOLS && !sym; i++)
			if (s->syms[i].kind == SYM_FREE)
				sym = &s->syms[i];
		if (!sym) {
			fail(s, "more than %d names defined", MAX_SYMBOLS);
			return NULL;
		}
	}
	free(sym->set.pages);
	memset(sym, 0, sizeof(*sym));
	snprintf(sym->name, sizeof(sym->name), "%s", name);
	return sym;
}

bool set_value(struct script *s, const char *name, long value)
{
	struct symbol *sym = define_symbol(s, name);

	if (!sym)
		return false;
	sym->kind = SYM_VALUE;
	sym->value = value;
	return true;
}

struct page_set *find_set(struct script *s, const char *name)
{
	struct symbol *sym = find_symbol(s, name, strlen(name));

	if (!sym || sym->kind != SYM_PAGES) {
		fail(s,
		     "expected the name of a page set (from gup/pin/follow/dump_page ... as "
		     "NAME), got '%s'",
		     name);
		return NULL;
	}
	return &sym->set;
}

struct task_slot *find_task_slot(struct script *s, const char *name)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (s->tasks[i].task && !strcmp(s->tasks[i].name, name))
			return &s->tasks[i];
	return NULL;
}

struct bk_task *find_task(struct script *s, const char *name)
{
	struct task_slot *slot = find_task_slot(s, name);

	if (!slot) {
		fail(s, "expected the name of a live task (see `task`, `fork`, `thread`), got '%s'",
		     name);
		return NULL;
	}
	return slot->task;
}

bool add_task(struct script *s, const char *name, struct bk_task *t)
{
	for (int i = 0; i < MAX_TASKS; i++) {
		if (!s->tasks[i].task) {
			snprintf(s->tasks[i].name, sizeof(s->tasks[i].name), "%.*s", MAX_NAME,
				 name);
			s->tasks[i].task = t;
			return true;
		}
	}
	s->be->task_exit(t);
	return fail(s, "more than %d tasks alive", MAX_TASKS);
}

/* A new task name must be valid and not taken. */
bool check_new_task_name(struct script *s, const char *name)
{
	if (!check_name(s, name, "task"))
		return false;
	if (find_task_slot(s, name))
		return fail(s, "a task named '%s' already exists", name);
	return true;
}

/* -------------------------------------------------------------- page sets -- */

static void release_refs(struct script *s, enum ref_kind kind, struct bk_page *page)
{
	if (kind == REF_PIN)
		s->be->unpin_page(page);
	else
		s->be->put_page(page);
}

bool store_pages(struct script *s, const char *name, enum ref_kind kind, struct bk_page **pages,
		 long nr)
{
	struct symbol *sym = define_symbol(s, name);

	if (!sym) {
		/* The references must not leak unreported: give them back first. */
		for (long i = 0; i < nr; i++)
			release_refs(s, kind, pages[i]);
		free(pages);
		return false;
	}
	sym->kind = SYM_PAGES;
	sym->set.kind = kind;
	sym->set.pages = pages;
	sym->set.nr = nr > 0 ? nr : 0;
	sym->set.released = false; /* an empty set may still be released, as a no-op */
	return true;
}

bool store_single_page(struct script *s, const char *name, enum ref_kind kind, struct bk_page *page)
{
	struct bk_page **pages = malloc(sizeof(*pages));

	if (!pages) {
		if (page)
			release_refs(s, kind, page);
		return fail(s, "out of host memory");
	}
	pages[0] = page;
	return store_pages(s, name, kind, pages, page ? 1 : 0);
}

/* "NAME[i]": the i-th page a page set holds. */
bool set_page_ref(struct script *s, const char *text, struct bk_page **page)
{
	const char *open = strchr(text, '[');
	size_t len = strlen(text);
	char name[MAX_NAME + 1], index[MAX_LINE];
	struct page_set *set;
	long i;

	if (!open || text[len - 1] != ']' || open == text || (size_t)(open - text) > MAX_NAME)
		return fail(s, "expected NAME[INDEX], got '%s'", text);
	snprintf(name, sizeof(name), "%.*s", (int)(open - text), text);
	snprintf(index, sizeof(index), "%.*s", (int)(len - (size_t)(open - text) - 2), open + 1);
	set = find_set(s, name);
	if (!set || !eval_text(s, index, &i))
		return false;
	if (set->released)
		return fail(s, "'%s' was released (unpin/put): its pages may be gone", name);
	if (!set->nr)
		return fail(s, "'%s' holds no pages (the call returned none)", name);
	if (i < 0 || i >= set->nr)
		return fail(s, "expected an index from 0 to %ld for '%s', got %ld", set->nr - 1,
			    name, i);
	*page = set->pages[i];
	return true;
}
