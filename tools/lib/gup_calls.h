/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every get_user_pages / pin_user_pages entry point of <gup/gup.h> as an enum,
 * their kernel names, and the one dispatcher that calls an entry point with the
 * mmap_lock handling its kernel callers must do. Shared by the `gup` tool
 * (run, bench, stress), the stress tests and the model fuzzer.
 */
#ifndef GUP_TOOL_GUP_CALLS_H
#define GUP_TOOL_GUP_CALLS_H

#include <stdbool.h>
#include <libgup.h>

/* How an entry point reaches the page tables, and so what locking it expects. */
enum gup_flavour {
	GUP_PLAIN,     /* get_user_pages(): caller holds current's mmap_lock */
	GUP_FAST,      /* lockless walk, falls back to the slow path */
	GUP_FAST_ONLY, /* lockless walk only, never faults */
	GUP_REMOTE,    /* another mm: caller holds its mmap_lock, may let it drop */
	GUP_UNLOCKED,  /* takes and drops current's mmap_lock itself */
	GUP_LOCKED,    /* caller holds current's mmap_lock; a fault may drop it */
	NR_GUP_FLAVOURS
};

/*
 * get/pin x flavour: entry == 2 * flavour + pin. The model fuzzer decodes these
 * values from its inputs and traces them as numbers: do not reorder.
 */
enum gup_entry {
	GUP_GET,
	GUP_PIN,
	GUP_GET_FAST,
	GUP_PIN_FAST,
	GUP_GET_FAST_ONLY,
	GUP_PIN_FAST_ONLY,
	GUP_GET_REMOTE,
	GUP_PIN_REMOTE,
	GUP_GET_UNLOCKED,
	GUP_PIN_UNLOCKED,
	GUP_GET_LOCKED,
	GUP_PIN_LOCKED,
	NR_GUP_ENTRIES
};

/* The kernel function names: "get_user_pages", ..., "pin_user_pages_locked". */
extern const char *const gup_entry_names[NR_GUP_ENTRIES];

static inline enum gup_entry gup_entry_of(bool pin, enum gup_flavour flavour)
{
	return (enum gup_entry)(2 * flavour + pin);
}

/* FOLL_PIN (release with unpin_user_page) rather than FOLL_GET (put_page). */
static inline bool gup_entry_pins(enum gup_entry entry)
{
	return entry & 1;
}

static inline enum gup_flavour gup_entry_flavour(enum gup_entry entry)
{
	return (enum gup_flavour)(entry / 2);
}

long gup_call_entry(enum gup_entry entry, struct mm_struct *mm, unsigned long start, long nr_pages,
		    unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas,
		    int *locked);

#endif /* GUP_TOOL_GUP_CALLS_H */
